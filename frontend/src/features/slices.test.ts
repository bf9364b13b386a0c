import type { UnknownAction } from '@reduxjs/toolkit';
import { api } from '../api/api';
import { rootReducer, setupStore, type RootState } from '../app/store';
import { deferred, mockApi, success } from '../test/utils';

/** The state after the answers `actions` (as the services send them) from `state` or the start. */
const reduce = (actions: UnknownAction[], state?: RootState): RootState =>
  actions.reduce(rootReducer, state || rootReducer(undefined, { type: '@@init' }));

describe('config slice', () => {
  it('reads jsconfig', () => {
    // a browser with no language of ours: the deployment's default_language applies
    jest.spyOn(navigator, 'languages', 'get').mockReturnValue(['fi-FI']);
    const state = reduce([
      {
        type: 'GET_JSCONFIG_CONFIG_SUCCESS',
        payload: {
          csrf_token: 't1',
          services: { emails: '/api/emails/' },
          languages: ['en', 'sv'],
          default_language: 'sv',
          password_policy: { min_length: 12, min_score: 4 },
          phone_default_region: 'NO',
          version: '2.0',
        },
      },
    ]);
    expect(state.config).toMatchObject({
      loaded: true,
      csrfToken: 't1',
      services: { emails: '/api/emails/' },
      passwordPolicy: { min_length: 12, min_score: 4 },
      phoneDefaultRegion: 'NO',
      version: '2.0',
    });
    expect(state.language.current).toBe('sv');
  });

  it('takes the rotated token from login, logout and signup answers', () => {
    const state = reduce([
      { type: 'GET_JSCONFIG_CONFIG_SUCCESS', payload: { csrf_token: 't1' } },
      { type: 'POST_AUTHN_LOGIN_SUCCESS', payload: { csrf_token: 't2' } },
      { type: 'POST_EMAILS_NEW_FAIL', error: true, payload: { message: 'request.invalid' } },
    ]);
    expect(state.config.csrfToken).toBe('t2');
    expect(reduce([{ type: 'POST_AUTHN_LOGOUT_SUCCESS', payload: { csrf_token: 't3' } }], state).config.csrfToken).toBe('t3');
  });
});

describe('session slice', () => {
  it('follows login, logout and authn.required', () => {
    let state = reduce([{ type: 'GET_AUTHN_SESSION_SUCCESS', payload: { logged_in: false } }]);
    expect(state.session.status).toBe('loggedOut');
    state = reduce([{ type: 'POST_AUTHN_LOGIN_SUCCESS', payload: {} }], state);
    expect(state.session.status).toBe('loggedIn');
    state = reduce([{ type: 'GET_EMAILS_ALL_FAIL', error: true, payload: { message: 'authn.required' } }], state);
    expect(state.session.status).toBe('loggedOut');
  });

  it('forgets the user data on logout', () => {
    const state = reduce([
      { type: 'GET_AUTHN_SESSION_SUCCESS', payload: { logged_in: true, user_id: 'u1' } },
      { type: 'GET_PERSONAL_DATA_USER_SUCCESS', payload: { given_name: 'Ada' } },
      { type: 'GET_EMAILS_ALL_SUCCESS', payload: { emails: [{ email: 'a@b.se', verified: true, primary: true }] } },
      { type: 'POST_AUTHN_LOGOUT_SUCCESS', payload: {} },
    ]);
    expect(state.personalData.user).toBeNull();
    expect(state.emails.items).toEqual([]);
  });
});

describe('notifications slice', () => {
  it('keeps the message key of errors and of successes', () => {
    const state = reduce([
      { type: 'POST_AUTHN_LOGIN_FAIL', error: true, payload: { message: 'authn.invalid_credentials' } },
      { type: 'POST_EMAILS_PRIMARY_SUCCESS', payload: { message: 'emails.primary_changed_by_server' } },
    ]);
    expect(state.notifications.items.map(({ level, message }) => [level, message])).toEqual([
      ['error', 'authn.invalid_credentials'],
      ['success', 'emails.primary_changed_by_server'],
    ]);
  });

  it('says something after a success without a message, and nothing for a reauthentication request', () => {
    const state = reduce([
      { type: 'POST_EMAILS_REMOVE_SUCCESS', payload: { emails: [] } },
      {
        type: 'POST_SECURITY_TERMINATE_FAIL',
        error: true,
        payload: { message: 'authn.reauthn_required' },
        meta: { reauthn_required: true },
      },
      { type: 'GET_EMAILS_ALL_SUCCESS', payload: { emails: [] } },
    ]);
    expect(state.notifications.items.map((item) => item.message)).toEqual(['emails.removed']);
  });

  it('clears when the user starts a new action (a POST), not when data is read', async () => {
    const login = deferred();
    const emails = deferred();
    mockApi({ 'POST /api/authn/login': () => login.promise, 'GET /api/emails/all': () => emails.promise });
    const store = setupStore(reduce([{ type: 'POST_AUTHN_LOGIN_FAIL', error: true, payload: { message: 'authn.invalid_credentials' } }]));
    const read = store.dispatch(api.endpoints.emailsAll.initiate());
    expect(store.getState().notifications.items).toHaveLength(1);
    const sent = store.dispatch(api.endpoints.login.initiate({ email: 'a@b.se', password: 'x' }));
    expect(store.getState().notifications.items).toEqual([]);
    login.resolve(success('POST_AUTHN_LOGIN', { csrf_token: 't' }));
    emails.resolve(success('GET_EMAILS_ALL', { emails: [] }));
    await sent;
    await read;
    read.unsubscribe();
  });
});

describe('phones slice', () => {
  it('opens the code form for the number the service normalised', () => {
    const state = reduce([
      { type: 'GET_PHONES_ALL_SUCCESS', payload: { phones: [{ number: '+46701111111', verified: true, primary: true }] } },
      { type: 'POST_PHONES_NEW_SUCCESS', payload: {} },
      {
        type: 'GET_PHONES_ALL_SUCCESS',
        payload: {
          phones: [
            { number: '+46701111111', verified: true, primary: true },
            { number: '+46702222222', verified: false, primary: false },
          ],
        },
      },
    ]);
    expect(state.phones.verifying).toBe('+46702222222');
    expect(reduce([{ type: 'POST_PHONES_VERIFY_SUCCESS', payload: {} }], state).phones.verifying).toBeNull();
  });

  it('ignores a payload that is not a list of numbers', () => {
    const state = reduce([{ type: 'GET_PHONES_ALL_SUCCESS', payload: { phones: 'nope' } }]);
    expect(state.phones.loaded).toBe(false);
  });
});

describe('signup slice', () => {
  it('walks register → code → password → done', () => {
    let state = reduce([{ type: 'POST_SIGNUP_REGISTER_SUCCESS', payload: {} }]);
    expect(state.signup.step).toBe('code');
    state = reduce([{ type: 'POST_SIGNUP_VERIFY_FAIL', error: true, payload: { message: 'signup.code_invalid' } }], state);
    expect(state.signup.step).toBe('code');
    state = reduce([{ type: 'POST_SIGNUP_VERIFY_SUCCESS', payload: {} }], state);
    expect(state.signup.step).toBe('password');
  });
});
