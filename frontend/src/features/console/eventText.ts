/**
 * One human sentence per security event: the message id and its values. The log stores
 * data (API.md *security*, `GET /api/security/events`: `{type, details}`), not words; the
 * SPA words each type in the user's language (translations `activity.<type>`, ICU
 * `select`/`plural` on the details).
 */

/** The event types of the contract (API.md, `GET /api/security/events`), plus the new-browser alert's. */
export const EVENT_TYPES = [
  'login',
  'login_failed',
  'mfa_failed',
  'logout',
  'password_changed',
  'password_reset',
  'email_added',
  'email_verified',
  'email_removed',
  'primary_email_changed',
  'phone_added',
  'phone_verified',
  'phone_removed',
  'credential_added',
  'credential_removed',
  'recovery_codes_generated',
  'session_revoked',
  'consent_granted',
  'consent_revoked',
  'data_exported',
  'new_device_login',
  'device_forgotten',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventSentence {
  id: string;
  values: Record<string, string | number>;
}

const isKnown = (type: string): type is EventType => (EVENT_TYPES as readonly string[]).includes(type);

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The ICU `select` key of a second factor in `credential_*` details: `totp`, `passkey` or `key`. */
function factorKind(details: Record<string, unknown>): string {
  if (details.type === 'totp') return 'totp';
  return details.passkey === true ? 'passkey' : 'key';
}

/**
 * The sentence of `event`: `{id: 'activity.<type>', values}`; a type this SPA does not know
 * (a newer back end) says `activity.unknown` with the type, never nothing.
 * `formatPhone` formats a phone number of the details for display (E.164 as it comes).
 */
export function eventSentence(
  event: { type: string; details?: Record<string, unknown> | null },
  formatPhone: (number: string) => string = (number) => number,
): EventSentence {
  const details = event.details ?? {};
  if (!isKnown(event.type)) return { id: 'activity.unknown', values: { type: event.type } };
  const id = `activity.${event.type}`;
  switch (event.type) {
    case 'login':
    case 'mfa_failed':
      return { id, values: { method: text(details.method) || 'password' } };
    case 'email_added':
    case 'email_verified':
    case 'email_removed':
    case 'primary_email_changed':
      return { id, values: { email: text(details.email) } };
    case 'phone_added':
    case 'phone_verified':
    case 'phone_removed':
      return { id, values: { number: formatPhone(text(details.number)) } };
    case 'credential_added':
    case 'credential_removed': {
      const name = text(details.name);
      return {
        id,
        values: { kind: factorKind(details), named: name ? 'yes' : 'no', name, last: details.last === true ? 'yes' : 'no' },
      };
    }
    case 'session_revoked':
      return { id, values: { count: typeof details.count === 'number' ? details.count : 1 } };
    case 'consent_granted':
    case 'consent_revoked':
      return { id, values: { client: text(details.client_id) } };
    default:
      return { id, values: {} };
  }
}
