import { createAction, createSelector, createSlice } from '@reduxjs/toolkit';

export const STORAGE_KEY = 'tessera.language';
export const SUPPORTED = ['en', 'sv'];

/** The user picked a language in the switch. */
export const languageChanged = createAction('language/changed');

function stored() {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return SUPPORTED.includes(value) ? value : null;
  } catch {
    return null;
  }
}

const supported = (value) => (SUPPORTED.includes(value) ? value : null);

const languageSlice = createSlice({
  name: 'language',
  initialState: () => ({ current: stored() }),
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(languageChanged, (state, action) => {
        state.current = supported(action.payload) || state.current;
      })
      .addCase('GET_JSCONFIG_CONFIG_SUCCESS', (state, { payload }) => {
        if (!state.current) state.current = supported(payload.default_language);
      })
      // The account's language follows the user to any browser.
      .addMatcher(
        (action) =>
          action.type === 'GET_PERSONAL_DATA_USER_SUCCESS' ||
          action.type === 'POST_PERSONAL_DATA_USER_SUCCESS',
        (state, { payload }) => {
          state.current = supported(payload?.language) || state.current;
        },
      );
  },
});

export default languageSlice.reducer;

export const selectLanguage = (state) => state.language.current || 'en';

/** The languages both this UI and the platform (jsconfig `languages`) offer. */
export const selectAvailableLanguages = createSelector([(state) => state.config.languages], (languages) => {
  const both = SUPPORTED.filter((code) => languages.includes(code));
  return both.length ? both : SUPPORTED;
});
