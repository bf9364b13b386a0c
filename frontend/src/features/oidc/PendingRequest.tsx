import type { ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import { Link, useSearchParams } from 'react-router';
import { isFailFsa } from '../../api/fsa';
import { Card } from '../../components/Card';
import Loading from '../../components/Loading';

/** The id of the request a page answers (`?request=`), or '' when the address has none. */
export function useRequestId(): string {
  const [params] = useSearchParams();
  return params.get('request') ?? '';
}

interface Props<T> {
  /** The request's id (empty: the address named none). */
  id: string;
  /** The GET of the request: its data, or its failure (a FAIL FSA). */
  query: { data?: T; error?: unknown; isLoading: boolean; isFetching: boolean };
  /** The page's title when the request cannot be shown, and what to say when the service
   * said nothing (no id in the address); otherwise its message (`oidc.request_unknown`…). */
  unknownTitle: string;
  unknownText: string;
  children: (data: T) => ReactNode;
}

/**
 * A page about a request the back end keeps for the user's answer (a consent, a logout):
 * a spinner while it is read, a clear message when it is unknown, expired or answered
 * already (404) or cannot be read, else `children` with its data.
 */
export default function PendingRequest<T>({ id, query, unknownTitle, unknownText, children }: Props<T>) {
  if (id && (query.isLoading || (query.isFetching && !query.data))) return <Loading />;
  if (!id || query.error || !query.data) {
    const message = isFailFsa(query.error) ? query.error.payload.message : null;
    return (
      <Card title={unknownTitle} narrow>
        <p className="notice error" role="alert">
          <FormattedMessage id={message ?? unknownText} />
        </p>
        <p className="links">
          <Link to="/dashboard">
            <FormattedMessage id="oidc.to_dashboard" />
          </Link>
        </p>
      </Card>
    );
  }
  return <>{children(query.data)}</>;
}
