import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'react-redux';
import { MemoryRouter, useLocation } from 'react-router';
import App from '../app/App';
import { setupStore } from '../app/store';

export const CONFIG = {
  csrf_token: 'csrf-1',
  services: {
    authn: '/api/authn/',
    emails: '/api/emails/',
    phones: '/api/phones/',
    jsconfig: '/api/jsconfig/',
    personal_data: '/api/personal-data/',
    security: '/api/security/',
    signup: '/api/signup/',
    reset_password: '/api/reset-password/',
  },
  languages: ['en', 'sv'],
  default_language: 'en',
  password_policy: { min_length: 10, min_score: 3 },
  version: '1.2.3',
};

export const USER = {
  user_id: 'u1',
  given_name: 'Ada',
  surname: 'Lovelace',
  display_name: 'Ada',
  language: 'en',
  emails: [{ email: 'ada@example.org', verified: true, primary: true }],
  phones: [],
};

export const success = (type, payload = {}, meta) => ({
  type: `${type}_SUCCESS`,
  payload,
  ...(meta ? { meta } : {}),
});
export const fail = (type, message, errors, meta) => ({
  type: `${type}_FAIL`,
  error: true,
  payload: { message, ...(errors ? { errors } : {}) },
  ...(meta ? { meta } : {}),
});

function answer(body, status = 200) {
  return { ok: status < 400, status, json: async () => body };
}

/**
 * Replace fetch with a fake service. `routes` maps 'METHOD /url' to an FSA, or to a
 * function (body, call) -> FSA | Promise<FSA>; every call is kept in `fetch.mock.calls`.
 * A route that is not listed answers like nginx would: a 404 FSA.
 */
export function mockApi(routes = {}, { loggedIn = false } = {}) {
  const table = {
    'GET /api/jsconfig/config': success('GET_JSCONFIG_CONFIG', CONFIG),
    'GET /api/authn/session': loggedIn
      ? success('GET_AUTHN_SESSION', { logged_in: true, user_id: 'u1', auth_time: '2025-01-01T00:00:00Z' })
      : success('GET_AUTHN_SESSION', { logged_in: false }),
    'GET /api/personal-data/user': success('GET_PERSONAL_DATA_USER', USER),
    'GET /api/signup/state': success('GET_SIGNUP_STATE', { step: 'register' }),
    ...routes,
  };
  const counts = {};
  const fetchMock = jest.fn(async (url, init = {}) => {
    const key = `${init.method || 'GET'} ${url}`;
    const body = init.body ? JSON.parse(init.body) : undefined;
    let route = table[key];
    counts[key] = (counts[key] || 0) + 1;
    if (Array.isArray(route)) route = route[Math.min(counts[key], route.length) - 1];
    if (route === undefined) return answer({ type: 'GET_FAIL', error: true, payload: { message: 'http.not_found' } }, 404);
    const fsa = typeof route === 'function' ? await route(body, init) : route;
    if (fsa instanceof Error) throw fsa;
    return answer(fsa, fsa.error ? 400 : 200);
  });
  global.fetch = fetchMock;
  return fetchMock;
}

/** The parsed bodies of the calls made to 'METHOD /url'. */
export function callsTo(fetchMock, key) {
  return fetchMock.mock.calls
    .filter(([url, init = {}]) => `${init.method || 'GET'} ${url}` === key)
    .map(([, init]) => (init.body ? JSON.parse(init.body) : undefined));
}

export function LocationProbe() {
  const location = useLocation();
  return (
    <output data-testid="location" hidden>
      {location.pathname}
    </output>
  );
}

/** Render the whole app at `route` in a real store with the sagas running. */
export function renderApp(route = '/', { preloadedState } = {}) {
  const store = setupStore(preloadedState);
  const user = userEvent.setup();
  const utils = render(
    <Provider store={store}>
      <MemoryRouter initialEntries={[route]}>
        <App />
        <LocationProbe />
      </MemoryRouter>
    </Provider>,
  );
  return { store, user, ...utils };
}

/** A promise the test resolves by hand, to look at the UI while a request runs. */
export function deferred() {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
