import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'react-redux';
import { MemoryRouter, useLocation } from 'react-router';
import type { FailFsa, FieldErrors, Fsa, FsaMeta, SuccessFsa } from '../api/fsa';
import type { PayloadOfRoute, routes } from '../api/routes';
import App from '../app/App';
import { setupStore, type RootState } from '../app/store';

export const CONFIG: PayloadOfRoute<typeof routes.config> = {
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
  phone_default_region: 'SE',
  password_policy: { min_length: 10, max_length: 128, min_score: 3 },
  version: '1.2.3',
};

export const USER = {
  user_id: 'u1',
  given_name: 'Ada',
  surname: 'Lovelace',
  display_name: 'Ada',
  language: 'en',
  emails: [{ email: 'ada@example.org', verified: true, primary: true }],
  phones: [] as { number: string; verified: boolean; primary: boolean }[],
};

export const success = (type: string, payload: object = {}, meta?: FsaMeta): SuccessFsa => ({
  type: `${type}_SUCCESS`,
  payload,
  ...(meta ? { meta } : {}),
});
export const fail = (type: string, message: string, errors?: FieldErrors, meta?: FsaMeta): FailFsa => ({
  type: `${type}_FAIL`,
  error: true,
  payload: { message, ...(errors ? { errors } : {}) },
  ...(meta ? { meta } : {}),
});

type Answer = Fsa | Error;
/** A request body as the fake service sees it (the tests send strings). */
type Body = Record<string, string>;
type Handler = Answer | ((body: Body, init: RequestInit) => Answer | Promise<Answer>);
export type Routes = Record<string, Handler | Handler[]>;

function answer(body: unknown, status = 200): Response {
  return { ok: status < 400, status, json: async () => body } as unknown as Response;
}

/**
 * Replace fetch with a fake service. `routes` maps 'METHOD /url' to an FSA, or to a
 * function (body, init) -> FSA | Promise<FSA> (an Error is thrown, as fetch does when the
 * network is down); a list answers its entries in turn, then its last for ever. Every
 * call is kept in `fetch.mock.calls`. A route that is not listed answers like nginx
 * would: a 404 FSA.
 */
export function mockApi(routes: Routes = {}, { loggedIn = false } = {}): jest.Mock {
  const table: Routes = {
    'GET /api/jsconfig/config': success('GET_JSCONFIG_CONFIG', CONFIG),
    'GET /api/authn/session': loggedIn
      ? success('GET_AUTHN_SESSION', { logged_in: true, user_id: 'u1', auth_time: '2025-01-01T00:00:00Z' })
      : success('GET_AUTHN_SESSION', { logged_in: false }),
    'GET /api/personal-data/user': success('GET_PERSONAL_DATA_USER', USER),
    'GET /api/signup/state': success('GET_SIGNUP_STATE', { step: 'register' }),
    ...routes,
  };
  const counts: Record<string, number> = {};
  const fetchMock = jest.fn(async (url: string, init: RequestInit = {}) => {
    const key = `${init.method || 'GET'} ${url}`;
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    counts[key] = (counts[key] || 0) + 1;
    const entry = table[key];
    const route = Array.isArray(entry) ? entry[Math.min(counts[key], entry.length) - 1] : entry;
    if (route === undefined) return answer({ type: 'GET_FAIL', error: true, payload: { message: 'http.not_found' } }, 404);
    const fsa = typeof route === 'function' ? await route(body as Body, init) : route;
    if (fsa instanceof Error) throw fsa;
    return answer(fsa, fsa.error ? 400 : 200);
  });
  global.fetch = fetchMock as unknown as typeof fetch;
  return fetchMock;
}

/** The parsed bodies of the calls made to 'METHOD /url'. */
export function callsTo(fetchMock: jest.Mock, key: string): unknown[] {
  return (fetchMock.mock.calls as [string, RequestInit | undefined][])
    .filter(([url, init = {}]) => `${init.method || 'GET'} ${url}` === key)
    .map(([, init]) => (init?.body ? JSON.parse(String(init.body)) : undefined));
}

export function LocationProbe() {
  const location = useLocation();
  return (
    <output data-testid="location" hidden>
      {location.pathname}
    </output>
  );
}

/** Render the whole app at `route` in a real store (RTK Query and the saga running). */
export function renderApp(route = '/', { preloadedState }: { preloadedState?: Partial<RootState> } = {}) {
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
export function deferred<T = Fsa>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
