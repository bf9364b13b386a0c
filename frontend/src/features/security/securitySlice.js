import { createAction, createSlice } from '@reduxjs/toolkit';
import { isLoggedOutAction } from '../session/sessionSlice';

/** A call answered meta.reauthn_required: ask for the password again. */
export const reauthnRequired = createAction('security/reauthnRequired');
export const reauthnCancelled = createAction('security/reauthnCancelled');

/**
 * GET /credentials and POST /change-password answer
 * `{credentials: [{credential_id, type, created, last_used}]}` (for now the password alone).
 */
function credentialsIn(payload) {
  return Array.isArray(payload?.credentials) ? payload.credentials : [];
}

const carriesCredentials = (action) =>
  (action.type === 'GET_SECURITY_CREDENTIALS_SUCCESS' || action.type === 'POST_SECURITY_CHANGE_PASSWORD_SUCCESS') &&
  Array.isArray(action.payload?.credentials);

const initialState = { credentials: [], credentialsLoaded: false, reauthnOpen: false };

const securitySlice = createSlice({
  name: 'security',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(reauthnRequired, (state) => {
        state.reauthnOpen = true;
      })
      .addCase(reauthnCancelled, (state) => {
        state.reauthnOpen = false;
      })
      .addCase('POST_AUTHN_REAUTHENTICATE_SUCCESS', (state) => {
        state.reauthnOpen = false;
      })
      .addMatcher(carriesCredentials, (state, { payload }) => {
        state.credentials = credentialsIn(payload);
        state.credentialsLoaded = true;
      })
      .addMatcher(isLoggedOutAction, () => initialState);
  },
});

export default securitySlice.reducer;
export const selectSecurity = (state) => state.security;
