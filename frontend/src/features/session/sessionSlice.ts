import { createSlice, isAnyOf, type UnknownAction } from '@reduxjs/toolkit';
import { isFailFsa } from '../../api/fsa';
import { routes } from '../../api/routes';

/** Anything after which the browser no longer has a logged-in session. */
export const isLoggedOutAction = (action: UnknownAction): boolean =>
  routes.logout.success.match(action) ||
  routes.terminate.success.match(action) ||
  routes.resetNewPassword.success.match(action) ||
  (routes.session.success.match(action) && !action.payload.logged_in) ||
  isFailFsa(action, 'authn.required');

const isLogin = isAnyOf(routes.login.success, routes.signupPassword.success);

export interface SessionState {
  status: 'unknown' | 'loggedIn' | 'loggedOut' | 'error';
  userId: string | null;
  authTime: string | null;
}

const initialState: SessionState = { status: 'unknown', userId: null, authTime: null };

const sessionSlice = createSlice({
  name: 'session',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(routes.session.fail, (state, action) => {
        // authn.required is handled by the logged-out matcher below.
        if (action.payload.message !== 'authn.required' && state.status === 'unknown') state.status = 'error';
      })
      .addMatcher(isLoggedOutAction, () => ({ ...initialState, status: 'loggedOut' as const }))
      .addMatcher(
        (action) => routes.session.success.match(action) && action.payload.logged_in,
        (state, action: ReturnType<typeof routes.session.success>) => {
          state.status = 'loggedIn';
          state.userId = action.payload.user_id ?? state.userId;
          state.authTime = action.payload.auth_time ?? state.authTime;
        },
      )
      .addMatcher(isLogin, (state, { payload }) => {
        state.status = 'loggedIn';
        state.userId = payload.user_id ?? state.userId;
        if ('auth_time' in payload && typeof payload.auth_time === 'string') state.authTime = payload.auth_time;
      });
  },
});

export default sessionSlice.reducer;

type WithSession = { session: SessionState };
export const selectSession = (state: WithSession) => state.session;
export const selectLoggedIn = (state: WithSession) => state.session.status === 'loggedIn';
