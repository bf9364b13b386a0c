import { createSlice } from '@reduxjs/toolkit';
import { isLoggedOutAction } from '../session/sessionSlice';

/**
 * Email addresses and phone numbers behave alike: a list of {<key>, verified, primary}
 * owned by one service. `service` is 'emails' or 'phones', `key` 'email' or 'number'.
 * `verifying` is the entry whose code form is open; it opens by itself for a new entry.
 */
export default function createContactsSlice({ name, service, key }) {
  const SERVICE = service.toUpperCase();
  const listIn = (payload) => {
    const list = payload && payload[service];
    return Array.isArray(list) && list.every((item) => item && typeof item[key] === 'string')
      ? list
      : null;
  };
  // Any answer of the service (or the user record) that carries the whole list.
  const carriesList = (action) =>
    !action.error &&
    (action.type.startsWith(`GET_${SERVICE}_`) ||
      action.type.startsWith(`POST_${SERVICE}_`) ||
      action.type === 'GET_PERSONAL_DATA_USER_SUCCESS') &&
    listIn(action.payload) !== null;

  const initialState = { items: [], loaded: false, verifying: null, before: null };

  return createSlice({
    name,
    initialState,
    reducers: {
      verifyOpened(state, action) {
        state.verifying = action.payload;
      },
      verifyClosed(state) {
        state.verifying = null;
      },
    },
    extraReducers: (builder) => {
      builder
        .addCase(`POST_${SERVICE}_NEW_SUCCESS`, (state, { payload }) => {
          // The service may normalise what was typed (phones become E.164), so the new
          // entry is the one that was not in the list before.
          if (typeof payload?.[key] === 'string') state.verifying = payload[key];
          else state.before = state.items.map((item) => item[key]);
        })
        .addCase(`POST_${SERVICE}_VERIFY_SUCCESS`, (state) => {
          state.verifying = null;
        })
        .addMatcher(carriesList, (state, action) => {
          state.items = listIn(action.payload);
          state.loaded = true;
          if (state.before) {
            const added = state.items.find((item) => !state.before.includes(item[key]));
            if (added) state.verifying = added[key];
            state.before = null;
          }
        })
        .addMatcher(isLoggedOutAction, () => initialState);
    },
  });
}
