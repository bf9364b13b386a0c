import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { isMutationStarted } from '../../api/api';
import { isFailFsa, isServerFsa } from '../../api/fsa';
import { routes } from '../../api/routes';
import { languageSaving } from '../language/languageSlice';
import { reauthnCancelled } from '../security/securitySlice';

/**
 * What to tell the user after a success the service answers without a message
 * of its own. A `payload.message` from the service always wins.
 */
export const SUCCESS_MESSAGES: Record<string, string> = {
  [routes.logout.success.type]: 'authn.logged_out',
  [routes.saveUser.success.type]: 'personal_data.saved',
  [routes.emailsNew.success.type]: 'emails.added',
  [routes.emailsVerify.success.type]: 'emails.verified',
  [routes.emailsPrimary.success.type]: 'emails.primary_changed',
  [routes.emailsRemove.success.type]: 'emails.removed',
  [routes.emailsResendCode.success.type]: 'emails.code_resent',
  [routes.phonesNew.success.type]: 'phones.added',
  [routes.phonesVerify.success.type]: 'phones.verified',
  [routes.phonesPrimary.success.type]: 'phones.primary_changed',
  [routes.phonesRemove.success.type]: 'phones.removed',
  [routes.phonesResendCode.success.type]: 'phones.code_resent',
  [routes.signupResendCode.success.type]: 'signup.code_resent',
  [routes.changePassword.success.type]: 'security.password_changed',
  [routes.terminate.success.type]: 'security.account_terminated',
  [routes.resetNewPassword.success.type]: 'reset_password.done',
  [routes.consentsRevoke.success.type]: 'oidc.app_disconnected',
  [routes.signupPassword.success.type]: 'signup.welcome',
  [routes.sessionsRevoke.success.type]: 'sessions.revoked',
  [routes.sessionsRevokeOthers.success.type]: 'sessions.others_revoked',
  [routes.dataExport.success.type]: 'export.done',
  [routes.devicesForget.success.type]: 'devices.forgotten',
};

// Answers that another part of the UI explains better than a banner would:
// the password dialog asks again and shows its own error.
const SILENT_ERRORS = new Set(['authn.reauthn_required']);
const SILENT_TYPES = new Set<string>([routes.reauthenticate.fail.type]);

export interface Notification {
  id: number;
  level: 'error' | 'success';
  /** A translation key (or the service's text when it sent no key). */
  message: string;
}

interface NotificationsState {
  items: Notification[];
  nextId: number;
  /** The account is being saved for a language switch alone: no "saved" banner for it. */
  quietSave?: boolean;
}

function push(state: NotificationsState, level: Notification['level'], message: string) {
  // One banner per message: a repeated failure does not stack up.
  state.items = state.items.filter((item) => item.message !== message);
  state.items.push({ id: state.nextId, level, message });
  state.nextId += 1;
}

const initialState: NotificationsState = { items: [], nextId: 1 };

const notificationsSlice = createSlice({
  name: 'notifications',
  initialState,
  reducers: {
    dismissed(state, action: PayloadAction<number>) {
      state.items = state.items.filter((item) => item.id !== action.payload);
    },
    cleared(state) {
      state.items = [];
    },
    /** A form shows this failure by its fields: the banner would say it twice. */
    shownInForm(state, action: PayloadAction<string>) {
      state.items = state.items.filter((item) => !(item.level === 'error' && item.message === action.payload));
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(languageSaving, (state) => {
        state.quietSave = true;
      })
      // A new user action replaces what the previous one said.
      .addMatcher(isMutationStarted, (state) => {
        state.items = [];
      })
      // the re-authentication was cancelled: say that the action it guarded did not happen
      .addMatcher(reauthnCancelled.match, (state) => {
        push(state, 'success', 'reauthn.cancelled');
      })
      .addMatcher(isServerFsa, (state, action) => {
        if (isFailFsa(action)) {
          if (routes.saveUser.fail.match(action)) state.quietSave = false;
          const { message } = action.payload;
          if (action.meta?.reauthn_required || SILENT_ERRORS.has(message) || SILENT_TYPES.has(action.type)) return;
          push(state, 'error', typeof message === 'string' ? message : 'notifications.generic_error');
          return;
        }
        if (state.quietSave && routes.saveUser.success.match(action)) {
          state.quietSave = false;
          return;
        }
        const message = (action.payload as { message?: unknown } | null | undefined)?.message;
        if (typeof message === 'string') push(state, 'success', message);
        else if (SUCCESS_MESSAGES[action.type]) push(state, 'success', SUCCESS_MESSAGES[action.type]);
      });
  },
});

export const { dismissed, cleared, shownInForm } = notificationsSlice.actions;
export default notificationsSlice.reducer;

export const selectNotifications = (state: { notifications: NotificationsState }) => state.notifications.items;
