import { useEffect, useRef } from 'react';
import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { isFailFsa } from '../../api/fsa';
import { Card } from '../../components/Card';
import Loading from '../../components/Loading';
import { useApiMessage } from '../../components/Message';
import { consoleApi } from './consoleApi';
import { EventList } from './EventList';

/** The newest page of the timeline, shared with the overview's "Recent activity". */
export function useEvents() {
  return consoleApi.endpoints.eventsPages.useInfiniteQuery();
}

/**
 * The security activity timeline: the user's events newest first, a page at a time
 * ("Show older" follows the `next` cursor). After a page arrives focus moves to its
 * first event, so a keyboard or screen reader user goes on reading where the list grew.
 */
export default function ActivityPage() {
  const translate = useApiMessage();
  const { data, error, isLoading, isError, hasNextPage, fetchNextPage, isFetchingNextPage, refetch } = useEvents();
  const events = data?.pages.flatMap((page) => page.events) ?? [];
  const items = useRef(new Map<number, HTMLLIElement>());
  // the index of the first event of the page "Show older" asked for, until it is shown
  const focusAt = useRef<number | null>(null);

  useEffect(() => {
    if (focusAt.current === null || focusAt.current >= events.length) return;
    items.current.get(focusAt.current)?.focus();
    focusAt.current = null;
  }, [events.length]);

  const showOlder = () => {
    focusAt.current = events.length;
    fetchNextPage();
  };

  let body;
  if (isLoading) body = <Loading />;
  else if (isError && !data) {
    body = (
      <div className="notice error" role="alert">
        <p>{translate(isFailFsa(error) ? error.payload.message : 'notifications.generic_error', 'notifications.generic_error')}</p>
        <button type="button" className="button small" onClick={() => refetch()}>
          <FormattedMessage id="common.retry" />
        </button>
      </div>
    );
  } else if (events.length === 0) {
    body = (
      <p className="empty">
        <FormattedMessage id="activity.empty" />
      </p>
    );
  } else {
    body = (
      <EventList
        events={events}
        labelledBy="activity-list"
        itemRef={(index, node) => {
          if (node) items.current.set(index, node);
          else items.current.delete(index);
        }}
      />
    );
  }

  return (
    <Card title="activity.title">
      <p id="activity-list">
        <FormattedMessage id="activity.intro" />
      </p>
      {body}
      {hasNextPage ? (
        <div className="actions">
          <button type="button" className="button" onClick={showOlder} disabled={isFetchingNextPage} aria-busy={isFetchingNextPage}>
            <FormattedMessage id={isFetchingNextPage ? 'common.loading' : 'activity.show_older'} />
          </button>
        </div>
      ) : events.length > 0 ? (
        <p className="empty">
          <FormattedMessage id="activity.all_shown" />
        </p>
      ) : null}
      <p className="links">
        <Link to="/dashboard/security">
          <FormattedMessage id="activity.back_to_security" />
        </Link>
      </p>
    </Card>
  );
}
