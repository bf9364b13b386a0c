import { createSlice, isAnyOf, type PayloadAction } from '@reduxjs/toolkit';
import type { MutationName } from '../../api/api';
import { routes, type PayloadOfRoute } from '../../api/routes';
import { isLoggedOutAction } from '../session/sessionSlice';


export type Credential = PayloadOfRoute<typeof routes.credentials>['credentials'][number];

/** GET /credentials and POST /change-password answer `{credentials: [...]}` (for now the password alone). */
const carriesCredentials = isAnyOf(routes.credentials.success, routes.changePassword.success);

interface SecurityState {
  credentials: Credential[];
  credentialsLoaded: boolean;
  reauthnOpen: boolean;
}

const initialState: SecurityState = { credentials: [], credentialsLoaded: false, reauthnOpen: false };

const securitySlice = createSlice({
  name: 'security',
  initialState,
  reducers: {
    /** A POST was answered meta.reauthn_required: ask for the password again. */
    reauthnRequired(state, _action: PayloadAction<{ endpoint: MutationName }>) {
      state.reauthnOpen = true;
    },
    reauthnCancelled(state) {
      state.reauthnOpen = false;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(routes.reauthenticate.success, (state) => {
        state.reauthnOpen = false;
      })
      .addMatcher(carriesCredentials, (state, { payload }) => {
        const list = (payload as { credentials?: unknown } | undefined)?.credentials;
        if (!Array.isArray(list)) return;
        state.credentials = list as Credential[];
        state.credentialsLoaded = true;
      })
      .addMatcher(isLoggedOutAction, () => initialState);
  },
});

export const { reauthnRequired, reauthnCancelled } = securitySlice.actions;
export default securitySlice.reducer;
export const selectSecurity = (state: { security: SecurityState }) => state.security;
