import { useEffect, useState } from 'react';
import { FormattedMessage } from 'react-intl';
import { Link, Navigate, useLocation, useSearchParams } from 'react-router';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import Form, { type FieldSpec } from '../../components/Form';
import Loading from '../../components/Loading';
import { MfaStep } from '../mfa/lazy';
import PasskeyButton from '../mfa/PasskeyButton';
import { leave } from '../oidc/leave';
import { isServerPage, safeNext } from '../oidc/next';
import { mfaAbandoned, selectLoggedIn, selectLogins, selectMfaMethods } from '../session/sessionSlice';

type LoginValues = { email: string; password: string };

const FIELDS: FieldSpec<LoginValues>[] = [
  // "webauthn": the browser may offer the user's passkeys here (conditional UI)
  { name: 'email', label: 'field.email', type: 'email', autoComplete: 'username webauthn' },
  { name: 'password', label: 'field.password', type: 'password', autoComplete: 'current-password' },
];

/** Where a completed login goes: an SPA page by the router, the OpenID provider's
 * authorization endpoint (a relying party's sign-in goes on) by a full page load. */
function AfterLogin({ to }: { to: string }) {
  const server = isServerPage(to);
  useEffect(() => {
    if (server) leave(to);
  }, [server, to]);
  return server ? <Loading /> : <Navigate to={to} replace />;
}

/**
 * The login page: password (then the second step the account has) or a passkey, then on
 * to `?next=` when it is a safe same-origin path (`features/oidc/next.ts`), else where
 * the user was sent from, else the dashboard. A logged-in browser goes on at once —
 * unless the OpenID provider sent it with `reauthn` (`login`: prompt=login, max_age, an
 * id_token_hint of another user; `mfa`: acr_values asks for the second factor), which
 * asks for a new login first.
 */
export default function LoginPage() {
  const location = useLocation();
  const dispatch = useAppDispatch();
  const loggedIn = useAppSelector(selectLoggedIn);
  const mfaMethods = useAppSelector(selectMfaMethods);
  const login = useRequest(api.endpoints.login);
  const from = (location.state as { from?: string } | null)?.from;
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const again = next ? params.get('reauthn') : null;
  const logins = useAppSelector(selectLogins);
  const [loginsAtOpen] = useState(logins);
  const mustLogIn = again !== null && logins === loginsAtOpen;

  if (loggedIn && !mustLogIn) return <AfterLogin to={next || from || '/dashboard'} />;

  if (mfaMethods) {
    return (
      <Card title="mfa.title" narrow>
        <MfaStep methods={mfaMethods} />
        <p className="links">
          <button type="button" className="link-button" onClick={() => dispatch(mfaAbandoned())}>
            <FormattedMessage id="mfa.back" />
          </button>
        </p>
      </Card>
    );
  }

  return (
    <Card title="login.title" narrow>
      {again ? (
        <p className="notice" role="status">
          <FormattedMessage id={again === 'mfa' ? 'oidc.login_again_mfa' : 'oidc.login_again'} />
        </p>
      ) : null}
      <Form fields={FIELDS} initial={{ email: '', password: '' }} request={login} onSubmit={login.send} submitLabel="login.submit" />
      <PasskeyButton autofill />
      <p className="links">
        <Link to="/reset-password">
          <FormattedMessage id="login.forgot" />
        </Link>
        <Link to="/signup">
          <FormattedMessage id="login.create_account" />
        </Link>
      </p>
    </Card>
  );
}
