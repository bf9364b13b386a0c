import { call, put, select, takeEvery } from 'redux-saga/effects';
import { apiRequest, requestFinished, requestStarted } from './actions';
import { callApi, serviceUrl } from './client';

const selectCsrf = (state) => state.config.csrfToken;
const selectServices = (state) => state.config.services;

export function* performRequest(action) {
  const { method, service, route, body, requestType: type } = action.payload;
  const url = serviceUrl(yield select(selectServices), service, route);
  const csrfToken = yield select(selectCsrf);
  yield put(requestStarted({ requestType: type, method }));
  const response = yield call(callApi, { url, method, body, csrfToken, type });
  // The answer is an FSA: it goes into the store as it is.
  yield put(response);
  yield put(requestFinished({ requestType: type, request: action, response }));
}

export default function* apiSaga() {
  yield takeEvery(apiRequest.type, performRequest);
}
