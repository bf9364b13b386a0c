import { createSlice, isAnyOf, type PayloadAction } from '@reduxjs/toolkit';
import type { MutationName } from '../../api/api';
import { routes, type PayloadOfRoute } from '../../api/routes';
import { isLoggedOutAction, isLoginCompleted } from '../session/sessionSlice';


export type Credential = PayloadOfRoute<typeof routes.credentials>['credentials'][number];

/** The answers that carry the whole list `{credentials: [...], recovery_codes_left}`. */
const carriesCredentials = isAnyOf(
  routes.credentials.success,
  routes.changePassword.success,
  routes.totpComplete.success,
  routes.webauthnRegisterComplete.success,
  routes.credentialsRemove.success,
  routes.recoveryCodes.success,
);

interface SecurityState {
  credentials: Credential[];
  credentialsLoaded: boolean;
  /** How many unused recovery codes the account has (null until known). */
  recoveryCodesLeft: number | null;
  reauthnOpen: boolean;
  /** How many times the user cancelled the dialog: a form whose request it asked for is
   * keyed on it, so that a cancelled action leaves no filled-in form behind. */
  reauthnCancels: number;
}

const initialState: SecurityState = {
  credentials: [],
  credentialsLoaded: false,
  recoveryCodesLeft: null,
  reauthnOpen: false,
  reauthnCancels: 0,
};

const securitySlice = createSlice({
  name: 'security',
  initialState,
  reducers: {
    /** A POST was answered meta.reauthn_required: ask for the password again. */
    reauthnRequired(state, _action: PayloadAction<{ endpoint: MutationName }>) {
      state.reauthnOpen = true;
    },
    /** The user cancelled the dialog: the refused action is dropped (the saga), its form
     * emptied, and the notifications say so. */
    reauthnCancelled(state) {
      state.reauthnOpen = false;
      state.reauthnCancels += 1;
    },
  },
  extraReducers: (builder) => {
    builder
      // a password alone does not close the dialog while a second factor is due
      .addMatcher(isLoginCompleted, (state) => {
        state.reauthnOpen = false;
      })
      .addMatcher(carriesCredentials, (state, { payload }) => {
        const answer = payload as { credentials?: unknown; recovery_codes_left?: unknown } | undefined;
        if (!Array.isArray(answer?.credentials)) return;
        state.credentials = answer.credentials as Credential[];
        state.credentialsLoaded = true;
        if (typeof answer.recovery_codes_left === 'number') state.recoveryCodesLeft = answer.recovery_codes_left;
      })
      .addMatcher(isLoggedOutAction, (state) => ({ ...initialState, reauthnCancels: state.reauthnCancels }));
  },
});

export const { reauthnRequired, reauthnCancelled } = securitySlice.actions;
export default securitySlice.reducer;
export const selectSecurity = (state: { security: SecurityState }) => state.security;
