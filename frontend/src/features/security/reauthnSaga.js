import { put, race, take, takeEvery } from 'redux-saga/effects';
import { requestFinished } from '../../api/actions';
import { reauthnCancelled, reauthnRequired } from './securitySlice';

const needsReauthn = (action) =>
  action.type === requestFinished.type && action.payload.response.meta?.reauthn_required === true;

/**
 * A *recent* route said the login is too old: ask for the password, and once
 * POST /api/authn/reauthenticate succeeded send the original request again.
 * A wrong password keeps the dialog open; cancelling drops the request.
 */
export function* reauthenticateAndRetry(action) {
  const { request } = action.payload;
  yield put(reauthnRequired({ requestType: request.payload.requestType }));
  const { done } = yield race({
    done: take('POST_AUTHN_REAUTHENTICATE_SUCCESS'),
    cancelled: take(reauthnCancelled.type),
    loggedOut: take((a) => a.error === true && a.payload?.message === 'authn.required'),
  });
  if (done) yield put(request);
}

export default function* reauthnSaga() {
  yield takeEvery(needsReauthn, reauthenticateAndRetry);
}
