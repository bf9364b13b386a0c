import { waitFor } from '@testing-library/react';
import { rootReducer, setupStore } from '../app/store';
import { callsTo, fail, mockApi, success } from '../test/utils';
import { api, selectAnyBusy } from './api';

/** A store as after jsconfig: a token and a base URL of its own for emails. */
function configuredStore() {
  const start = rootReducer(undefined, { type: '@@init' });
  return setupStore({ ...start, config: { ...start.config, csrfToken: 'tok', services: { emails: '/mail/' } } });
}

describe('the base query', () => {
  it('calls the service URL with the stored token and puts its FSA into the store as it is', async () => {
    const answer = fail('POST_EMAILS_NEW', 'request.invalid', { email: ['Not a valid email address.'] });
    const fetchMock = mockApi({ 'POST /mail/new': answer });
    const store = configuredStore();

    const result = await store.dispatch(api.endpoints.emailsNew.initiate({ email: 'x' }));

    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit & { headers: Record<string, string> }];
    expect(url).toBe('/mail/new');
    expect(init.headers['X-CSRF-Token']).toBe('tok');
    expect(result.error).toEqual(answer);
    expect(selectAnyBusy(store.getState())).toBe(false);
    expect(store.getState().notifications.items).toEqual([{ id: 1, level: 'error', message: 'request.invalid' }]);
  });

  it('answers <REQUEST TYPE>_FAIL with network.error when the network is down', async () => {
    mockApi({ 'GET /mail/all': () => new TypeError('Failed to fetch') });
    const store = configuredStore();
    const result = await store.dispatch(api.endpoints.emailsAll.initiate(undefined, { subscribe: false }));
    expect(result.error).toEqual({ type: 'GET_EMAILS_ALL_FAIL', error: true, payload: { message: 'network.error' } });
    expect(store.getState().notifications.items.map((item) => item.message)).toEqual(['network.error']);
  });

  it('stores a rotated CSRF token from any answer', async () => {
    mockApi({ 'POST /api/authn/login': success('POST_AUTHN_LOGIN', { csrf_token: 'new-token' }) });
    const store = configuredStore();
    await store.dispatch(api.endpoints.login.initiate({ email: 'a@b.se', password: 'x' }));
    expect(store.getState().config.csrfToken).toBe('new-token');
    expect(store.getState().session.status).toBe('loggedIn');
  });

  it('reads jsconfig again after csrf.invalid, so the next attempt has a fresh token', async () => {
    const fetchMock = mockApi({
      'GET /api/jsconfig/config': success('GET_JSCONFIG_CONFIG', { csrf_token: 'fresh' }),
      'POST /mail/remove': fail('POST_EMAILS_REMOVE', 'csrf.invalid'),
    });
    const store = configuredStore();
    const config = store.dispatch(api.endpoints.config.initiate());
    await config;
    expect(callsTo(fetchMock, 'GET /api/jsconfig/config')).toHaveLength(1);
    await store.dispatch(api.endpoints.emailsRemove.initiate({ email: 'a@b.se' }));
    await waitFor(() => expect(callsTo(fetchMock, 'GET /api/jsconfig/config')).toHaveLength(2));
    await waitFor(() => expect(store.getState().config.csrfToken).toBe('fresh'));
    config.unsubscribe();
  });
});
