import { createSlice, isAnyOf, type Action, type PayloadAction, type UnknownAction } from '@reduxjs/toolkit';
import { isFailFsa } from '../../api/fsa';
import { routes } from '../../api/routes';

/** Anything after which the browser no longer has a logged-in session. */
export const isLoggedOutAction = (action: UnknownAction): boolean =>
  routes.logout.success.match(action) ||
  routes.terminate.success.match(action) ||
  routes.resetNewPassword.success.match(action) ||
  (routes.session.success.match(action) && !action.payload.logged_in) ||
  isFailFsa(action, 'authn.required');

/** The answers that log in or re-authenticate: a password (unless a second factor is
 * still due), a second factor or a passkey. Each carries a LoginResponse. */
const isLoginAnswer = isAnyOf(
  routes.login.success,
  routes.signupPassword.success,
  routes.reauthenticate.success,
  routes.mfaTotp.success,
  routes.mfaWebauthnComplete.success,
  routes.mfaRecoveryCode.success,
  routes.passkeyComplete.success,
);

/** The second factors a pending login may be completed with (`methods` of a LoginResponse). */
export type MfaMethod = 'totp' | 'webauthn' | 'recovery_code';

const mfaDue = (payload: unknown): payload is { mfa_required: true; methods: MfaMethod[] } =>
  typeof payload === 'object' && payload !== null && (payload as { mfa_required?: unknown }).mfa_required === true;

/**
 * A login (or re-authentication) is complete: an answer of the routes above that does
 * not ask for a second factor.
 */
export const isLoginCompleted = (action: Action): action is PayloadAction<unknown> =>
  isLoginAnswer(action) && !mfaDue((action as PayloadAction<unknown>).payload);

/** The password was right but a second factor is still due (login or re-authentication). */
export const isMfaRequired = (action: Action): action is PayloadAction<unknown> =>
  isLoginAnswer(action) && mfaDue((action as PayloadAction<unknown>).payload);

/** The methods of a pending step as `GET /session` names them, else what the store held. */
const pendingMethods = (named: readonly MfaMethod[] | undefined, held: MfaMethod[] | null): MfaMethod[] | null =>
  named?.length ? [...named] : held;

export interface SessionState {
  status: 'unknown' | 'loggedIn' | 'loggedOut' | 'error';
  userId: string | null;
  authTime: string | null;
  /** The methods of a second step that is due (after the password), else null. */
  mfaMethods: MfaMethod[] | null;
  /** Logins and re-authentications completed since the SPA loaded (kept across logouts):
   * a page that asks for a new login sees it done when this grows (features/login). */
  logins: number;
}

const initialState: SessionState = { status: 'unknown', userId: null, authTime: null, mfaMethods: null, logins: 0 };

const sessionSlice = createSlice({
  name: 'session',
  initialState,
  reducers: {
    /** The user left the second step (back to the password). */
    mfaAbandoned(state) {
      state.mfaMethods = null;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(routes.session.fail, (state, action) => {
        // authn.required is handled by the logged-out matcher below.
        if (action.payload.message !== 'authn.required' && state.status === 'unknown') state.status = 'error';
      })
      // a pending second step survives a re-read of the session that still says so — also
      // after a reload, when only the session's `mfa_methods` know which methods it takes
      .addMatcher(isLoggedOutAction, (state, action) => ({
        ...initialState,
        status: 'loggedOut' as const,
        logins: state.logins,
        mfaMethods:
          routes.session.success.match(action) && action.payload.mfa_pending
            ? pendingMethods(action.payload.mfa_methods, state.mfaMethods)
            : null,
      }))
      .addMatcher(
        (action) => routes.session.success.match(action) && action.payload.logged_in,
        (state, action: ReturnType<typeof routes.session.success>) => {
          state.status = 'loggedIn';
          state.userId = action.payload.user_id ?? state.userId;
          state.authTime = action.payload.auth_time ?? state.authTime;
        },
      )
      .addMatcher(isMfaRequired, (state, { payload }) => {
        state.mfaMethods = (payload as { methods: MfaMethod[] }).methods;
      })
      .addMatcher(isLoginCompleted, (state, { payload }) => {
        const answer = payload as { user_id?: string | null; auth_time?: string | null };
        state.status = 'loggedIn';
        state.mfaMethods = null;
        state.logins += 1;
        state.userId = answer.user_id ?? state.userId;
        if (typeof answer.auth_time === 'string') state.authTime = answer.auth_time;
      });
  },
});

export const { mfaAbandoned } = sessionSlice.actions;
export default sessionSlice.reducer;

type WithSession = { session: SessionState };
export const selectSession = (state: WithSession) => state.session;
export const selectLoggedIn = (state: WithSession) => state.session.status === 'loggedIn';
export const selectMfaMethods = (state: WithSession) => state.session.mfaMethods;
export const selectLogins = (state: WithSession) => state.session.logins;
