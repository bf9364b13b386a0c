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
  try {
    const response = await fetch(url, init);
    parsed = await response.json();
  } catch {
    return networkError(type);
  }
  return isFsa(parsed) ? parsed : networkError(type);
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
