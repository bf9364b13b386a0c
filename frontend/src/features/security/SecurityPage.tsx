import { Suspense, useState } from 'react';
import { FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppSelector } from '../../app/hooks';
import { Card, Part } from '../../components/Card';
import Form from '../../components/Form';
import Loading from '../../components/Loading';
import NewPasswordForm from '../../components/NewPasswordForm';
import useSuccessCount from '../../components/useSuccessCount';
import { selectUser } from '../personalData/personalDataSlice';
import { Credentials, TwoFactor } from '../mfa/lazy';

function ChangePassword() {
  const user = useAppSelector(selectUser);
  const change = useRequest(api.endpoints.changePassword);
  // Remount the form after a success so both password inputs are emptied.
  const generation = useSuccessCount(change.busy, change.succeeded);
  return (
    <NewPasswordForm
      key={generation}
      request={change}
      onSubmit={(password) => change.send({ new_password: password })}
      userInputs={[user?.given_name, user?.surname, user?.display_name]}
      submitLabel="security.change_password_submit"
    />
  );
}

function Terminate() {
  const terminate = useRequest(api.endpoints.terminate);
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button danger" onClick={() => setConfirming(true)}>
        <FormattedMessage id="security.terminate" />
      </button>
    );
  }
  return (
    <Form
      fields={[]}
      initial={{}}
      request={terminate}
      onSubmit={() => terminate.send()}
      className="confirm"
      aria-labelledby="terminate-confirm"
      submitLabel="security.terminate_yes"
      submitClassName="button danger"
      actions={
        <button type="button" className="button" onClick={() => setConfirming(false)} disabled={terminate.busy}>
          <FormattedMessage id="common.cancel" />
        </button>
      }
    >
      <p id="terminate-confirm" className="warning">
        <FormattedMessage id="security.terminate_confirm" />
      </p>
    </Form>
  );
}

export default function SecurityPage() {
  api.endpoints.credentials.useQuery();
  return (
    <Card title="security.title">
      <Suspense fallback={<Loading />}>
        <Part title="security.credentials_title">
          <Credentials />
        </Part>
        <Part title="security.mfa_title" intro="security.mfa_text">
          <TwoFactor />
        </Part>
        <Part title="security.change_password_title">
          <ChangePassword />
        </Part>
        <Part title="security.terminate_title" intro="security.terminate_text">
          <Terminate />
        </Part>
      </Suspense>
    </Card>
  );
}
