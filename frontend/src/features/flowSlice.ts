import { createAction, createSlice, type ActionReducerMapBuilder, type UnknownAction } from '@reduxjs/toolkit';

/** Where a self-service flow (signup, reset password) is, as its page shows it. */
export interface FlowState<Step extends string> {
  step: Step;
  /** The address the flow runs for (the code was mailed to it). */
  email: string;
  /** Whether the service said where this session's flow is (signup reads it after a reload). */
  loaded: boolean;
}

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
  const initialState = { step: first, email: '', loaded: false } as FlowState<Step>;
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
