import { FormattedMessage } from 'react-intl';
import { Navigate, useLocation } from 'react-router';
import { useAppSelector } from '../../app/hooks';
import Loading from '../../components/Loading';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import { selectSession } from '../session/sessionSlice';
import { leave } from './leave';
import { oidcApi, type ConsentShown } from './oidcApi';
import PendingRequest, { useRequestId } from './PendingRequest';
import ScopeList from './ScopeList';

/** What the client asks for, and Approve / Deny. The answer's `redirect_to` (the client's
 * redirect URI with a code, or with `error=access_denied`) is loaded as a page. */
function Consent({ id, shown }: { id: string; shown: ConsentShown }) {
  const [answer, { isLoading, isSuccess }] = oidcApi.endpoints.consentAnswer.useMutation();
  const name = <strong>{shown.client.name}</strong>;
  const send = async (approve: boolean) => {
    try {
      leave((await answer({ id, approve }).unwrap()).redirect_to);
    } catch {
      // the failure is in the mutation's state and the notifications
    }
  };
  return (
    <section className="card narrow consent" aria-labelledby="consent-heading">
      <PageHeading>
        <span id="consent-heading">
          <FormattedMessage id="oidc.consent_title" values={{ name }} />
        </span>
      </PageHeading>
      <p>
        <FormattedMessage id="oidc.consent_intro" values={{ name }} />
      </p>
      <ScopeList scopes={shown.scopes} />
      <p className="hint">
        <FormattedMessage id="oidc.consent_revocable" />
      </p>
      {isSuccess ? (
        <p role="status">
          <FormattedMessage id="oidc.returning" values={{ name: shown.client.name }} />
        </p>
      ) : (
        <div className="actions">
          <SubmitButton type="button" busy={isLoading} onClick={() => send(true)}>
            <FormattedMessage id="oidc.approve" />
          </SubmitButton>
          <button type="button" className="button" disabled={isLoading} onClick={() => send(false)}>
            <FormattedMessage id="oidc.deny" />
          </button>
        </div>
      )}
    </section>
  );
}

/**
 * `/consent?request=<id>` (API.md *oidc*): a relying party that is not first party asks
 * for the user's data. Logged out (the session ended since the authorization request):
 * to the login page, which comes back here.
 */
export default function ConsentPage() {
  const id = useRequestId();
  const location = useLocation();
  const { status } = useAppSelector(selectSession);
  const query = oidcApi.endpoints.consentRequest.useQuery(id, { skip: status !== 'loggedIn' || !id });
  if (status === 'loggedOut') {
    return <Navigate to={`/login?${new URLSearchParams({ next: location.pathname + location.search })}`} replace />;
  }
  if (status !== 'loggedIn') return <Loading />;
  return (
    <PendingRequest id={id} query={query} unknownTitle="oidc.consent_unknown_title" unknownText="oidc.request_unknown">
      {(shown) => <Consent id={id} shown={shown} />}
    </PendingRequest>
  );
}
