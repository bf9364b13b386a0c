import type { ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { dateLocale, formatMoment } from './format';

/** A moment (ISO 8601) in the reader's locale and time zone, or "unknown" when absent. */
export function When({ value }: { value: string | null | undefined }) {
  const intl = useIntl();
  if (!value) return <FormattedMessage id="sessions.unknown_time" />;
  return <time dateTime={value}>{formatMoment(value, dateLocale(intl.locale))}</time>;
}

/**
 * One browser in a list of the user's browsers — a session, or a known device: its label
 * ("Firefox on Linux"), "This browser" when it is the one in use, a line of `details`,
 * and the entry's actions (`children`). One shape for both lists, so they read alike.
 */
export default function BrowserEntry({
  label,
  current,
  details,
  children,
}: {
  label: string;
  current: boolean;
  details: ReactNode;
  children?: ReactNode;
}) {
  return (
    <li className="session">
      <div className="session-main">
        <span className="session-browser">{label}</span>
        {current ? (
          <span className="badges">
            <span className="badge primary">
              <FormattedMessage id="sessions.this_browser" />
            </span>
          </span>
        ) : null}
        <span className="session-meta">{details}</span>
      </div>
      {children}
    </li>
  );
}
