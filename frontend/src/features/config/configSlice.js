import { createSlice } from '@reduxjs/toolkit';

const initialState = {
  loaded: false,
  failed: false,
  csrfToken: null,
  services: {},
  languages: ['en', 'sv'],
  defaultLanguage: 'en',
  passwordPolicy: { min_length: 10, min_score: 3 },
  version: null,
};

const hasCsrfToken = (action) =>
  action.payload !== null &&
  typeof action.payload === 'object' &&
  typeof action.payload.csrf_token === 'string';

const configSlice = createSlice({
  name: 'config',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase('GET_JSCONFIG_CONFIG_SUCCESS', (state, { payload }) => {
        state.loaded = true;
        state.failed = false;
        if (payload.services) state.services = payload.services;
        if (Array.isArray(payload.languages) && payload.languages.length) {
          state.languages = payload.languages;
        }
        if (payload.default_language) state.defaultLanguage = payload.default_language;
        if (payload.password_policy) {
          state.passwordPolicy = { ...state.passwordPolicy, ...payload.password_policy };
        }
        if (payload.version) state.version = payload.version;
      })
      .addCase('GET_JSCONFIG_CONFIG_FAIL', (state) => {
        state.failed = true;
      })
      // Login, logout and signup rotate the token; whoever carries one wins.
      .addMatcher(hasCsrfToken, (state, { payload }) => {
        state.csrfToken = payload.csrf_token;
      });
  },
});

export default configSlice.reducer;

export const selectConfig = (state) => state.config;
export const selectPasswordPolicy = (state) => state.config.passwordPolicy;
