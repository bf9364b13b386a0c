/**
 * Request state with RTK Query: one endpoint per entry of the route table (`routes.ts`),
 * of the same name — GET routes are queries, POST routes mutations.
 *
 * The base query sends through `callApi` with the session's CSRF token and dispatches
 * the service's answer, an FSA, into the store as it is: the slices keep what the
 * answers carry (`routes.x.success.match`), the notifications show `payload.message`,
 * and a rotated `csrf_token` in any payload replaces the stored one (configSlice).
 * RTK Query keeps whether each call is in flight and its failure (`error` is the FAIL
 * FSA, with the field errors). Tags say what goes stale: a success that does not carry
 * the list it changed, a login (the session) and a refused CSRF token (the config, which
 * brings a fresh token).
 *
 * The cache is not where the SPA keeps data (the slices are), so nothing is kept once no
 * component uses it, and a component that mounts reads its data again.
 */
import type { UnknownAction } from '@reduxjs/toolkit';
import {
  createApi,
  QueryStatus,
  type BaseQueryFn,
  type MutationDefinition,
  type QueryDefinition,
  type TypedUseMutation,
} from '@reduxjs/toolkit/query/react';
import { useMemo } from 'react';
import { callApi, serviceUrl } from './client';
import { isFailFsa, type FailFsa, type FieldErrors } from './fsa';
import { routes, type BodyOfRoute, type PayloadOfRoute, type RouteInfo, type Routes, type Tag } from './routes';

/** What an endpoint hands the base query: its route and the request body. */
export interface Call {
  route: RouteInfo;
  body?: unknown;
}

/** The part of the store the base query reads (the config slice's state). */
interface ConfigView {
  config: { csrfToken: string | null; services: Record<string, string> };
}

const TAGS: Tag[] = ['config', 'session', 'emails', 'phones'];

const fsaBaseQuery: BaseQueryFn<Call, unknown, FailFsa> = async ({ route, body }, { dispatch, getState }) => {
  const { config } = getState() as ConfigView;
  const answer = await callApi({
    url: serviceUrl(config.services, route.service, route.route),
    method: route.method,
    body,
    csrfToken: config.csrfToken,
    type: route.type,
  });
  dispatch(answer as UnknownAction);
  if (!isFailFsa(answer)) return { data: answer.payload };
  // 403 csrf.invalid: our token is stale (the session changed under us); jsconfig is
  // read again for a fresh one, so that the user's next attempt can succeed.
  if (isFailFsa(answer, 'csrf.invalid')) dispatch(api.util.invalidateTags(['config']));
  return { error: answer };
};

type BaseQuery = typeof fsaBaseQuery;
type Definition<R> = R extends { method: 'GET' }
  ? QueryDefinition<void, BaseQuery, Tag, PayloadOfRoute<R>, 'api'>
  : MutationDefinition<BodyOfRoute<R>, BaseQuery, Tag, PayloadOfRoute<R>, 'api'>;
type Definitions = { [K in keyof Routes]: Definition<Routes[K]> };

/** Whether a success payload carries the whole list `tag` (then nothing is re-read). */
const carries = (result: unknown, tag: Tag) =>
  result !== null && typeof result === 'object' && Array.isArray((result as Record<string, unknown>)[tag]);

export const api = createApi({
  reducerPath: 'api',
  baseQuery: fsaBaseQuery,
  tagTypes: TAGS,
  keepUnusedDataFor: 0,
  refetchOnMountOrArgChange: true,
  endpoints: (build) =>
    Object.fromEntries(
      Object.entries(routes as Record<string, RouteInfo>).map(([name, route]) => {
        const { tag } = route;
        if (route.method === 'GET') {
          return [name, build.query<unknown, void>({ query: () => ({ route }), providesTags: tag ? [tag] : [] })];
        }
        const stale = (result: unknown, error: unknown): Tag[] => (tag && !error && !carries(result, tag) ? [tag] : []);
        return [name, build.mutation<unknown, unknown>({ query: (body) => ({ route, body }), invalidatesTags: stale })];
      }),
    ) as unknown as Definitions,
});

export type MutationName = { [K in keyof Routes]: Routes[K] extends { method: 'POST' } ? K : never }[keyof Routes];

/**
 * POSTs that are not a user's action: the login page asks for passkey options by itself
 * as it opens (WebAuthn conditional UI), which must not clear what the page says
 * ("You are logged out.").
 */
const NOT_USER_ACTIONS: ReadonlySet<string> = new Set<MutationName>(['passkeyBegin']);

const MUTATIONS = (Object.keys(routes) as (keyof Routes)[]).filter(
  (name): name is MutationName => routes[name].method === 'POST' && !NOT_USER_ACTIONS.has(name),
);

/** A POST (a user's action) was sent: what the previous one said no longer applies. */
export const isMutationStarted = (action: UnknownAction): boolean =>
  MUTATIONS.some((name) => api.endpoints[name].matchPending(action));

/** The endpoint of a POST sent again, whatever its body type (the reauthn saga's retry). */
interface Resendable {
  initiate(body: unknown, options: { fixedCacheKey: string }): (dispatch: unknown, getState: unknown, extra: unknown) => unknown;
}

/** The thunk that sends mutation `name` again with `body`, sharing its hooks' state. */
export function resend(name: MutationName, body: unknown) {
  return (api.endpoints[name] as unknown as Resendable).initiate(body, { fixedCacheKey: name });
}

interface ApiState {
  api: ReturnType<typeof api.reducer>;
}

/**
 * Whether a page is reading its data (the header's busy bar): queries only, once the
 * configuration is there — a save shows itself on its busy button, and the first load its
 * one spinner (the start-up gate's), so neither says "Loading…" a second time.
 */
export const selectPageLoading = (state: ApiState): boolean =>
  Object.values(state.api.queries).some((entry) => entry?.status === QueryStatus.pending && entry.endpointName !== 'config');

/** Whether any call is in flight. */
export const selectAnyBusy = (state: ApiState): boolean =>
  [...Object.values(state.api.queries), ...Object.values(state.api.mutations)].some(
    (entry) => entry?.status === QueryStatus.pending,
  );

const NO_ERRORS: FieldErrors = {};

/** A body that may be omitted (every field optional) may be left out of the call. */
type SendArgs<Body> = [void] extends [Body] ? [body?: Exclude<Body, void>] : [body: Body];

/** A mutation endpoint of `api`, for `useRequest`. */
interface MutationEndpoint<Body, Payload> {
  name: string;
  useMutation: TypedUseMutation<Payload, Body, BaseQuery>;
}

/**
 * One POST route for a component: `send(body)` sends it, `busy` while it runs,
 * `errors` the field errors of its last answer, `failed`/`succeeded` how that answer
 * ended and `message` its key. Every user of a route shares one state (the route's
 * name is its cache key), also with a retry the reauthn saga sends.
 */
export function useRequest<Body, Payload>(endpoint: MutationEndpoint<Body, Payload>) {
  const [send, state] = endpoint.useMutation({ fixedCacheKey: endpoint.name });
  const { isLoading, isError, isSuccess, error } = state;
  return useMemo(
    () => {
      const fail = isFailFsa(error) ? error : undefined;
      return {
        send: (...args: SendArgs<Body>) => {
          send(args[0] as Body);
        },
        busy: isLoading,
        failed: isError,
        succeeded: isSuccess,
        errors: fail?.payload.errors ?? NO_ERRORS,
        message: fail?.payload.message ?? (isError ? 'notifications.generic_error' : null),
      };
    },
    [send, isLoading, isError, isSuccess, error],
  );
}
