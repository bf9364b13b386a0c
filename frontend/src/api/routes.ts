/**
 * Every route the SPA calls, in one table, typed from the services' OpenAPI documents
 * (`src/api/generated/*`, made by `npm run gen:api` from `src/api/openapi/*.json`).
 * A route that a service drops or renames, or a body or payload that changes shape, is
 * a type error wherever it is used.
 *
 * Each entry carries its request type (`POST_EMAILS_NEW`) and the typed creators of its
 * two answers (`routes.emailsNew.success.match(action)`); `api.ts` turns the table into
 * RTK Query endpoints of the same names.
 */
import { answerCreators, requestType } from './fsa';
import type { paths as AuthnPaths } from './generated/authn';
import type { paths as EmailsPaths } from './generated/emails';
import type { paths as JsconfigPaths } from './generated/jsconfig';
import type { paths as OidcPaths } from './generated/oidc';
import type { paths as PersonalDataPaths } from './generated/personal_data';
import type { paths as PhonesPaths } from './generated/phones';
import type { paths as ResetPasswordPaths } from './generated/reset_password';
import type { paths as SecurityPaths } from './generated/security';
import type { paths as SignupPaths } from './generated/signup';

type Method = 'get' | 'post';
type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** The route names (after `/api/<service>/`) of `P` that have `method`. */
type RouteName<P, M extends Method> = {
  [K in keyof P]: K extends `/api/${string}/${infer R}` ? (P[K] extends Record<M, object> ? R : never) : never;
}[keyof P];

type OperationOf<P, M extends Method, R extends string> = {
  [K in keyof P]: K extends `/api/${string}/${R}` ? (P[K] extends Record<M, infer O> ? O : never) : never;
}[keyof P];

/** The `payload` of the route's SUCCESS answer. */
type SuccessOf<O> = O extends { responses: { 200: infer A } }
  ? JsonOf<A> extends { payload: infer P }
    ? P
    : never
  : Record<string, never>;

/** The request body; omittable when every field of it is optional (or it has none). */
type BodyOf<O> = O extends { requestBody?: infer B }
  ? [JsonOf<B>] extends [never]
    ? void
    : Record<string, never> extends JsonOf<B>
      ? JsonOf<B> | void
      : JsonOf<B>
  : void;

/** How to call a route (what every entry of the table has, whatever its types). */
export interface RouteInfo {
  method: 'GET' | 'POST';
  /** The service as its URL names it (`personal-data`). */
  service: string;
  route: string;
  /** `POST_EMAILS_NEW`: the answers are `<type>_SUCCESS` and `<type>_FAIL`. */
  type: string;
  /**
   * A GET provides this RTK Query tag; a POST makes it stale after a success (unless the
   * answer carries the list itself), so whoever shows it reads it again.
   */
  tag?: Tag;
}

/** One route: how to call it, and the typed creators of its answers. */
export interface Route<M extends 'GET' | 'POST', Body, Payload> extends RouteInfo {
  method: M;
  success: ReturnType<typeof answerCreators<Payload>>['success'];
  fail: ReturnType<typeof answerCreators<Payload>>['fail'];
  /** Type only: the request body. */
  body?: Body;
}

/** The lists a payload may carry whole. */
export type ListName = 'emails' | 'phones';
/** What can go stale: the lists, the session (after a login), the config (a stale CSRF token). */
export type Tag = ListName | 'session' | 'config';

function service<P>(name: string) {
  const make = <M extends 'GET' | 'POST', Body, Payload>(method: M, route: string, tag?: Tag) => {
    // a path parameter is not part of the type, as on the server (`consent/{request_id}` → GET_OIDC_CONSENT)
    const type = requestType(method, name, route.replace(/\{[^}]*\}/g, ''));
    const info: RouteInfo = { method, service: name, route, type, tag };
    return { ...info, method, ...answerCreators<Payload>(type) } as Route<M, Body, Payload>;
  };
  return {
    get: <R extends RouteName<P, 'get'>>(route: R, tag?: Tag) =>
      make<'GET', void, SuccessOf<OperationOf<P, 'get', R>>>('GET', route, tag),
    post: <R extends RouteName<P, 'post'>>(route: R, tag?: Tag) =>
      make<'POST', BodyOf<OperationOf<P, 'post', R>>, SuccessOf<OperationOf<P, 'post', R>>>('POST', route, tag),
  };
}

