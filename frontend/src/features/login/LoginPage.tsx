import { FormattedMessage } from 'react-intl';
import { Link, Navigate, useLocation } from 'react-router';
import { api, useRequest } from '../../api/api';
import { useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import Form, { type FieldSpec } from '../../components/Form';
import { selectLoggedIn } from '../session/sessionSlice';

type LoginValues = { email: string; password: string };

const FIELDS: FieldSpec<LoginValues>[] = [
  { name: 'email', label: 'field.email', type: 'email', autoComplete: 'username' },
  { name: 'password', label: 'field.password', type: 'password', autoComplete: 'current-password' },
];

export default function LoginPage() {
  const location = useLocation();
  const loggedIn = useAppSelector(selectLoggedIn);
  const login = useRequest(api.endpoints.login);
  const from = (location.state as { from?: string } | null)?.from;

  if (loggedIn) return <Navigate to={from || '/dashboard'} replace />;

  return (
    <Card title="login.title" narrow>
      <Form fields={FIELDS} initial={{ email: '', password: '' }} request={login} onSubmit={login.send} submitLabel="login.submit" />
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
