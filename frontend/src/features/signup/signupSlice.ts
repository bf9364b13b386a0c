import { isAnyOf, type UnknownAction } from '@reduxjs/toolkit';
import { api } from '../../api/api';
import { isFailFsa } from '../../api/fsa';
import { routes } from '../../api/routes';
import { createFlowSlice, retryAfterOf, waitBeforeResend, type FlowState } from '../flowSlice';

export type SignupStep = 'register' | 'code' | 'password' | 'done';

// The service's steps (register → verify → password → done) as the page shows them.
const STEP_OF: Record<string, SignupStep> = { register: 'register', verify: 'code', password: 'password', done: 'done' };

// register, verify, resend-code and state answer {step, email?}: the service knows best.
const answersWithStep = isAnyOf(
  routes.signupState.success,
  routes.signupRegister.success,
  routes.signupVerify.success,
  routes.signupResendCode.success,
);
const carriesStep = (action: UnknownAction): action is UnknownAction & { payload: { step: string; email?: string; resend_in?: number } } =>
  answersWithStep(action) && typeof (action.payload as { step?: unknown } | undefined)?.step === 'string';

const advances = { code: routes.signupRegister, password: routes.signupVerify, done: routes.signupPassword };
const signup = createFlowSlice<SignupStep>('signup', 'register', api.endpoints.signupRegister.matchPending, advances, (builder, initial) =>
  builder
      .addMatcher(routes.signupState.fail.match, (state) => {
        state.loaded = true;
      })
      // A flow that ended (signup.no_flow, e.g. its session expired) starts again.
      .addMatcher(
        (action) => isFailFsa(action, 'signup.no_flow'),
        () => ({ ...initial, loaded: true }),
      )
      .addMatcher(routes.signupResendCode.fail.match, (state, action) => waitBeforeResend(state, retryAfterOf(action)))
      .addMatcher(carriesStep, (state, { payload }) => {
        state.loaded = true;
        state.step = STEP_OF[payload.step] ?? state.step;
        if (typeof payload.email === 'string') state.email = payload.email;
        waitBeforeResend(state, payload.resend_in);
      }),
);

export const signupRestarted = signup.restarted;
export default signup.reducer;
export const selectSignup = (state: { signup: FlowState<SignupStep> }) => state.signup;
