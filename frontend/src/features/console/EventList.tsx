import type { Ref } from 'react';
import { useIntl } from 'react-intl';
import type { SecurityEvent } from './consoleApi';
import { eventSentence } from './eventText';
import { useAppSelector } from '../../app/hooks';
import { selectPhones } from '../phones/phonesSlice';
import { dateLocale, formatMoment, phoneDisplay } from './format';

/** The types a user should look at twice: someone tried and failed. */
const ATTEMPTS = new Set(['login_failed', 'mfa_failed']);

/**
 * One event: its sentence, then when (in the user's locale and time zone), with which
 * browser and from which address. Focusable, so "Show older" can move focus to the first
 * event it brought.
 */
export function EventItem({ event, ref }: { event: SecurityEvent; ref?: Ref<HTMLLIElement> }) {
  const intl = useIntl();
  const phones = useAppSelector(selectPhones).items;
  const { id, values } = eventSentence(event, (number) => phoneDisplay(number, phones));
  const where = [event.user_agent, event.ip].filter(Boolean).join(' · ');
  return (
    <li ref={ref} tabIndex={-1} className={ATTEMPTS.has(event.type) ? 'event attempt' : 'event'}>
      <span className="event-text">{intl.formatMessage({ id }, values)}</span>
      <span className="event-meta">
        <time dateTime={event.at}>{formatMoment(event.at, dateLocale(intl.locale))}</time>
        {where ? <span className="event-where"> · {where}</span> : null}
      </span>
    </li>
  );
}

/** Events newest first, as an ordered list labelled by `labelledBy` (a heading's id). */
export function EventList({
  events,
  labelledBy,
  itemRef,
}: {
  events: SecurityEvent[];
  labelledBy: string;
  /** Receives the item at each index (the activity page focuses the first of a new page). */
  itemRef?: (index: number, node: HTMLLIElement | null) => void;
}) {
  return (
    <ol className="events" aria-labelledby={labelledBy}>
      {events.map((event, index) => (
        <EventItem key={event.id} event={event} ref={itemRef ? (node) => itemRef(index, node) : undefined} />
      ))}
    </ol>
  );
}
