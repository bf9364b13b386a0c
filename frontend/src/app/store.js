import { combineReducers, configureStore } from '@reduxjs/toolkit';
import createSagaMiddleware from 'redux-saga';
import api from '../api/apiSlice';
import config from '../features/config/configSlice';
import session from '../features/session/sessionSlice';
import notifications from '../features/notifications/notificationsSlice';
import language from '../features/language/languageSlice';
import personalData from '../features/personalData/personalDataSlice';
import emails from '../features/emails/emailsSlice';
import phones from '../features/phones/phonesSlice';
import security from '../features/security/securitySlice';
import signup from '../features/signup/signupSlice';
import resetPassword from '../features/resetPassword/resetPasswordSlice';
import rootSaga from './rootSaga';

export const rootReducer = combineReducers({
  api,
  config,
  session,
  notifications,
  language,
  personalData,
  emails,
  phones,
  security,
  signup,
  resetPassword,
});

/** A store with the sagas running; tests build their own with a preloaded state. */
export function setupStore(preloadedState, { saga = rootSaga } = {}) {
  const sagaMiddleware = createSagaMiddleware();
  const store = configureStore({
    reducer: rootReducer,
    preloadedState,
    middleware: (getDefault) =>
      getDefault({
        thunk: false,
        // The dev-only checks walk the whole state; keep them, but quiet on slow machines.
        serializableCheck: { warnAfter: 200 },
        immutableCheck: { warnAfter: 200 },
      }).concat(sagaMiddleware),
  });
  if (saga) store.sagaTask = sagaMiddleware.run(saga);
  return store;
}
