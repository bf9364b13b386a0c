import { waitFor } from '@testing-library/react';
import { api } from '../../api/api';
import { setupStore } from '../../app/store';
import { callsTo, fail, mockApi, success } from '../../test/utils';
import { reauthnCancelled } from './securitySlice';

// The whole saga runs in a real store (RTK Query, reducers), against a fake service.
const refused = fail('POST_SECURITY_CHANGE_PASSWORD', 'authn.reauthn_required', undefined, { reauthn_required: true });
const changed = success('POST_SECURITY_CHANGE_PASSWORD', { credentials: [] });
const body = { new_password: 'correct horse battery staple' };

async function refusedChange() {
  const store = setupStore();
  await store.dispatch(api.endpoints.changePassword.initiate(body, { fixedCacheKey: 'changePassword' }));
  expect(store.getState().security.reauthnOpen).toBe(true);
  return store;
}

const changeState = (store: ReturnType<typeof setupStore>) =>
  api.endpoints.changePassword.select({ fixedCacheKey: 'changePassword', requestId: undefined })(store.getState());

describe('reauthnSaga', () => {
  it('asks for the password and sends the refused request again after reauthentication', async () => {
    const fetchMock = mockApi({
      'POST /api/security/change-password': [refused, changed],
      'POST /api/authn/reauthenticate': [fail('POST_AUTHN_REAUTHENTICATE', 'authn.invalid_credentials'), success('POST_AUTHN_REAUTHENTICATE')],
    });
    const store = await refusedChange();

    await store.dispatch(api.endpoints.reauthenticate.initiate({ password: 'wrong' }));
    expect(store.getState().security.reauthnOpen).toBe(true);
    expect(callsTo(fetchMock, 'POST /api/security/change-password')).toHaveLength(1);

    await store.dispatch(api.endpoints.reauthenticate.initiate({ password: 'right' }));
    await waitFor(() => expect(changeState(store).isSuccess).toBe(true));
    expect(store.getState().security.reauthnOpen).toBe(false);
    expect(callsTo(fetchMock, 'POST /api/security/change-password')).toEqual([body, body]);
  });

  it('drops the request when the user cancels', async () => {
    const fetchMock = mockApi({
      'POST /api/security/change-password': [refused, changed],
      'POST /api/authn/reauthenticate': success('POST_AUTHN_REAUTHENTICATE'),
    });
    const store = await refusedChange();
    store.dispatch(reauthnCancelled());
    expect(store.getState().security.reauthnOpen).toBe(false);
    // a later reauthentication (a marker) does not bring the dropped request back
    await store.dispatch(api.endpoints.reauthenticate.initiate({ password: 'right' }));
    await store.dispatch(api.endpoints.credentials.initiate()).unwrap().catch(() => undefined);
    expect(callsTo(fetchMock, 'POST /api/security/change-password')).toEqual([body]);
  });

  it('ignores failures that do not ask for reauthentication', async () => {
    mockApi({ 'POST /api/security/change-password': fail('POST_SECURITY_CHANGE_PASSWORD', 'csrf.invalid') });
    const store = setupStore();
    await store.dispatch(api.endpoints.changePassword.initiate(body));
    expect(store.getState().security.reauthnOpen).toBe(false);
  });
});
