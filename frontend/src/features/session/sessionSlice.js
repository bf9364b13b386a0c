import { createSlice } from '@reduxjs/toolkit';

/** Anything after which the browser no longer has a logged-in session. */
export const isLoggedOutAction = (action) =>
  action.type === 'POST_AUTHN_LOGOUT_SUCCESS' ||
  action.type === 'POST_SECURITY_TERMINATE_SUCCESS' ||
  action.type === 'POST_RESET_PASSWORD_NEW_PASSWORD_SUCCESS' ||
  (action.type === 'GET_AUTHN_SESSION_SUCCESS' && !action.payload?.logged_in) ||
  (action.error === true && action.payload?.message === 'authn.required');

const isLoggedInAction = (action) =>
  action.type === 'POST_AUTHN_LOGIN_SUCCESS' ||
  action.type === 'POST_SIGNUP_PASSWORD_SUCCESS' ||
  (action.type === 'GET_AUTHN_SESSION_SUCCESS' && Boolean(action.payload?.logged_in));

const initialState = { status: 'unknown', userId: null, authTime: null };

const sessionSlice = createSlice({
  name: 'session',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase('GET_AUTHN_SESSION_FAIL', (state, action) => {
        // authn.required is handled by the logged-out matcher below.
        if (action.payload?.message !== 'authn.required' && state.status === 'unknown') {
          state.status = 'error';
        }
      })
      .addMatcher(isLoggedInAction, (state, { payload }) => {
        state.status = 'loggedIn';
        if (payload?.user_id) state.userId = payload.user_id;
        if (payload?.auth_time) state.authTime = payload.auth_time;
      })
      .addMatcher(isLoggedOutAction, () => ({ ...initialState, status: 'loggedOut' }));
  },
});

export default sessionSlice.reducer;

export const selectSession = (state) => state.session;
export const selectLoggedIn = (state) => state.session.status === 'loggedIn';
