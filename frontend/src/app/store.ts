import { combineReducers, configureStore } from '@reduxjs/toolkit';
import createSagaMiddleware, { type Saga } from 'redux-saga';
import { api } from '../api/api';
import config from '../features/config/configSlice';
import emails from '../features/emails/emailsSlice';
import language from '../features/language/languageSlice';
import notifications from '../features/notifications/notificationsSlice';
import personalData from '../features/personalData/personalDataSlice';
import phones from '../features/phones/phonesSlice';
import resetPassword from '../features/resetPassword/resetPasswordSlice';
import reauthnSaga from '../features/security/reauthnSaga';
import security from '../features/security/securitySlice';
import sessions from '../features/console/sessionsSlice';
import session from '../features/session/sessionSlice';
import signup from '../features/signup/signupSlice';

export const rootReducer = combineReducers({
  [api.reducerPath]: api.reducer,
  config,
  session,
  notifications,
  language,
  personalData,
  emails,
  phones,
  security,
  sessions,
  signup,
  resetPassword,
});

export type RootState = ReturnType<typeof rootReducer>;

/**
 * A store with RTK Query's middleware and the one saga the SPA has (re-authentication);
 * tests build their own with a preloaded state.
 */
export function setupStore(preloadedState?: Partial<RootState>, { saga = reauthnSaga as Saga | null } = {}) {
  const sagaMiddleware = createSagaMiddleware();
  const store = configureStore({
    reducer: rootReducer,
    preloadedState,
    middleware: (getDefault) =>
      getDefault({
        // The dev-only checks walk the whole state; keep them, but quiet on slow machines.
        serializableCheck: { warnAfter: 200 },
        immutableCheck: { warnAfter: 200 },
      }).concat(api.middleware, sagaMiddleware),
    // RTK Query's updates are batched per microtask rather than per animation frame: the
    // screen follows an answer at once (and tests see no update outside act()).
    enhancers: (getDefault) => getDefault({ autoBatch: { type: 'tick' } }),
  });
  // The saga sends requests again: it dispatches RTK Query's thunks through the store.
  sagaMiddleware.setContext({ dispatch: store.dispatch });
  const sagaTask = saga ? sagaMiddleware.run(saga) : null;
  return Object.assign(store, { sagaTask });
}

export type AppStore = ReturnType<typeof setupStore>;
export type AppDispatch = AppStore['dispatch'];
