import { expectSaga } from 'redux-saga-test-plan';
import { rootReducer } from '../app/store';
import { apiRequest, requestFinished, requestStarted } from './actions';
import { performRequest } from './apiSaga';
import { selectBusy, selectFieldErrors } from './apiSlice';

const state = () => {
  const s = rootReducer(undefined, { type: '@@init' });
  return { ...s, config: { ...s.config, csrfToken: 'tok', services: { emails: '/mail/' } } };
};

describe('performRequest', () => {
  it('calls the service URL with the stored token and dispatches its FSA as it is', async () => {
    const answer = {
      type: 'POST_EMAILS_NEW_FAIL',
      error: true,
      payload: { message: 'request.invalid', errors: { email: ['Not a valid email address.'] } },
    };
    global.fetch = jest.fn(async () => ({ status: 400, json: async () => answer }));
    const request = apiRequest({ method: 'POST', service: 'emails', route: 'new', body: { email: 'x' } });

    const { storeState } = await expectSaga(performRequest, request)
      .withReducer(rootReducer, state())
      .put(requestStarted({ requestType: 'POST_EMAILS_NEW', method: 'POST' }))
      .put(answer)
      .put(requestFinished({ requestType: 'POST_EMAILS_NEW', request, response: answer }))
      .run();

    const [url, init] = global.fetch.mock.calls[0];
    expect(url).toBe('/mail/new');
    expect(init.headers['X-CSRF-Token']).toBe('tok');
    expect(selectBusy('POST_EMAILS_NEW')(storeState)).toBe(false);
    expect(selectFieldErrors('POST_EMAILS_NEW')(storeState)).toEqual({ email: ['Not a valid email address.'] });
    expect(storeState.notifications.items).toEqual([{ id: 1, level: 'error', message: 'request.invalid' }]);
  });

  it('dispatches <REQUEST TYPE>_FAIL with network.error when the network is down', async () => {
    global.fetch = jest.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expectSaga(performRequest, apiRequest({ service: 'emails', route: 'all' }))
      .withReducer(rootReducer, state())
      .put({ type: 'GET_EMAILS_ALL_FAIL', error: true, payload: { message: 'network.error' } })
      .run();
  });

  it('stores a rotated CSRF token from any answer', async () => {
    global.fetch = jest.fn(async () => ({
      json: async () => ({ type: 'POST_AUTHN_LOGIN_SUCCESS', payload: { csrf_token: 'new-token' } }),
    }));
    const { storeState } = await expectSaga(
      performRequest,
      apiRequest({ method: 'POST', service: 'authn', route: 'login', body: {} }),
    )
      .withReducer(rootReducer, state())
      .run();
    expect(storeState.config.csrfToken).toBe('new-token');
    expect(storeState.session.status).toBe('loggedIn');
  });
});
