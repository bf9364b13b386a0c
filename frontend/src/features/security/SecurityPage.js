import { useEffect, useState } from 'react';
import { FormattedDate, FormattedMessage, useIntl } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import { apiRequest } from '../../api/actions';
import Form from '../../components/Form';
import Loading from '../../components/Loading';
import NewPasswordForm from '../../components/NewPasswordForm';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import useRequest from '../../components/useRequest';
import { selectUser } from '../personalData/personalDataSlice';
import { selectSecurity } from './securitySlice';

function When({ value }) {
  if (!value) return <FormattedMessage id="security.never" />;
  return <FormattedDate value={value} dateStyle="medium" timeStyle="short" />;
}

function Credentials() {
  const { credentials, credentialsLoaded } = useSelector(selectSecurity);
  if (!credentialsLoaded) return <Loading />;
  return (
    <table className="credentials">
      <thead>
        <tr>
          <th scope="col">
            <FormattedMessage id="security.credential" />
          </th>
          <th scope="col">
            <FormattedMessage id="security.created" />
          </th>
          <th scope="col">
            <FormattedMessage id="security.last_used" />
          </th>
        </tr>
      </thead>
      <tbody>
        {credentials.map((credential, index) => (
          <tr key={credential.credential_id || index}>
            <th scope="row">
              <FormattedMessage id={credential.type === 'password' ? 'security.password' : 'security.credential'} />
            </th>
            <td>
              <When value={credential.created} />
            </td>
            <td>
              <When value={credential.last_used} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ChangePassword() {
  const intl = useIntl();
  const user = useSelector(selectUser);
  const { send, busy, errors, failed } = useRequest('POST', 'security', 'change-password');
  // Remount the form after a success so both password inputs are emptied.
  const [generation, setGeneration] = useState(0);
  const [wasBusy, setWasBusy] = useState(false);
  useEffect(() => {
    if (wasBusy && !busy && !failed) setGeneration((g) => g + 1);
    setWasBusy(busy);
  }, [busy, failed, wasBusy]);
  return (
    <NewPasswordForm
      key={generation}
      field="new_password"
      busy={busy}
      errors={errors}
      onSubmit={send}
      userInputs={[user?.given_name, user?.surname, user?.display_name]}
      submitLabel={intl.formatMessage({ id: 'security.change_password_submit' })}
    />
  );
}

function Terminate() {
  const { send, busy, errors } = useRequest('POST', 'security', 'terminate');
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button danger" onClick={() => setConfirming(true)}>
        <FormattedMessage id="security.terminate" />
      </button>
    );
  }
  return (
    <Form busy={busy} errors={errors} onSubmit={() => send()} className="confirm" aria-labelledby="terminate-confirm">
      <p id="terminate-confirm" className="warning">
        <FormattedMessage id="security.terminate_confirm" />
      </p>
      <div className="actions">
        <SubmitButton busy={busy} className="button danger">
          <FormattedMessage id="security.terminate_yes" />
        </SubmitButton>
        <button type="button" className="button" onClick={() => setConfirming(false)} disabled={busy}>
          <FormattedMessage id="common.cancel" />
        </button>
      </div>
    </Form>
  );
}

export default function SecurityPage() {
  const dispatch = useDispatch();
  useEffect(() => {
    dispatch(apiRequest({ service: 'security', route: 'credentials' }));
  }, [dispatch]);
  return (
    <section className="card">
      <PageHeading>
        <FormattedMessage id="security.title" />
      </PageHeading>
      <h2>
        <FormattedMessage id="security.credentials_title" />
      </h2>
      <Credentials />
      <h2>
        <FormattedMessage id="security.change_password_title" />
      </h2>
      <ChangePassword />
      <h2>
        <FormattedMessage id="security.terminate_title" />
      </h2>
      <p>
        <FormattedMessage id="security.terminate_text" />
      </p>
      <Terminate />
    </section>
  );
}
