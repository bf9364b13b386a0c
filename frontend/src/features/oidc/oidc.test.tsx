import { screen, waitFor, within } from '@testing-library/react';
import { axe } from 'jest-axe';
import { callsTo, fail, mockApi, renderApp, success } from '../../test/utils';
import { leave } from './leave';

// jsdom cannot load another page: where the SPA would go is what `leave` was told
jest.mock('./leave', () => ({ leave: jest.fn() }));
const left = leave as jest.Mock;

const location = () => screen.getByTestId('location').textContent;
// pages load lazily (their chunks): on a busy machine a route change can take seconds
const SLOW = { timeout: 15000 };
const AUTHORIZE = '/api/oidc/authorize?response_type=code&client_id=demo-third-party&state=s';
const LOGGED_IN = { logged_in: true, mfa_required: false, methods: [], user_id: 'u1', csrf_token: 'c3', auth_time: '2026-01-01T00:00:01Z' };
const CONSENT = { client: { client_id: 'demo-third-party', name: 'Demo third party' }, scopes: ['openid', 'email', 'offline_access'] };
const SESSION_OUT = success('GET_AUTHN_SESSION', { logged_in: false });
const SESSION_IN = success('GET_AUTHN_SESSION', { logged_in: true, user_id: 'u1', auth_time: '2026-01-01T00:00:00Z' });

async function logIn(user: ReturnType<typeof renderApp>['user']) {
  await user.type(await screen.findByLabelText('Email address'), 'ada@example.org');
  await user.type(screen.getByLabelText('Password'), 'secret words');
  await user.click(screen.getByRole('button', { name: 'Log in' }));
}

beforeEach(() => jest.clearAllMocks());

