import { isRejectedWithValue, type Action, type UnknownAction } from '@reduxjs/toolkit';
import { call, getContext, put, race, take, takeEvery } from 'redux-saga/effects';
import { resend, type MutationName } from '../../api/api';
import { isFailFsa } from '../../api/fsa';
import type { AppDispatch } from '../../app/store';
import { isLoginCompleted } from '../session/sessionSlice';
import { reauthnCancelled, reauthnRequired } from './securitySlice';

/** RTK Query's rejection of a POST whose answer said `meta.reauthn_required`. */
interface RefusedMutation extends UnknownAction {
  payload: unknown;
  meta: { arg: { type: 'mutation'; endpointName: string; originalArgs: unknown } };
}

const needsReauthn = (action: Action): action is RefusedMutation => {
  if (!isRejectedWithValue(action)) return false;
  const { arg } = action.meta as { arg?: { type?: string } };
  return arg?.type === 'mutation' && isFailFsa(action.payload) && action.payload.meta?.reauthn_required === true;
};

/**
 * A *recent* route said the login is too old: ask for the password, and once
 * the re-authentication is complete (the password, and the second factor it asks for;
 * or a passkey) send the original request again (it shares
 * its form's request state, so the form sees the retry's answer). A wrong password
 * keeps the dialog open; cancelling, or losing the session, drops the request.
 */
export function* reauthenticateAndRetry(action: RefusedMutation) {
  const endpoint = action.meta.arg.endpointName as MutationName;
  yield put(reauthnRequired({ endpoint }));
  const { done } = yield race({
    done: take(isLoginCompleted),
    cancelled: take(reauthnCancelled.match),
    loggedOut: take((a: Action) => isFailFsa(a, 'authn.required')),
  });
  if (!done) return;
  const dispatch: AppDispatch = yield getContext('dispatch');
  yield call(() => dispatch(resend(endpoint, action.meta.arg.originalArgs)));
}

export default function* reauthnSaga() {
  yield takeEvery(needsReauthn, reauthenticateAndRetry);
}
