import { useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import { Link } from 'react-router';
import CodeForm from '../../components/CodeForm';
import Field from '../../components/Field';
import Form from '../../components/Form';
import NewPasswordForm from '../../components/NewPasswordForm';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import useRequest from '../../components/useRequest';
import { resetRestarted, selectResetPassword } from './resetPasswordSlice';

function StartStep() {
  const intl = useIntl();
  const { send, busy, errors } = useRequest('POST', 'reset-password', 'start');
  const [email, setEmail] = useState('');
  return (
    <>
      <p>
        <FormattedMessage id="reset_password.intro" />
      </p>
      <Form busy={busy} errors={errors} onSubmit={() => send({ email })}>
        <Field
          label={intl.formatMessage({ id: 'field.email' })}
          type="email"
          name="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          errors={errors.email}
          required
        />
        <SubmitButton busy={busy}>
          <FormattedMessage id="reset_password.start_submit" />
        </SubmitButton>
      </Form>
    </>
  );
}

function CodeStep({ email }) {
  const dispatch = useDispatch();
  const verify = useRequest('POST', 'reset-password', 'verify');
  return (
    <>
      <p>
        <FormattedMessage id="reset_password.code_sent" values={{ email: <strong>{email}</strong> }} />
      </p>
      <CodeForm busy={verify.busy} errors={verify.errors} onSubmit={(code) => verify.send({ email, code })} />
      <p>
        <button type="button" className="link-button" onClick={() => dispatch(resetRestarted())}>
          <FormattedMessage id="reset_password.start_over" />
        </button>
      </p>
    </>
  );
}

function PasswordStep({ email }) {
  const intl = useIntl();
  const { send, busy, errors } = useRequest('POST', 'reset-password', 'new-password');
  return (
    <NewPasswordForm
      busy={busy}
      errors={errors}
      onSubmit={send}
      userInputs={[email]}
      submitLabel={intl.formatMessage({ id: 'reset_password.set_submit' })}
    />
  );
}

function DoneStep() {
  const dispatch = useDispatch();
  return (
    <>
      <p>
        <FormattedMessage id="reset_password.done_text" />
      </p>
      <p>
        <Link className="button primary" to="/login" onClick={() => dispatch(resetRestarted())}>
          <FormattedMessage id="login.title" />
        </Link>
      </p>
    </>
  );
}

export default function ResetPasswordPage() {
  const { step, email } = useSelector(selectResetPassword);
  return (
    <section className="card narrow">
      <PageHeading>
        <FormattedMessage id="reset_password.title" />
      </PageHeading>
      {step === 'start' ? <StartStep /> : null}
      {step === 'code' ? <CodeStep email={email} /> : null}
      {step === 'password' ? <PasswordStep email={email} /> : null}
      {step === 'done' ? <DoneStep /> : null}
    </section>
  );
}
