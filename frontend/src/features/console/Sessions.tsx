import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppSelector } from '../../app/hooks';
import ConfirmAction from '../../components/ConfirmAction';
import Loading from '../../components/Loading';
import BrowserEntry, { When } from './BrowserEntry';
import { selectSessions, type UserSession } from './sessionsSlice';

const hidden = (chunks: ReactNode[]) => <span className="visually-hidden">{chunks}</span>;

/** "Chrome on Linux", or "Unknown browser" for a client that sent no User-Agent. */
function useBrowserLabel() {
  const intl = useIntl();
  return (session: UserSession) => session.user_agent || intl.formatMessage({ id: 'sessions.unknown_browser' });
}

/** Sign out one other session, after the user confirmed it. */
function Revoke({ session, label }: { session: UserSession; label: string }) {
  const revoke = useRequest(api.endpoints.sessionsRevoke);
  return (
    <ConfirmAction
      request={revoke}
      onConfirm={() => revoke.send({ id: session.id })}
      buttonClassName="button small"
      question={<FormattedMessage id="sessions.revoke_confirm" values={{ browser: label, ip: session.ip || '–' }} />}
      questionId={`revoke-session-${session.id}`}
      confirmLabel="sessions.revoke_yes"
    >
      <FormattedMessage id="sessions.revoke" values={{ browser: label, hidden }} />
    </ConfirmAction>
  );
}

function RevokeOthers() {
  const revokeOthers = useRequest(api.endpoints.sessionsRevokeOthers);
  return (
    <ConfirmAction
      request={revokeOthers}
      onConfirm={() => revokeOthers.send()}
      buttonClassName="button"
      question={<FormattedMessage id="sessions.revoke_others_confirm" />}
      questionId="revoke-other-sessions"
      confirmLabel="sessions.revoke_others_yes"
    >
      <FormattedMessage id="sessions.revoke_others" />
    </ConfirmAction>
  );
}

/**
 * Where the user is signed in: each live session with its browser ("Chrome on Linux"),
 * address, when it signed in and was last active, this browser marked; every other one
 * can be signed out, or all of them at once. The list is read whenever it is shown.
 * When a row goes away its button goes with it: focus then moves to the list.
 */
export default function Sessions() {
  api.endpoints.sessions.useQuery();
  const { items, loaded } = useAppSelector(selectSessions);
  const browser = useBrowserLabel();
  const list = useRef<HTMLUListElement>(null);
  const shown = useRef(items.length);

  // a layout effect: it runs as the row leaves the DOM, so focus never rests on the body
  // (Preact runs plain effects only after the next frame)
  useLayoutEffect(() => {
    const fewer = items.length < shown.current;
    shown.current = items.length;
    const active = document.activeElement;
    if (fewer && (!active || active === document.body)) list.current?.focus();
  }, [items.length]);

  if (!loaded) return <Loading />;
  const others = items.filter((session) => !session.current);
  return (
    <>
      <ul className="sessions" ref={list} tabIndex={-1} aria-labelledby="sessions-title">
        {items.map((session) => (
          <BrowserEntry
            key={session.id}
            label={browser(session)}
            current={session.current}
            details={
              <FormattedMessage
                id="sessions.details"
                values={{
                  created: <When value={session.created} />,
                  seen: <When value={session.last_seen} />,
                  ip: session.ip || '–',
                }}
              />
            }
          >
            {session.current ? null : <Revoke session={session} label={browser(session)} />}
          </BrowserEntry>
        ))}
      </ul>
      {others.length > 0 ? (
        <div className="actions">
          <RevokeOthers />
        </div>
      ) : (
        <p className="empty">
          <FormattedMessage id="sessions.only_this" />
        </p>
      )}
    </>
  );
}