const jsconfig = service<JsconfigPaths>('jsconfig');
const authn = service<AuthnPaths>('authn');
const personalData = service<PersonalDataPaths>('personal-data');
const emails = service<EmailsPaths>('emails');
const phones = service<PhonesPaths>('phones');
const security = service<SecurityPaths>('security');
const signup = service<SignupPaths>('signup');
const resetPassword = service<ResetPasswordPaths>('reset-password');
const oidc = service<OidcPaths>('oidc');

export const routes = {
  config: jsconfig.get('config', 'config'),
  session: authn.get('session', 'session'),
  login: authn.post('login', 'session'),
  logout: authn.post('logout'),
  reauthenticate: authn.post('reauthenticate'),
  mfaTotp: authn.post('mfa/totp', 'session'),
  mfaWebauthnBegin: authn.post('mfa/webauthn/begin'),
  mfaWebauthnComplete: authn.post('mfa/webauthn/complete', 'session'),
  mfaRecoveryCode: authn.post('mfa/recovery-code', 'session'),
  passkeyBegin: authn.post('passkey/begin'),
  passkeyComplete: authn.post('passkey/complete', 'session'),
  user: personalData.get('user'),
  saveUser: personalData.post('user'),
  emailsAll: emails.get('all', 'emails'),
  emailsNew: emails.post('new', 'emails'),
  emailsVerify: emails.post('verify', 'emails'),
  emailsResendCode: emails.post('resend-code'),
  emailsPrimary: emails.post('primary', 'emails'),
  emailsRemove: emails.post('remove', 'emails'),
  phonesAll: phones.get('all', 'phones'),
  phonesNew: phones.post('new', 'phones'),
  phonesVerify: phones.post('verify', 'phones'),
  phonesResendCode: phones.post('resend-code'),
  phonesPrimary: phones.post('primary', 'phones'),
  phonesRemove: phones.post('remove', 'phones'),
  credentials: security.get('credentials'),
  changePassword: security.post('change-password'),
  terminate: security.post('terminate'),
  totpBegin: security.post('totp/begin'),
  totpComplete: security.post('totp/complete'),
  webauthnRegisterBegin: security.post('webauthn/register/begin'),
  webauthnRegisterComplete: security.post('webauthn/register/complete'),
  credentialsRemove: security.post('credentials/remove'),
  recoveryCodes: security.post('recovery-codes'),
  sessions: security.get('sessions'),
  sessionsRevoke: security.post('sessions/revoke'),
  sessionsRevokeOthers: security.post('sessions/revoke-others'),
  devices: security.get('devices'),
  devicesForget: security.post('devices/forget'),
  // read page by page (`before`) and as a re-authenticated download: see features/console/consoleApi.ts
  events: security.get('events'),
  dataExport: security.get('export'),
  // the OpenID provider's SPA routes; {request_id} is filled in by features/oidc/oidcApi.ts
  consentRequest: oidc.get('consent/{request_id}'),
  consentAnswer: oidc.post('consent/{request_id}'),
  logoutRequest: oidc.get('logout/{request_id}'),
  logoutAnswer: oidc.post('logout/{request_id}'),
  consents: oidc.get('consents'),
  consentsRevoke: oidc.post('consents/revoke'),
  signupState: signup.get('state'),
  signupRegister: signup.post('register'),
  signupVerify: signup.post('verify'),
  signupResendCode: signup.post('resend-code'),
  signupPassword: signup.post('password', 'session'),
  resetState: resetPassword.get('state'),
  resetStart: resetPassword.post('start'),
  resetVerify: resetPassword.post('verify'),
  resetNewPassword: resetPassword.post('new-password'),
};

export type Routes = typeof routes;
export type RouteKey = keyof Routes;
export type BodyOfRoute<R> = R extends { body?: infer B } ? B : never;
export type PayloadOfRoute<R> = R extends { success: (payload: infer P) => unknown } ? P : never;
