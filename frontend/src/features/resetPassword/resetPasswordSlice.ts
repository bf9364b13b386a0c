import { api } from '../../api/api';
import { routes } from '../../api/routes';
import { createFlowSlice, retryAfterOf, waitBeforeResend, type FlowState } from '../flowSlice';

export type ResetStep = 'start' | 'code' | 'password' | 'done';

// The service's states (GET /state) as the page's steps: a reload continues where it was.
// A reset that is done starts over when the page is opened again.
const STEP_OF: Record<string, ResetStep> = { start: 'start', verify: 'code', new_password: 'password', done: 'start' };

const advances = { code: routes.resetStart, password: routes.resetVerify, done: routes.resetNewPassword };
const reset = createFlowSlice<ResetStep>('resetPassword', 'start', api.endpoints.resetStart.matchPending, advances, (builder) =>
  builder
    .addMatcher(routes.resetState.success.match, (state, { payload }) => {
      state.loaded = true;
      state.step = STEP_OF[payload.step] ?? state.step;
      if (typeof payload.email === 'string') state.email = payload.email;
      waitBeforeResend(state, payload.resend_in);
    })
    .addMatcher(routes.resetStart.fail.match, (state, action) => waitBeforeResend(state, retryAfterOf(action))),
);

export const resetRestarted = reset.restarted;
export default reset.reducer;
export const selectResetPassword = (state: { resetPassword: FlowState<ResetStep> }) => state.resetPassword;
