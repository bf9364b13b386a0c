import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import Loading from '../../components/Loading';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import { selectSession } from '../session/sessionSlice';
import { leave } from './leave';
import { oidcApi, type LogoutShown } from './oidcApi';
import PendingRequest, { useRequestId } from './PendingRequest';

/** "Sign out of Tessera?" — Sign out / Stay signed in; then the page the answer names. */
function Logout({ id, shown }: { id: string; shown: LogoutShown }) {
  const [answer, { isLoading, isSuccess }] = oidcApi.endpoints.logoutAnswer.useMutation();
  const client = shown.client && 'name' in shown.client ? (shown.client as { name: string }) : null;
  const send = async (confirm: boolean) => {
    try {
      leave((await answer({ id, confirm }).unwrap()).redirect_to);
    } catch {
      // the failure is in the mutation's state and the notifications
    }
  };
  return (
    <section className="card narrow" aria-labelledby="logout-heading">
      <PageHeading>
        <span id="logout-heading">
          <FormattedMessage id="oidc.logout_title" />
        </span>
      </PageHeading>
      <p>
        {client ? (
          <FormattedMessage id="oidc.logout_intro_client" values={{ name: <strong>{client.name}</strong> }} />
        ) : (
          <FormattedMessage id="oidc.logout_intro" />
        )}
      </p>
      {isSuccess ? (
        <p role="status">
          <FormattedMessage id="common.busy" />
        </p>
      ) : (
        <div className="actions">
          <SubmitButton type="button" busy={isLoading} onClick={() => send(true)}>
            <FormattedMessage id="oidc.logout_confirm" />
          </SubmitButton>
          <button type="button" className="button" disabled={isLoading} onClick={() => send(false)}>
            <FormattedMessage id="oidc.logout_stay" />
          </button>
        </div>
      )}
    </section>
  );
}

/**
 * `/logout?request=<id>`: a relying party's sign-out (RP-Initiated Logout 1.0) asks the
 * user before the Tessera session ends. A browser that is no longer logged in has
 * nothing to end.
 */
export default function LogoutPage() {
  const id = useRequestId();
  const { status } = useAppSelector(selectSession);
  const query = oidcApi.endpoints.logoutRequest.useQuery(id, { skip: status !== 'loggedIn' || !id });
  if (status === 'loggedOut') {
    return (
      <Card title="oidc.logged_out_title" narrow>
        <p role="status">
          <FormattedMessage id="oidc.logged_out_text" />
        </p>
        <p className="links">
          <Link to="/login">
            <FormattedMessage id="login.title" />
          </Link>
        </p>
      </Card>
    );
  }
  if (status !== 'loggedIn') return <Loading />;
  return (
    <PendingRequest id={id} query={query} unknownTitle="oidc.logout_unknown_title" unknownText="oidc.logout_unknown">
      {(shown) => <Logout id={id} shown={shown} />}
    </PendingRequest>
  );
}
