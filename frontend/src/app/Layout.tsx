import { useEffect, useRef, type RefObject } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, Outlet, useLocation } from 'react-router';
import { api, selectPageLoading, useRequest } from '../api/api';
import { selectConfig } from '../features/config/configSlice';
import LanguageSwitch from '../features/language/LanguageSwitch';
import Notifications from '../features/notifications/Notifications';
import ReauthnDialog from '../features/security/ReauthnDialog';
import { selectLoggedIn } from '../features/session/sessionSlice';
import { LogOutIcon, LogoIcon } from '../components/icons';
import { useAppSelector } from './hooks';

/** After a route change, move focus to the new page's heading and name the tab after it. */
function useRouteFocus(mainRef: RefObject<HTMLElement | null>) {
  const { pathname } = useLocation();
  const intl = useIntl();
  const first = useRef(true);
  useEffect(() => {
    const main = mainRef.current;
    const heading = main?.querySelector('h1');
    const app = intl.formatMessage({ id: 'app.name' });
    // no "Tessera –" with nothing before it while a page is still loading its heading
    const text = heading?.textContent?.trim();
    document.title = text ? `${text} – ${app}` : app;
    if (first.current) {
      first.current = false;
      return;
    }
    (heading || main)?.focus();
  }, [pathname, intl, mainRef]);
}

function LogoutButton() {
  const logout = useRequest(api.endpoints.logout);
  return (
    <button type="button" className="button small" onClick={() => logout.send()} disabled={logout.busy}>
      <LogOutIcon />
      <FormattedMessage id={logout.busy ? 'common.busy' : 'nav.logout'} />
    </button>
  );
}

export default function Layout() {
  const mainRef = useRef<HTMLElement>(null);
  const loggedIn = useAppSelector(selectLoggedIn);
  const busy = useAppSelector(selectPageLoading);
  const { version } = useAppSelector(selectConfig);
  useRouteFocus(mainRef);
  return (
    <>
      <a className="skip-link" href="#main">
        <FormattedMessage id="nav.skip" />
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          <LogoIcon />
          <span className="brand-name">
            <FormattedMessage id="app.name" />
          </span>
        </Link>
        <div className="header-tools">
          <LanguageSwitch />
          {loggedIn ? <LogoutButton /> : null}
        </div>
      </header>
      <div className="busy-bar" role="status" aria-live="polite">
        {/* a thin moving bar; the words are for screen readers (the page shows its own spinner) */}
        {busy ? (
          <span className="busy-indicator">
            <span className="visually-hidden">
              <FormattedMessage id="common.loading" />
            </span>
          </span>
        ) : null}
      </div>
      <main id="main" ref={mainRef} tabIndex={-1} aria-busy={busy ? 'true' : 'false'}>
        <Notifications />
        <Outlet />
      </main>
      <footer className="site-footer">
        <FormattedMessage id="app.footer" values={{ version: version || '–' }} />{' '}
        <Link to="/terms">
          <FormattedMessage id="terms.link" />
        </Link>
      </footer>
      <ReauthnDialog />
    </>
  );
}
