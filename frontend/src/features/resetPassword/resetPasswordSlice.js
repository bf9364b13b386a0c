import { createAction, createSlice } from '@reduxjs/toolkit';
import { apiRequest } from '../../api/actions';

export const resetRestarted = createAction('resetPassword/restarted');

const resetPasswordSlice = createSlice({
  name: 'resetPassword',
  initialState: { step: 'start', email: '' },
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(resetRestarted, () => ({ step: 'start', email: '' }))
      .addCase(apiRequest, (state, { payload }) => {
        if (payload.requestType === 'POST_RESET_PASSWORD_START') state.email = payload.body.email;
      })
      .addCase('POST_RESET_PASSWORD_START_SUCCESS', (state) => {
        state.step = 'code';
      })
      .addCase('POST_RESET_PASSWORD_VERIFY_SUCCESS', (state) => {
        state.step = 'password';
      })
      .addCase('POST_RESET_PASSWORD_NEW_PASSWORD_SUCCESS', (state) => {
        state.step = 'done';
      });
  },
});

export default resetPasswordSlice.reducer;
export const selectResetPassword = (state) => state.resetPassword;
