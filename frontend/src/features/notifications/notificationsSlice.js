import { createSlice } from '@reduxjs/toolkit';
import { requestStarted } from '../../api/actions';

/**
 * What to tell the user after a success the service answers without a message
 * of its own. A `payload.message` from the service always wins.
 */
export const SUCCESS_MESSAGES = {
  POST_AUTHN_LOGOUT_SUCCESS: 'authn.logged_out',
  POST_PERSONAL_DATA_USER_SUCCESS: 'personal_data.saved',
  POST_EMAILS_NEW_SUCCESS: 'emails.added',
  POST_EMAILS_VERIFY_SUCCESS: 'emails.verified',
  POST_EMAILS_PRIMARY_SUCCESS: 'emails.primary_changed',
  POST_EMAILS_REMOVE_SUCCESS: 'emails.removed',
  POST_EMAILS_RESEND_CODE_SUCCESS: 'emails.code_resent',
  POST_PHONES_NEW_SUCCESS: 'phones.added',
  POST_PHONES_VERIFY_SUCCESS: 'phones.verified',
  POST_PHONES_PRIMARY_SUCCESS: 'phones.primary_changed',
  POST_PHONES_REMOVE_SUCCESS: 'phones.removed',
  POST_PHONES_RESEND_CODE_SUCCESS: 'phones.code_resent',
  POST_SIGNUP_RESEND_CODE_SUCCESS: 'signup.code_resent',
  POST_SECURITY_CHANGE_PASSWORD_SUCCESS: 'security.password_changed',
  POST_SECURITY_TERMINATE_SUCCESS: 'security.account_terminated',
  POST_RESET_PASSWORD_NEW_PASSWORD_SUCCESS: 'reset_password.done',
};

// Answers that another part of the UI explains better than a banner would:
// the password dialog asks again and shows its own error.
const SILENT_ERRORS = new Set(['authn.reauthn_required']);
const SILENT_TYPES = new Set(['POST_AUTHN_REAUTHENTICATE_FAIL']);

const isFsa = (action) => /_(SUCCESS|FAIL)$/.test(action.type);

function push(state, level, message) {
  // One banner per message: a repeated failure does not stack up.
  state.items = state.items.filter((item) => item.message !== message);
  state.items.push({ id: state.nextId, level, message });
  state.nextId += 1;
}

const notificationsSlice = createSlice({
  name: 'notifications',
  initialState: { items: [], nextId: 1 },
  reducers: {
    dismissed(state, action) {
      state.items = state.items.filter((item) => item.id !== action.payload);
    },
    cleared(state) {
      state.items = [];
    },
  },
  extraReducers: (builder) => {
    builder
      // A new user action replaces what the previous one said.
      .addCase(requestStarted, (state, action) => {
        if (action.payload.method !== 'GET') state.items = [];
      })
      .addMatcher(isFsa, (state, action) => {
        const message = action.payload && action.payload.message;
        if (action.error) {
          if (action.meta?.reauthn_required || SILENT_ERRORS.has(message) || SILENT_TYPES.has(action.type)) return;
          push(state, 'error', typeof message === 'string' ? message : 'notifications.generic_error');
        } else if (typeof message === 'string') {
          push(state, 'success', message);
        } else if (SUCCESS_MESSAGES[action.type]) {
          push(state, 'success', SUCCESS_MESSAGES[action.type]);
        }
      });
  },
});

export const { dismissed, cleared } = notificationsSlice.actions;
export default notificationsSlice.reducer;

export const selectNotifications = (state) => state.notifications.items;
