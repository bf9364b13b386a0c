import { put, takeEvery } from 'redux-saga/effects';
import { apiRequest } from '../../api/actions';

/**
 * After a change that succeeded, re-read the list unless the answer already carried it.
 */
export default function createContactsSaga({ service }) {
  const SERVICE = service.toUpperCase();
  const changes = ['NEW', 'VERIFY', 'PRIMARY', 'REMOVE'].map((r) => `POST_${SERVICE}_${r}_SUCCESS`);

  function* refresh(action) {
    if (!Array.isArray(action.payload?.[service])) {
      yield put(apiRequest({ service, route: 'all' }));
    }
  }

  return function* contactsSaga() {
    yield takeEvery(changes, refresh);
  };
}
