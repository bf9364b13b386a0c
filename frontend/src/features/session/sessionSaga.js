import { put, takeEvery } from 'redux-saga/effects';
import { apiRequest } from '../../api/actions';

export const loadUser = () => apiRequest({ service: 'personal-data', route: 'user' });

function* refreshSession() {
  yield put(apiRequest({ service: 'authn', route: 'session' }));
}

function* sessionLoaded({ payload }) {
  if (payload?.logged_in) yield put(loadUser());
}

export default function* sessionSaga() {
  yield takeEvery(['POST_AUTHN_LOGIN_SUCCESS', 'POST_SIGNUP_PASSWORD_SUCCESS'], refreshSession);
  yield takeEvery('GET_AUTHN_SESSION_SUCCESS', sessionLoaded);
}
