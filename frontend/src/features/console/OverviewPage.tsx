import type { ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { api } from '../../api/api';
import { useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import { CheckCircleIcon, WarningIcon } from '../../components/icons';
import Loading from '../../components/Loading';
import { selectEmails } from '../emails/emailsSlice';
import { selectUser } from '../personalData/personalDataSlice';
import { selectPhones } from '../phones/phonesSlice';
import { selectSecurity } from '../security/securitySlice';
import { useEvents } from './ActivityPage';
import { EventList } from './EventList';
import { phoneDisplay } from './format';
import { checkup, type CheckupItem } from './checkup';

/** How many events the overview shows (the timeline has the rest). */
export const RECENT_EVENTS = 5;

function StatusIcon({ ok }: { ok: boolean }) {
  // decoration from the SPA's icon set: the status is said in words beside it
  return <span className={ok ? 'status-icon ok' : 'status-icon warn'}>{ok ? <CheckCircleIcon /> : <WarningIcon />}</span>;
}

function CheckupLine({ item }: { item: CheckupItem }) {
  return (
    <li className={item.ok ? 'checkup-item ok' : 'checkup-item warn'}>
      <StatusIcon ok={item.ok} />
      <span className="checkup-text">
        <span className="visually-hidden">
          <FormattedMessage id={item.ok ? 'overview.status_ok' : 'overview.status_warn'} />
        </span>
        <FormattedMessage id={item.message} values={item.values} />
      </span>
      <Link to={item.link} className="checkup-link">
        <FormattedMessage id={item.linkLabel} />
      </Link>
    </li>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="detail">
      <dt>
        <FormattedMessage id={label} />
      </dt>
      <dd>{children}</dd>
    </div>
  );
}

function RecentActivity() {
  const { data, isLoading, isError } = useEvents();
  const events = (data?.pages[0]?.events ?? []).slice(0, RECENT_EVENTS);
  let body;
  if (isLoading) body = <Loading />;
  else if (isError && !data) {
    body = (
      <p className="empty">
        <FormattedMessage id="overview.activity_failed" />
      </p>
    );
  } else if (events.length === 0) {
    body = (
      <p className="empty">
        <FormattedMessage id="activity.empty" />
      </p>
    );
  } else body = <EventList events={events} labelledBy="recent-activity" />;
  return (
    <>
      <h2 id="recent-activity">
        <FormattedMessage id="overview.activity_title" />
      </h2>
      {body}
      <p className="links">
        <Link to="/dashboard/security/activity">
          <FormattedMessage id="activity.see_all" />
        </Link>
      </p>
    </>
  );
}

/**
 * The dashboard's home: who the user is (name, primary address and phone), a security
 * checkup (second factor, recovery codes, a verified phone), each line with its status
 * and a link to fix it, and the latest events.
 */
export default function OverviewPage() {
  api.endpoints.credentials.useQuery();
  const user = useAppSelector(selectUser);
  const emails = useAppSelector(selectEmails);
  const phones = useAppSelector(selectPhones);
  const security = useAppSelector(selectSecurity);
  const name = user ? [user.given_name, user.surname].filter(Boolean).join(' ') : '';
  const email = emails.items.find((entry) => entry.primary)?.email;
  const phone = phones.items.find((entry) => entry.primary) ?? phones.items.find((entry) => entry.verified);
  const formatPhone = (number: string) => phoneDisplay(number, phones.items);
  const lines = security.credentialsLoaded
    ? checkup({ credentials: security.credentials, recoveryCodesLeft: security.recoveryCodesLeft, phones: phones.items }, formatPhone)
    : null;

  return (
    <Card title="overview.title">
      <h2 id="overview-details">
        <FormattedMessage id="overview.details_title" />
      </h2>
      <dl className="details" aria-labelledby="overview-details">
        <Detail label="overview.name">{name || '–'}</Detail>
        <Detail label="overview.email">{email || '–'}</Detail>
        <Detail label="overview.phone">
          {phone ? formatPhone(phone.number) : <FormattedMessage id="overview.no_phone" />}
        </Detail>
      </dl>
      <p className="links">
        <Link to="/dashboard/personal-data">
          <FormattedMessage id="overview.edit_personal_data" />
        </Link>
        <Link to="/dashboard/emails">
          <FormattedMessage id="overview.manage_emails" />
        </Link>
        <Link to="/dashboard/phones">
          <FormattedMessage id="overview.manage_phones" />
        </Link>
      </p>

      <h2 id="overview-checkup">
        <FormattedMessage id="overview.checkup_title" />
      </h2>
      {lines ? (
        <ul className="checkup" aria-labelledby="overview-checkup">
          {lines.map((item) => (
            <CheckupLine key={item.key} item={item} />
          ))}
        </ul>
      ) : (
        <Loading />
      )}

      <RecentActivity />
    </Card>
  );
}
