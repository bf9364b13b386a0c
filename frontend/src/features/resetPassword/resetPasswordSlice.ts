import { api } from '../../api/api';
import { routes } from '../../api/routes';
import { createFlowSlice, type FlowState } from '../flowSlice';

export type ResetStep = 'start' | 'code' | 'password' | 'done';

const advances = { code: routes.resetStart, password: routes.resetVerify, done: routes.resetNewPassword };
const reset = createFlowSlice<ResetStep>('resetPassword', 'start', api.endpoints.resetStart.matchPending, advances);

export const resetRestarted = reset.restarted;
export default reset.reducer;
export const selectResetPassword = (state: { resetPassword: FlowState<ResetStep> }) => state.resetPassword;
