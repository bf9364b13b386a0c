import { createSlice, isAnyOf } from '@reduxjs/toolkit';
import { routes, type PayloadOfRoute } from '../../api/routes';
import { isLoggedOutAction } from '../session/sessionSlice';

/** One signed-in browser of the user: `{id, current, created, last_seen, ip, user_agent ("Chrome on Linux"), amr}`. */
export type UserSession = PayloadOfRoute<typeof routes.sessions>['sessions'][number];

/** Every answer that carries the whole list `{sessions: [...]}` (the listing and both revocations). */
const carriesSessions = isAnyOf(routes.sessions.success, routes.sessionsRevoke.success, routes.sessionsRevokeOthers.success);

interface SessionsState {
  items: UserSession[];
  loaded: boolean;
}

const initialState: SessionsState = { items: [], loaded: false };

/** The user's live sessions as the security service last listed them (this one first). */
const sessionsSlice = createSlice({
  name: 'sessions',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addMatcher(carriesSessions, (state, { payload }) => {
        const list = (payload as { sessions?: unknown } | undefined)?.sessions;
        if (!Array.isArray(list)) return; // 202 am.sync_pending carries no list
        state.items = list as UserSession[];
        state.loaded = true;
      })
      .addMatcher(isLoggedOutAction, () => initialState);
  },
});

export default sessionsSlice.reducer;
export const selectSessions = (state: { sessions: SessionsState }) => state.sessions;
