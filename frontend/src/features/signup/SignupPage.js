import { useEffect, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import { Link, Navigate } from 'react-router';
import CodeForm from '../../components/CodeForm';
import Field from '../../components/Field';
import Form from '../../components/Form';
import NewPasswordForm from '../../components/NewPasswordForm';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import useRequest from '../../components/useRequest';
import { selectLanguage } from '../language/languageSlice';
import { selectLoggedIn } from '../session/sessionSlice';
import { loadSignupState, selectSignup, signupRestarted } from './signupSlice';

function RegisterStep() {
  const intl = useIntl();
  const language = useSelector(selectLanguage);
  const { send, busy, errors } = useRequest('POST', 'signup', 'register');
  const [form, setForm] = useState({ email: '', given_name: '', surname: '', tou_accepted: false });
  const change = (e) => {
    const { name, type, checked, value } = e.target;
    setForm((f) => ({ ...f, [name]: type === 'checkbox' ? checked : value }));
  };
  const text = (name, autoComplete, type = 'text') => (
    <Field
      label={intl.formatMessage({ id: `field.${name}` })}
      type={type}
      name={name}
      autoComplete={autoComplete}
      value={form[name]}
      onChange={change}
      errors={errors[name]}
      required
    />
  );
  return (
    <Form busy={busy} errors={errors} onSubmit={() => send({ ...form, language })}>
      {text('given_name', 'given-name')}
      {text('surname', 'family-name')}
      {text('email', 'email', 'email')}
      <Field
        label={intl.formatMessage({ id: 'signup.tou' })}
        type="checkbox"
        name="tou_accepted"
        checked={form.tou_accepted}
        onChange={change}
        errors={errors.tou_accepted}
        required
      />
      <SubmitButton busy={busy}>
        <FormattedMessage id="signup.register_submit" />
      </SubmitButton>
    </Form>
  );
}

function CodeStep({ email }) {
  const dispatch = useDispatch();
  const verify = useRequest('POST', 'signup', 'verify');
  const resend = useRequest('POST', 'signup', 'resend-code');
  return (
    <>
      <p>
        <FormattedMessage id="signup.code_sent" values={{ email: <strong>{email}</strong> }} />
      </p>
      <CodeForm
        busy={verify.busy}
        errors={verify.errors}
        onSubmit={(code) => verify.send({ email, code })}
        onResend={() => resend.send()}
        resendBusy={resend.busy}
      />
      <p>
        <button type="button" className="link-button" onClick={() => dispatch(signupRestarted())}>
          <FormattedMessage id="signup.other_address" />
        </button>
      </p>
    </>
  );
}

function PasswordStep({ email }) {
  const intl = useIntl();
  const { send, busy, errors } = useRequest('POST', 'signup', 'password');
  return (
    <>
      <p>
        <FormattedMessage id="signup.choose_password" />
      </p>
      <NewPasswordForm
        busy={busy}
        errors={errors}
        onSubmit={send}
        userInputs={[email]}
        submitLabel={intl.formatMessage({ id: 'signup.create_account' })}
      />
    </>
  );
}

const STEPS = ['register', 'code', 'password'];

export default function SignupPage() {
  const dispatch = useDispatch();
  const { step: stored, email } = useSelector(selectSignup);
  const loggedIn = useSelector(selectLoggedIn);
  // After a reload, continue where this session's flow is (the service keeps it).
  useEffect(() => {
    if (!loggedIn) dispatch(loadSignupState());
  }, [dispatch, loggedIn]);
  // 'done' without a login (e.g. logged out since): a new signup starts.
  const step = stored === 'done' ? 'register' : stored;
  if (loggedIn) return <Navigate to="/dashboard" replace />;
  return (
    <section className="card narrow">
      <PageHeading>
        <FormattedMessage id="signup.title" />
      </PageHeading>
      <p className="step-indicator">
        <FormattedMessage
          id="common.step"
          values={{ current: STEPS.indexOf(step) + 1, total: STEPS.length }}
        />
      </p>
      {step === 'register' ? <RegisterStep /> : null}
      {step === 'code' ? <CodeStep email={email} /> : null}
      {step === 'password' ? <PasswordStep email={email} /> : null}
      <p className="links">
        <Link to="/login">
          <FormattedMessage id="signup.have_account" />
        </Link>
      </p>
    </section>
  );
}
