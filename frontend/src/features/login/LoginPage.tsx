import { FormattedMessage } from 'react-intl';
import { Link, Navigate, useLocation } from 'react-router';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import Form, { type FieldSpec } from '../../components/Form';
import { MfaStep } from '../mfa/lazy';
import PasskeyButton from '../mfa/PasskeyButton';
import { mfaAbandoned, selectLoggedIn, selectMfaMethods } from '../session/sessionSlice';

type LoginValues = { email: string; password: string };

const FIELDS: FieldSpec<LoginValues>[] = [
  // "webauthn": the browser may offer the user's passkeys here (conditional UI)
  { name: 'email', label: 'field.email', type: 'email', autoComplete: 'username webauthn' },
  { name: 'password', label: 'field.password', type: 'password', autoComplete: 'current-password' },
];

export default function LoginPage() {
  const location = useLocation();
  const dispatch = useAppDispatch();
  const loggedIn = useAppSelector(selectLoggedIn);
  const mfaMethods = useAppSelector(selectMfaMethods);
  const login = useRequest(api.endpoints.login);
  const from = (location.state as { from?: string } | null)?.from;

  if (loggedIn) return <Navigate to={from || '/dashboard'} replace />;

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
