import { useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useSelector } from 'react-redux';
import { Link, Navigate, useLocation } from 'react-router';
import Field from '../../components/Field';
import Form from '../../components/Form';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import useRequest from '../../components/useRequest';
import { selectLoggedIn } from '../session/sessionSlice';

export default function LoginPage() {
  const intl = useIntl();
  const location = useLocation();
  const loggedIn = useSelector(selectLoggedIn);
  const { send, busy, errors } = useRequest('POST', 'authn', 'login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  if (loggedIn) return <Navigate to={location.state?.from || '/dashboard'} replace />;

  return (
    <section className="card narrow">
      <PageHeading>
        <FormattedMessage id="login.title" />
      </PageHeading>
      <Form busy={busy} errors={errors} onSubmit={() => send({ email, password })}>
        <Field
          label={intl.formatMessage({ id: 'field.email' })}
          type="email"
          name="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          errors={errors.email}
          required
        />
        <Field
          label={intl.formatMessage({ id: 'field.password' })}
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          errors={errors.password}
          required
        />
        <SubmitButton busy={busy}>
          <FormattedMessage id="login.submit" />
        </SubmitButton>
      </Form>
      <p className="links">
        <Link to="/reset-password">
          <FormattedMessage id="login.forgot" />
        </Link>
        <Link to="/signup">
          <FormattedMessage id="login.create_account" />
        </Link>
      </p>
    </section>
  );
}
