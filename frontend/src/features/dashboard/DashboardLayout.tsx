import { FormattedMessage, useIntl } from 'react-intl';
import { NavLink, Outlet } from 'react-router';
import { useAppSelector } from '../../app/hooks';
import { HomeIcon, MailIcon, PhoneIcon, ShieldIcon, UserIcon } from '../../components/icons';
import { selectUser } from '../personalData/personalDataSlice';

const LINKS = [
  { to: '/dashboard', id: 'nav.overview', end: true, Icon: HomeIcon },
  { to: '/dashboard/personal-data', id: 'nav.personal_data', Icon: UserIcon },
  { to: '/dashboard/emails', id: 'nav.emails', Icon: MailIcon },
  { to: '/dashboard/phones', id: 'nav.phones', Icon: PhoneIcon },
  { to: '/dashboard/security', id: 'nav.security', Icon: ShieldIcon },
];

export default function DashboardLayout() {
  const intl = useIntl();
  const user = useAppSelector(selectUser);
  const name = user && (user.display_name || [user.given_name, user.surname].filter(Boolean).join(' '));
  return (
    <div className="dashboard">
      {name ? (
        <p className="greeting">
          <FormattedMessage id="dashboard.greeting" values={{ name }} />
        </p>
      ) : null}
      <nav className="dashboard-nav" aria-label={intl.formatMessage({ id: 'nav.dashboard' })}>
        <ul>
          {LINKS.map((link) => (
            <li key={link.to}>
              <NavLink to={link.to} end={link.end}>
                <link.Icon />
                <FormattedMessage id={link.id} />
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
