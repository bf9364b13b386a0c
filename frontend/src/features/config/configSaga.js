import { put, takeEvery } from 'redux-saga/effects';
import { apiRequest } from '../../api/actions';

export const loadConfig = () => apiRequest({ service: 'jsconfig', route: 'config' });
export const loadSession = () => apiRequest({ service: 'authn', route: 'session' });

function* afterConfig() {
  yield put(loadSession());
}

// A 403 csrf.invalid means our token is stale (the session changed under us):
// fetch a fresh one so the user's next attempt can succeed.
const isCsrfFailure = (action) => action.error === true && action.payload?.message === 'csrf.invalid';

function* refreshToken() {
  yield put(loadConfig());
}

export default function* configSaga() {
  yield takeEvery('GET_JSCONFIG_CONFIG_SUCCESS', afterConfig);
  yield takeEvery(isCsrfFailure, refreshToken);
  yield put(loadConfig());
}
