import { all, fork } from 'redux-saga/effects';
import apiSaga from '../api/apiSaga';
import configSaga from '../features/config/configSaga';
import sessionSaga from '../features/session/sessionSaga';
import languageSaga from '../features/language/languageSaga';
import emailsSaga from '../features/emails/emailsSaga';
import phonesSaga from '../features/phones/phonesSaga';
import reauthnSaga from '../features/security/reauthnSaga';

export default function* rootSaga() {
  // configSaga goes last: it dispatches the first request, so every watcher must be ready.
  yield all([apiSaga, sessionSaga, languageSaga, emailsSaga, phonesSaga, reauthnSaga, configSaga].map((saga) => fork(saga)));
}
