/**
 * The one place that talks HTTP. Every answer of the API is a Flux Standard Action;
 * anything else (network down, an HTML error page) becomes a synthetic
 * `<REQUEST TYPE>_FAIL` with `network.error`, so callers can always dispatch what they get.
 */
import { isFsa, type FailFsa, type Fsa } from './fsa';

export function networkError(type: string): FailFsa {
  return { type: `${type}_FAIL`, error: true, payload: { message: 'network.error' } };
}

export interface ApiCall {
  url: string;
  method: 'GET' | 'POST';
  /** Sent as JSON when not undefined. */
  body?: unknown;
  /** Sent as `X-CSRF-Token` on every method but GET (API.md, "Sessions and CSRF"). */
  csrfToken?: string | null;
  /** The request type (`POST_EMAILS_NEW`) for the synthetic failure. */
  type: string;
}

export async function callApi({ url, method, body, csrfToken, type }: ApiCall): Promise<Fsa> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let parsed: unknown;
  let retryAfter: number | null = null;
  try {
    const response = await fetch(url, init);
    retryAfter = response.status === 429 ? retryAfterSeconds(response.headers.get('Retry-After')) : null;
    parsed = await response.json();
  } catch {
    return networkError(type);
  }
  if (!isFsa(parsed)) return networkError(type);
  // a throttled answer says when to try again (API.md: every 429 has Retry-After): it
  // goes into `meta.retry_after` (seconds), where a page counts down before offering again
  return retryAfter === null ? parsed : { ...parsed, meta: { ...parsed.meta, retry_after: retryAfter } };
}

/** Retry-After in whole seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP date), or null. */
export function retryAfterSeconds(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The URL of a route: the service's base from jsconfig, or the nginx default.
 * jsconfig names the services as the back end does (`personal_data`); the SPA uses
 * their URL form (`personal-data`).
 */
export function serviceUrl(services: Record<string, string> | undefined, service: string, route: string): string {
  let base = services?.[service] || services?.[service.replace(/-/g, '_')] || `/api/${service}/`;
  if (!base.endsWith('/')) base += '/';
  return base + route.replace(/^\/+/, '');
}
