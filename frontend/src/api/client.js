/**
 * The one place that talks HTTP. Every answer of the API is a Flux Standard Action;
 * anything else (network down, an HTML error page) becomes a synthetic
 * `<REQUEST TYPE>_FAIL` so callers can always dispatch what they get.
 */
export function networkError(type) {
  return { type: `${type}_FAIL`, error: true, payload: { message: 'network.error' } };
}

function isFsa(body) {
  return body !== null && typeof body === 'object' && typeof body.type === 'string';
}

export async function callApi({ url, method, body, csrfToken, type }) {
  const headers = { Accept: 'application/json' };
  const init = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    return networkError(type);
  }
  let parsed;
  try {
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
export function serviceUrl(services, service, route) {
  let base = (services && (services[service] || services[service.replace(/-/g, '_')])) || `/api/${service}/`;
  if (!base.endsWith('/')) base += '/';
  return base + route.replace(/^\/+/, '');
}
