import { useEffect } from 'react';
import { FormattedDate, FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { Part } from '../../components/Card';
import ConfirmAction from '../../components/ConfirmAction';
import Loading from '../../components/Loading';
import useSuccessCount from '../../components/useSuccessCount';
import type { ConnectedApp } from './oidcApi';
import ScopeList from './ScopeList';

function Disconnect({ app }: { app: ConnectedApp }) {
  const revoke = useRequest(api.endpoints.consentsRevoke);
  const name = <strong>{app.name}</strong>;
  return (
    <ConfirmAction
      request={revoke}
      onConfirm={() => revoke.send({ client_id: app.client_id })}
      buttonClassName="button small"
      question={<FormattedMessage id="oidc.disconnect_confirm" values={{ name }} />}
      questionId={`disconnect-${app.client_id}`}
      confirmLabel="oidc.disconnect_yes"
    >
      <FormattedMessage id="oidc.disconnect" />
      <span className="visually-hidden"> {app.name}</span>
    </ConfirmAction>
  );
}

/**
 * The security page's "Connected apps" (API.md *oidc*): the relying parties the user let
 * see their data — what each may see and since when — and Disconnect, which removes the
 * consent and revokes the app's tokens (the app must ask again).
 */
export default function ConnectedApps() {
  const { data, isLoading, refetch } = api.endpoints.consents.useQuery();
  const revoke = useRequest(api.endpoints.consentsRevoke);
  const revoked = useSuccessCount(revoke.busy, revoke.succeeded);
  useEffect(() => {
    if (revoked) refetch();
  }, [revoked, refetch]);
  const apps = data?.consents ?? [];
  return (
    <Part title="oidc.apps_title" intro="oidc.apps_intro">
      {isLoading ? <Loading /> : null}
      {!isLoading && apps.length === 0 ? (
        <p className="empty">
          <FormattedMessage id="oidc.apps_none" />
        </p>
      ) : null}
      {apps.length ? (
        <ul className="connected-apps">
          {apps.map((app) => (
            <li key={app.client_id} aria-labelledby={`app-${app.client_id}`}>
              <h3 id={`app-${app.client_id}`}>{app.name}</h3>
              <p className="secondary">
                <FormattedMessage
                  id="oidc.apps_granted"
                  values={{ date: <FormattedDate value={app.granted_at} dateStyle="medium" timeStyle="short" /> }}
                />
              </p>
              <ScopeList scopes={app.scopes} />
              <Disconnect app={app} />
            </li>
          ))}
        </ul>
      ) : null}
    </Part>
  );
}
