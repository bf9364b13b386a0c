import { createAction, createSlice } from '@reduxjs/toolkit';
import { apiRequest } from '../../api/actions';

/** The user wants to start over with another address. */
export const signupRestarted = createAction('signup/restarted');

/** GET /api/signup/state: where this session's flow is (after a reload, too). */
export const loadSignupState = () => apiRequest({ service: 'signup', route: 'state' });

// The service's steps (register → verify → password → done) as the page shows them.
const STEP_OF = { register: 'register', verify: 'code', password: 'password', done: 'done' };

// register, verify, resend-code and state all answer {step, email?}: the service knows best.
const carriesStep = (action) =>
  /^(GET|POST)_SIGNUP_[A-Z_]+_SUCCESS$/.test(action.type) && typeof action.payload?.step === 'string';

const signupSlice = createSlice({
  name: 'signup',
  initialState: { step: 'register', email: '', loaded: false },
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(signupRestarted, (state) => ({ step: 'register', email: '', loaded: state.loaded }))
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
      })
      .addCase('GET_SIGNUP_STATE_FAIL', (state) => {
        state.loaded = true;
      })
      // A flow that ended (signup.no_flow, e.g. its session expired) starts again.
      .addMatcher(
        (action) => action.error === true && action.payload?.message === 'signup.no_flow',
        () => ({ step: 'register', email: '', loaded: true }),
      )
      .addMatcher(carriesStep, (state, { type, payload }) => {
        state.loaded = true;
        if (type === 'POST_SIGNUP_PASSWORD_SUCCESS') return;
        state.step = STEP_OF[payload.step] || state.step;
        if (typeof payload.email === 'string') state.email = payload.email;
      });
  },
});

export default signupSlice.reducer;
export const selectSignup = (state) => state.signup;
