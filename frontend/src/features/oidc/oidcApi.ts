/**
 * The OpenID provider's SPA routes (API.md *oidc*) whose path carries the id of a request
 * waiting for the user: the consent (`/api/oidc/consent/<id>`) and the RP-initiated
 * logout (`/api/oidc/logout/<id>`). They replace the generic endpoints of the same names
 * (which cannot fill in a path parameter) and are sent, like every route, through the
 * FSA base query: their answers reach the store and the notifications.
 */
import { api } from '../../api/api';
import { routes, type PayloadOfRoute, type RouteInfo } from '../../api/routes';

export type ConsentShown = PayloadOfRoute<typeof routes.consentRequest>;
export type LogoutShown = PayloadOfRoute<typeof routes.logoutRequest>;
export type Redirect = PayloadOfRoute<typeof routes.consentAnswer>;
export type ConnectedApp = PayloadOfRoute<typeof routes.consents>['consents'][number];

/** `route` with its `{request_id}` filled in (URL-encoded: the id comes from the address bar). */
export function withRequestId(route: RouteInfo, id: string): RouteInfo {
  return { ...route, route: route.route.replace('{request_id}', encodeURIComponent(id)) };
}

export const oidcApi = api.injectEndpoints({
  overrideExisting: true,
  endpoints: (build) => ({
    consentRequest: build.query<ConsentShown, string>({
      query: (id) => ({ route: withRequestId(routes.consentRequest, id) }),
    }),
    consentAnswer: build.mutation<Redirect, { id: string; approve: boolean }>({
      query: ({ id, approve }) => ({ route: withRequestId(routes.consentAnswer, id), body: { approve } }),
    }),
    logoutRequest: build.query<LogoutShown, string>({
      query: (id) => ({ route: withRequestId(routes.logoutRequest, id) }),
    }),
    logoutAnswer: build.mutation<Redirect, { id: string; confirm: boolean }>({
      query: ({ id, confirm }) => ({ route: withRequestId(routes.logoutAnswer, id), body: { confirm } }),
    }),
  }),
});
