import { expectSaga } from 'redux-saga-test-plan';
import { apiRequest, requestFinished } from '../../api/actions';
import { rootReducer } from '../../app/store';
import reauthnSaga from './reauthnSaga';
import { reauthnCancelled, reauthnRequired } from './securitySlice';

const request = apiRequest({ method: 'POST', service: 'security', route: 'change-password', body: { new_password: 'x' } });
const refused = {
  type: 'POST_SECURITY_CHANGE_PASSWORD_FAIL',
  error: true,
  payload: { message: 'authn.reauthn_required' },
  meta: { reauthn_required: true },
};

describe('reauthnSaga', () => {
  it('asks for the password and sends the refused request again after reauthentication', async () => {
    const { storeState } = await expectSaga(reauthnSaga)
      .withReducer(rootReducer)
      .put(reauthnRequired({ requestType: 'POST_SECURITY_CHANGE_PASSWORD' }))
      .put(request)
      .dispatch(requestFinished({ requestType: 'POST_SECURITY_CHANGE_PASSWORD', request, response: refused }))
      .dispatch({ type: 'POST_AUTHN_REAUTHENTICATE_FAIL', error: true, payload: { message: 'authn.invalid_credentials' } })
      .dispatch({ type: 'POST_AUTHN_REAUTHENTICATE_SUCCESS', payload: {} })
      .silentRun(50);
    expect(storeState.security.reauthnOpen).toBe(false);
  });

  it('drops the request when the user cancels', async () => {
    const { storeState } = await expectSaga(reauthnSaga)
      .withReducer(rootReducer)
      .not.put(request)
      .dispatch(requestFinished({ requestType: 'POST_SECURITY_CHANGE_PASSWORD', request, response: refused }))
      .dispatch(reauthnCancelled())
      .dispatch({ type: 'POST_AUTHN_REAUTHENTICATE_SUCCESS', payload: {} })
      .silentRun(50);
    expect(storeState.security.reauthnOpen).toBe(false);
  });

  it('ignores answers that do not ask for reauthentication', async () => {
    await expectSaga(reauthnSaga)
      .withReducer(rootReducer)
      .not.put.actionType(reauthnRequired.type)
      .dispatch(
        requestFinished({
          requestType: 'POST_SECURITY_CHANGE_PASSWORD',
          request,
          response: { type: 'POST_SECURITY_CHANGE_PASSWORD_FAIL', error: true, payload: { message: 'csrf.invalid' } },
        }),
      )
      .silentRun(50);
  });
});
