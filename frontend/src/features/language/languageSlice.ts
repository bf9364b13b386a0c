import { createAction, createSelector, createSlice, isAnyOf, type PayloadAction } from '@reduxjs/toolkit';
import { routes } from '../../api/routes';
import type { ConfigState } from '../config/configSlice';

export const STORAGE_KEY = 'tessera.language';
export const SUPPORTED = ['en', 'sv'] as const;
export type Language = (typeof SUPPORTED)[number];

/** The user picked a language in the switch. */
export const languageChanged = createAction<string>('language/changed');
/** The switch saves the picked language to the account (nothing else changes: no "saved"). */
export const languageSaving = createAction('language/saving');

const supported = (value: unknown): Language | null =>
  SUPPORTED.includes(value as Language) ? (value as Language) : null;

function stored(): Language | null {
  try {
    return supported(window.localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

/**
 * The browser's first preferred language this UI has (`navigator.languages`, e.g.
 * `['sv-SE', 'en']` → `sv`): a first visit from a Swedish browser is in Swedish, until the
 * user chooses (the choice is stored and wins) or logs in (the account's language wins).
 */
export function browserLanguage(languages: readonly string[] | undefined = globalThis.navigator?.languages): Language | null {
  for (const tag of languages ?? []) {
    const found = supported(tag.split('-')[0].toLowerCase());
    if (found) return found;
  }
  return null;
}

/** Keep the choice in this browser (private mode: it lasts for this page only). */
export function remember(language: string): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // storage refused: the choice lasts for this page
  }
}

// The account's language follows the user to any browser.
const isUserAnswer = isAnyOf(routes.user.success, routes.saveUser.success);

const languageSlice = createSlice({
  name: 'language',
  initialState: () => ({ current: stored() ?? browserLanguage() }),
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(languageChanged, (state, action: PayloadAction<string>) => {
        state.current = supported(action.payload) || state.current;
      })
      .addCase(routes.config.success, (state, { payload }) => {
        if (!state.current) state.current = supported(payload.default_language);
      })
      .addMatcher(isUserAnswer, (state, { payload }) => {
        state.current = supported(payload?.language) || state.current;
      });
  },
});

export default languageSlice.reducer;

type WithLanguage = { language: { current: Language | null } };
export const selectLanguage = (state: WithLanguage): Language => state.language.current || 'en';

/** The languages both this UI and the platform (jsconfig `languages`) offer. */
export const selectAvailableLanguages = createSelector(
  [(state: { config: ConfigState }) => state.config.languages],
  (languages): Language[] => {
    const both = SUPPORTED.filter((code) => languages.includes(code));
    return both.length ? both : [...SUPPORTED];
  },
);
