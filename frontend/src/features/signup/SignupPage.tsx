import { FormattedMessage } from 'react-intl';
import { Link, Navigate } from 'react-router';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import Form, { type FieldSpec } from '../../components/Form';
import NewPasswordForm from '../../components/NewPasswordForm';
import { CodeStep } from '../flowSteps';
import { selectLanguage } from '../language/languageSlice';
import { selectLoggedIn } from '../session/sessionSlice';
import { selectSignup, signupRestarted } from './signupSlice';

type RegisterValues = { given_name: string; surname: string; email: string; tou_accepted: boolean };

const REGISTER_FIELDS: FieldSpec<RegisterValues>[] = [
  { name: 'given_name', label: 'field.given_name', autoComplete: 'given-name' },
  { name: 'surname', label: 'field.surname', autoComplete: 'family-name' },
  { name: 'email', label: 'field.email', type: 'email', autoComplete: 'email' },
  { name: 'tou_accepted', label: 'signup.tou', type: 'checkbox' },
];

function RegisterStep() {
  const language = useAppSelector(selectLanguage);
  const register = useRequest(api.endpoints.signupRegister);
  // tou_accepted is sent as it is: the service answers a field error unless it is true.
  const send = (values: RegisterValues) => register.send({ ...values, tou_accepted: values.tou_accepted as true, language });
  return (
    <Form
      // the terms are one link away from the box that accepts them (a new tab keeps the form)
      actions={
        <Link to="/terms" target="_blank" rel="noopener">
          <FormattedMessage id="signup.read_terms" />
        </Link>
      }
      fields={REGISTER_FIELDS}
      initial={{ given_name: '', surname: '', email: '', tou_accepted: false }}
      request={register}
      onSubmit={send}
      submitLabel="signup.register_submit"
    />
  );
}

function PasswordStep({ email }: { email: string }) {
  const password = useRequest(api.endpoints.signupPassword);
  return (
    <>
      <p>
        <FormattedMessage id="signup.choose_password" />
      </p>
      <NewPasswordForm
        request={password}
        onSubmit={(value) => password.send({ password: value })}
        userInputs={[email]}
        submitLabel="signup.create_account"
      />
    </>
  );
}

const STEPS = ['register', 'code', 'password'];

export default function SignupPage() {
  const dispatch = useAppDispatch();
  const { step: stored, email, resendWait, resendSaid } = useAppSelector(selectSignup);
  const loggedIn = useAppSelector(selectLoggedIn);
  const verify = useRequest(api.endpoints.signupVerify);
  const resend = useRequest(api.endpoints.signupResendCode);
  // After a reload, continue where this session's flow is (the service keeps it).
  api.endpoints.signupState.useQuery(undefined, { skip: loggedIn });
  if (loggedIn) return <Navigate to="/dashboard" replace />;
  // 'done' without a login (e.g. logged out since): a new signup starts.
  const step = stored === 'done' ? 'register' : stored;
  return (
    <Card title="signup.title" narrow>
      <p className="step-indicator">
        <FormattedMessage id="common.step" values={{ current: STEPS.indexOf(step) + 1, total: STEPS.length }} />
      </p>
      {step === 'register' ? <RegisterStep /> : null}
      {step === 'code' ? (
        <CodeStep
          sent="signup.code_sent"
          email={email}
          verify={verify}
          resend={{ send: () => resend.send(), busy: resend.busy, wait: resendWait, said: resendSaid }}
          restart="signup.other_address"
          onRestart={() => dispatch(signupRestarted())}
        />
      ) : null}
      {step === 'password' ? <PasswordStep email={email} /> : null}
      <p className="links">
        <Link to="/login">
          <FormattedMessage id="signup.have_account" />
        </Link>
      </p>
    </Card>
  );
}
