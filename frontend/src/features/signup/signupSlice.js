import { createAction, createSlice } from '@reduxjs/toolkit';
import { apiRequest } from '../../api/actions';

/** The user wants to start over with another address. */
export const signupRestarted = createAction('signup/restarted');

const signupSlice = createSlice({
  name: 'signup',
  initialState: { step: 'register', email: '' },
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(signupRestarted, () => ({ step: 'register', email: '' }))
      .addCase(apiRequest, (state, { payload }) => {
        if (payload.requestType === 'POST_SIGNUP_REGISTER') state.email = payload.body.email;
      })
      .addCase('POST_SIGNUP_REGISTER_SUCCESS', (state) => {
        state.step = 'code';
      })
      .addCase('POST_SIGNUP_VERIFY_SUCCESS', (state) => {
        state.step = 'password';
      })
      .addCase('POST_SIGNUP_PASSWORD_SUCCESS', (state) => {
        state.step = 'done';
      });
  },
});

export default signupSlice.reducer;
export const selectSignup = (state) => state.signup;