describe('login goes on to next', () => {
  it('loads the authorization endpoint as a page after the password', async () => {
    mockApi({
      'GET /api/authn/session': [SESSION_OUT, SESSION_IN],
      'POST /api/authn/login': success('POST_AUTHN_LOGIN', LOGGED_IN),
    });
    const { user } = renderApp(`/login?next=${encodeURIComponent(AUTHORIZE)}`);
    await logIn(user);
    await waitFor(() => expect(left).toHaveBeenCalledWith(AUTHORIZE), SLOW);
  });

  it('routes to an SPA page at once when already logged in', async () => {
    mockApi({ 'GET /api/oidc/consent/r1': success('GET_OIDC_CONSENT', CONSENT) }, { loggedIn: true });
    renderApp(`/login?next=${encodeURIComponent('/consent?request=r1')}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Allow Demo third party to use your Tessera account?' }, SLOW)).toBeInTheDocument();
    expect(location()).toBe('/consent');
    expect(left).not.toHaveBeenCalled();
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/api/security/terminate'])(
    'goes to the dashboard instead of %j',
    async (next) => {
      mockApi({}, { loggedIn: true });
      renderApp(`/login?next=${encodeURIComponent(next)}`);
      await waitFor(() => expect(location()).toBe('/dashboard'), SLOW);
      expect(left).not.toHaveBeenCalled();
    },
  );

  it('asks a logged-in browser to log in again when the provider says reauthn', async () => {
    const api = mockApi(
      { 'POST /api/authn/login': success('POST_AUTHN_LOGIN', LOGGED_IN) },
      { loggedIn: true },
    );
    const { user } = renderApp(`/login?next=${encodeURIComponent(AUTHORIZE)}&reauthn=mfa`);
    expect(await screen.findByText(/asks for a login with your second factor/, undefined, SLOW)).toBeInTheDocument();
    expect(left).not.toHaveBeenCalled();
    await logIn(user);
    await waitFor(() => expect(left).toHaveBeenCalledWith(AUTHORIZE), SLOW);
    expect(callsTo(api, 'POST /api/authn/login')).toHaveLength(1);
  });
});

describe('consent', () => {
  it('shows the client and what it asks for, and approves', async () => {
    const api = mockApi(
      {
        'GET /api/oidc/consent/r1': success('GET_OIDC_CONSENT', CONSENT),
        'POST /api/oidc/consent/r1': success('POST_OIDC_CONSENT', { redirect_to: 'http://127.0.0.1:8090/callback?code=c&state=s' }),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/consent?request=r1');
    await screen.findByRole('heading', { level: 1, name: 'Allow Demo third party to use your Tessera account?' }, SLOW);
    const list = screen.getByRole('list');
    expect(within(list).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Know who you are: a permanent identifier of your Tessera account',
      'See your primary email address and whether it is verified',
      'Keep access while you are not signed in, until you disconnect it',
    ]);
    expect(await axe(container)).toHaveNoViolations();
    await user.click(screen.getByRole('button', { name: 'Allow' }));
    await waitFor(() => expect(left).toHaveBeenCalledWith('http://127.0.0.1:8090/callback?code=c&state=s'), SLOW);
    expect(callsTo(api, 'POST /api/oidc/consent/r1')).toEqual([{ approve: true }]);
    expect(screen.getByText('Returning to Demo third party…')).toBeInTheDocument();
  });

  it('denies', async () => {
    const api = mockApi(
      {
        'GET /api/oidc/consent/r1': success('GET_OIDC_CONSENT', CONSENT),
        'POST /api/oidc/consent/r1': success('POST_OIDC_CONSENT', { redirect_to: 'http://127.0.0.1:8090/callback?error=access_denied' }),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/consent?request=r1');
    await user.click(await screen.findByRole('button', { name: 'Deny' }, SLOW));
    await waitFor(() => expect(left).toHaveBeenCalledWith('http://127.0.0.1:8090/callback?error=access_denied'), SLOW);
    expect(callsTo(api, 'POST /api/oidc/consent/r1')).toEqual([{ approve: false }]);
  });

  it('says so when the request expired', async () => {
    mockApi({ 'GET /api/oidc/consent/old': fail('GET_OIDC_CONSENT', 'oidc.request_unknown') }, { loggedIn: true });
    renderApp('/consent?request=old');
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign-in request not found' }, SLOW)).toBeInTheDocument();
    expect(screen.getAllByText('That sign-in request has expired or was already answered.').length).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: 'Allow' })).toBeNull();
  });

  it('sends a logged-out visitor to log in, and back to the consent', async () => {
    mockApi({
      'GET /api/authn/session': [SESSION_OUT, SESSION_IN],
      'POST /api/authn/login': success('POST_AUTHN_LOGIN', LOGGED_IN),
      'GET /api/oidc/consent/r1': success('GET_OIDC_CONSENT', CONSENT),
    });
    const { user } = renderApp('/consent?request=r1');
    await waitFor(() => expect(location()).toBe('/login'), SLOW);
    await logIn(user);
    expect(await screen.findByRole('button', { name: 'Allow' }, SLOW)).toBeInTheDocument();
    expect(location()).toBe('/consent');
  });
});

describe('logout confirmation', () => {
  const LOGOUT = { client: { client_id: 'demo-rp', name: 'Tessera demo' } };

  it.each([
    ['Sign out', true, 'http://127.0.0.1:8090/?state=bye'],
    ['Stay signed in', false, 'http://127.0.0.1:8090/?state=bye'],
  ])('%s', async (button, confirm, target) => {
    const api = mockApi(
      {
        'GET /api/oidc/logout/q1': success('GET_OIDC_LOGOUT', LOGOUT),
        'POST /api/oidc/logout/q1': success('POST_OIDC_LOGOUT', { redirect_to: target }),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/logout?request=q1');
    await screen.findByRole('heading', { level: 1, name: 'Sign out of Tessera?' }, SLOW);
    expect(screen.getByText(/has signed you out/)).toHaveTextContent('Tessera demo has signed you out.');
    expect(await axe(container)).toHaveNoViolations();
    await user.click(screen.getByRole('button', { name: button }));
    await waitFor(() => expect(left).toHaveBeenCalledWith(target), SLOW);
    expect(callsTo(api, 'POST /api/oidc/logout/q1')).toEqual([{ confirm }]);
  });

  it('has nothing to ask a browser that is signed out', async () => {
    const api = mockApi({});
    renderApp('/logout?request=q1');
    expect(await screen.findByRole('heading', { level: 1, name: 'You are signed out' }, SLOW)).toBeInTheDocument();
    expect(callsTo(api, 'GET /api/oidc/logout/q1')).toEqual([]);
  });
});

describe('connected apps', () => {
  it('lists the apps and disconnects one after confirmation', async () => {
    const app = { client_id: 'demo-third-party', name: 'Demo third party', scopes: ['openid', 'email'], granted_at: '2026-11-30T10:00:00Z' };
    const api = mockApi(
      {
        'GET /api/oidc/consents': [success('GET_OIDC_CONSENTS', { consents: [app] }), success('GET_OIDC_CONSENTS', { consents: [] })],
        'POST /api/oidc/consents/revoke': success('POST_OIDC_CONSENTS_REVOKE', { consents: [] }),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/security');
    const item = await screen.findByRole('listitem', { name: 'Demo third party' }, SLOW);
    expect(within(item).getByText('See your primary email address and whether it is verified')).toBeInTheDocument();
    await user.click(within(item).getByRole('button', { name: 'Disconnect Demo third party' }));
    expect(within(item).getByText(/loses access to your data/)).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/oidc/consents/revoke')).toEqual([]);
    await user.click(within(item).getByRole('button', { name: 'Disconnect' }));
    expect(await screen.findByText('No apps are connected to your account.', undefined, SLOW)).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/oidc/consents/revoke')).toEqual([{ client_id: 'demo-third-party' }]);
    expect(screen.getByText('The app was disconnected.')).toBeInTheDocument();
  });
});
