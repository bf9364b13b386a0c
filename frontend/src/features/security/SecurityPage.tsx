import { Suspense } from 'react';
import { FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppSelector } from '../../app/hooks';
import { Card, Part } from '../../components/Card';
import ConfirmAction from '../../components/ConfirmAction';
import Loading from '../../components/Loading';
import NewPasswordForm from '../../components/NewPasswordForm';
import useSuccessCount from '../../components/useSuccessCount';
import { selectUser } from '../personalData/personalDataSlice';
import KnownDevices from './KnownDevices';
import { selectSecurity } from './securitySlice';
import { Credentials, TwoFactor } from '../mfa/lazy';
import { ActivityPart, DataExportPart, SessionsPart } from '../console/SecurityParts';
import { ConnectedApps } from '../oidc/lazy';

function ChangePassword() {
  const user = useAppSelector(selectUser);
  const change = useRequest(api.endpoints.changePassword);
  // Remount the form after a success, or a cancelled re-authentication, so both password
  // inputs are emptied.
  const generation = useSuccessCount(change.busy, change.succeeded);
  const { reauthnCancels } = useAppSelector(selectSecurity);
  return (
    <NewPasswordForm
      key={`${generation}-${reauthnCancels}`}
      request={change}
      onSubmit={(password) => change.send({ new_password: password })}
      userInputs={[user?.given_name, user?.surname, user?.display_name]}
      submitLabel="security.change_password_submit"
    />
  );
}

function Terminate() {
  const terminate = useRequest(api.endpoints.terminate);
  return (
    <ConfirmAction
      request={terminate}
      onConfirm={() => terminate.send()}
      buttonClassName="button danger"
      question={<FormattedMessage id="security.terminate_confirm" />}
      questionId="terminate-confirm"
      confirmLabel="security.terminate_yes"
    >
      <FormattedMessage id="security.terminate" />
    </ConfirmAction>
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
        <SessionsPart />
        <KnownDevices />
        <ActivityPart />
        <DataExportPart />
        <ConnectedApps />
        <Part title="security.terminate_title" intro="security.terminate_text">
          <Terminate />
        </Part>
      </Suspense>
    </Card>
  );
}
