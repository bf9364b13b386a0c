import { createSlice, type UnknownAction } from '@reduxjs/toolkit';
import { routes } from '../../api/routes';
import type { PayloadOfRoute } from '../../api/routes';

type JsConfig = PayloadOfRoute<typeof routes.config>;

export interface ConfigState {
  loaded: boolean;
  failed: boolean;
  csrfToken: string | null;
  services: Record<string, string>;
  languages: string[];
  defaultLanguage: string;
  /** The region a phone number typed without `+` is read in (the deployment's, from etcd). */
  phoneDefaultRegion: string | null;
  passwordPolicy: { min_length: number; min_score: number; max_length?: number };
  version: string | null;
}

const initialState: ConfigState = {
  loaded: false,
  failed: false,
  csrfToken: null,
  services: {},
  languages: ['en', 'sv'],
  defaultLanguage: 'en',
  phoneDefaultRegion: null,
  passwordPolicy: { min_length: 10, min_score: 3 },
  version: null,
};

/** Any answer whose payload carries a (rotated) CSRF token: login, logout, signup, jsconfig. */
const carriesCsrfToken = (action: UnknownAction): action is UnknownAction & { payload: { csrf_token: string } } => {
  const { payload } = action;
  return payload !== null && typeof payload === 'object' && typeof (payload as { csrf_token?: unknown }).csrf_token === 'string';
};

/** What jsconfig says, over the defaults (a key it leaves out keeps its default). */
function applyConfig(state: ConfigState, payload: Partial<JsConfig>) {
  state.loaded = true;
  state.failed = false;
  if (payload.services) state.services = payload.services;
  if (Array.isArray(payload.languages) && payload.languages.length) state.languages = payload.languages;
  if (payload.default_language) state.defaultLanguage = payload.default_language;
  if (payload.phone_default_region) state.phoneDefaultRegion = payload.phone_default_region;
  if (payload.password_policy) state.passwordPolicy = { ...state.passwordPolicy, ...payload.password_policy };
  if (payload.version) state.version = payload.version;
}

const configSlice = createSlice({
  name: 'config',
  initialState,
  reducers: {},
  extraReducers: (builder) =>
    builder
      .addCase(routes.config.success, (state, { payload }) => applyConfig(state, payload))
      .addCase(routes.config.fail, (state) => {
        state.failed = true;
      })
      // Login, logout and signup rotate the token; whoever carries one wins.
      .addMatcher(carriesCsrfToken, (state, { payload }) => {
        state.csrfToken = payload.csrf_token;
      }),
});

export default configSlice.reducer;

type WithConfig = { config: ConfigState };
export const selectConfig = (state: WithConfig) => state.config;
export const selectPasswordPolicy = (state: WithConfig) => state.config.passwordPolicy;
