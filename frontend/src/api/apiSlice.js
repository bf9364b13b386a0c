import { createSlice } from '@reduxjs/toolkit';
import { requestFinished, requestStarted } from './actions';

/** Per request type: is it in flight, and the field errors of its last answer. */
const apiSlice = createSlice({
  name: 'api',
  initialState: { requests: {} },
  reducers: {
    fieldErrorsCleared(state, action) {
      const entry = state.requests[action.payload];
      if (entry) entry.errors = {};
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(requestStarted, (state, action) => {
        const { requestType } = action.payload;
        const entry = state.requests[requestType] || { pending: 0 };
        entry.pending += 1;
        entry.errors = {};
        entry.failed = false;
        entry.message = null;
        state.requests[requestType] = entry;
      })
      .addCase(requestFinished, (state, action) => {
        const { requestType, response } = action.payload;
        const entry = state.requests[requestType] || { pending: 1 };
        entry.pending = Math.max(0, entry.pending - 1);
        entry.failed = Boolean(response.error);
        entry.message = response.error ? response.payload?.message || null : null;
        const errors = response.error && response.payload && response.payload.errors;
        entry.errors = errors && typeof errors === 'object' ? errors : {};
        state.requests[requestType] = entry;
      });
  },
});

export const { fieldErrorsCleared } = apiSlice.actions;
export default apiSlice.reducer;

const EMPTY = {};
export const selectBusy = (type) => (state) => (state.api.requests[type]?.pending || 0) > 0;
export const selectAnyBusy = (state) =>
  Object.values(state.api.requests).some((entry) => entry.pending > 0);
export const selectFailed = (type) => (state) => Boolean(state.api.requests[type]?.failed);
export const selectErrorMessage = (type) => (state) => state.api.requests[type]?.message || null;
export const selectFieldErrors = (type) => (state) => state.api.requests[type]?.errors || EMPTY;
