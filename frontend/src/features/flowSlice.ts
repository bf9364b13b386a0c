import { createAction, createSlice, type ActionReducerMapBuilder, type UnknownAction } from '@reduxjs/toolkit';

/** Where a self-service flow (signup, reset password) is, as its page shows it. */
export interface FlowState<Step extends string> {
  step: Step;
  /** The address the flow runs for (the code was mailed to it). */
  email: string;
  /** Whether the service said where this session's flow is (signup reads it after a reload). */
  loaded: boolean;
  /** Seconds until a new code may be sent, as the service last said (`resend_in`, a 429's
   * Retry-After), and a count of how often it said so (a page restarts its countdown). */
  resendWait: number;
  resendSaid: number;
}

/** Record a wait before a new code may be sent (seconds, from the service). */
export function waitBeforeResend<Step extends string>(state: FlowState<Step>, seconds: unknown) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return;
  state.resendWait = Math.max(0, Math.ceil(seconds));
  state.resendSaid += 1;
}

/** A throttled answer's wait (`meta.retry_after`, set by the API client on a 429). */
export const retryAfterOf = (action: { meta?: unknown }): unknown =>
  (action.meta as { retry_after?: unknown } | undefined)?.retry_after;

/** The request that starts a flow, for the address it was sent with. */
type Started = (action: UnknownAction) => action is UnknownAction & { meta: { arg: { originalArgs: { email: string } } } };
/** Step → the route whose success leads to it. */
type Advances<Step extends string> = Partial<Record<Step, { success: { match: (action: unknown) => boolean } }>>;
/** What else the flow's state follows (added after the advances). */
type Extra<Step extends string> = (builder: ActionReducerMapBuilder<FlowState<Step>>, initial: FlowState<Step>) => void;

/**
 * A slice for a flow of steps (`first`, then each of `advances` after its route's success),
 * with a `restarted` action (the user starts over with another address).
 */
export function createFlowSlice<Step extends string>(name: string, first: Step, started: Started, advances: Advances<Step>, extra?: Extra<Step>) {
  const restarted = createAction(`${name}/restarted`);
  const initialState = { step: first, email: '', loaded: false, resendWait: 0, resendSaid: 0 } as FlowState<Step>;
  const slice = createSlice({
    name,
    initialState,
    reducers: {},
    extraReducers: (builder) => {
      builder
        .addCase(restarted, (state) => ({ ...initialState, loaded: state.loaded }))
        .addMatcher(started, (state, action) => {
          state.email = action.meta.arg.originalArgs.email;
        });
      for (const [step, route] of Object.entries(advances) as [Step, { success: { match: (a: unknown) => boolean } }][]) {
        builder.addMatcher(route.success.match, (state) => {
          // immer's Draft of a generic string union is the union itself
          (state as FlowState<Step>).step = step;
        });
      }
      extra?.(builder, initialState);
    },
  });
  return { reducer: slice.reducer, restarted };
}
