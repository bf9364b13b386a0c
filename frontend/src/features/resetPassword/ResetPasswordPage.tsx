import { useEffect } from 'react';
import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import Form, { type FieldSpec } from '../../components/Form';
import NewPasswordForm from '../../components/NewPasswordForm';
import { CodeStep } from '../flowSteps';
import { resetRestarted, selectResetPassword } from './resetPasswordSlice';

const START_FIELDS: FieldSpec<{ email: string }>[] = [
  { name: 'email', label: 'field.email', type: 'email', autoComplete: 'email' },
];

function StartStep() {
  const start = useRequest(api.endpoints.resetStart);
  return (
    <>
      <p>
        <FormattedMessage id="reset_password.intro" />
      </p>
      <Form fields={START_FIELDS} initial={{ email: '' }} request={start} onSubmit={start.send} submitLabel="reset_password.start_submit" />
    </>
  );
}

function DoneStep({ onRestart }: { onRestart: () => void }) {
  return (
    <>
      <p>
        <FormattedMessage id="reset_password.done_text" />
      </p>
      <p>
        <Link className="button primary" to="/login" onClick={onRestart}>
          <FormattedMessage id="login.title" />
        </Link>
      </p>
    </>
  );
}

const STEPS = ['start', 'code', 'password'];

export default function ResetPasswordPage() {
  const dispatch = useAppDispatch();
  const { step, email, resendWait, resendSaid } = useAppSelector(selectResetPassword);
  const verify = useRequest(api.endpoints.resetVerify);
  const setPassword = useRequest(api.endpoints.resetNewPassword);
  const start = useRequest(api.endpoints.resetStart);
  // After a reload, continue where this session's reset is (the service keeps it); read
  // again once a code was sent, for when a new one may be asked for.
  const state = api.endpoints.resetState.useQuery();
  const { refetch } = state;
  useEffect(() => {
    if (step === 'code') refetch();
  }, [step, refetch]);
  const restart = () => dispatch(resetRestarted());
  if (!state.isSuccess && !state.isError && step === 'start') return <Card title="reset_password.title" narrow>{null}</Card>;
  return (
    <Card title="reset_password.title" narrow>
      {step !== 'done' ? (
        <p className="step-indicator">
          <FormattedMessage id="common.step" values={{ current: STEPS.indexOf(step) + 1, total: STEPS.length }} />
        </p>
      ) : null}
      {step === 'start' ? <StartStep /> : null}
      {step === 'code' ? (
        <CodeStep
          sent="reset_password.code_sent"
          email={email}
          verify={verify}
          resend={{ send: () => start.send({ email }), busy: start.busy, wait: resendWait, said: resendSaid }}
          restart="reset_password.start_over"
          onRestart={restart}
        />
      ) : null}
      {step === 'password' ? (
        <NewPasswordForm
          request={setPassword}
          onSubmit={(password) => setPassword.send({ password })}
          userInputs={[email]}
          submitLabel="reset_password.set_submit"
        />
      ) : null}
      {step === 'done' ? <DoneStep onRestart={restart} /> : null}
    </Card>
  );
}
