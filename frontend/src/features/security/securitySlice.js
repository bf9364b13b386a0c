import { createAction, createSlice } from '@reduxjs/toolkit';
import { isLoggedOutAction } from '../session/sessionSlice';

/** A call answered meta.reauthn_required: ask for the password again. */
export const reauthnRequired = createAction('security/reauthnRequired');
export const reauthnCancelled = createAction('security/reauthnCancelled');

/** The service lists credentials; for now that is the password alone. */
function credentialsIn(payload) {
  if (Array.isArray(payload?.credentials)) return payload.credentials;
  if (payload?.password && typeof payload.password === 'object') {
    return [{ type: 'password', ...payload.password }];
  }
  if (payload && ('created' in payload || 'last_used' in payload)) {
    return [{ type: 'password', created: payload.created, last_used: payload.last_used }];
  }
  return [];
}

const initialState = { credentials: [], credentialsLoaded: false, reauthnOpen: false };

const securitySlice = createSlice({
  name: 'security',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase('GET_SECURITY_CREDENTIALS_SUCCESS', (state, { payload }) => {
        state.credentials = credentialsIn(payload);
        state.credentialsLoaded = true;
      })
      .addCase(reauthnRequired, (state) => {
        state.reauthnOpen = true;
      })
      .addCase(reauthnCancelled, (state) => {
        state.reauthnOpen = false;
      })
      .addCase('POST_AUTHN_REAUTHENTICATE_SUCCESS', (state) => {
        state.reauthnOpen = false;
      })
      .addMatcher(isLoggedOutAction, () => initialState);
  },
});

export default securitySlice.reducer;
export const selectSecurity = (state) => state.security;
