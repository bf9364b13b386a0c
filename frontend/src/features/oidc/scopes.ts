/**
 * What a relying party may learn with each scope it asks for (OIDC Core §5.4), as the
 * consent page and the connected apps say it: the message id of one sentence per scope.
 */
export const SCOPE_SENTENCES: Record<string, string> = {
  openid: 'oidc.scope.openid',
  profile: 'oidc.scope.profile',
  email: 'oidc.scope.email',
  phone: 'oidc.scope.phone',
  offline_access: 'oidc.scope.offline_access',
};

/** The scopes to show, in the order of SCOPE_SENTENCES; scopes we do not know are left out
 * (the provider grants only its own). */
export function knownScopes(scopes: readonly string[]): string[] {
  return Object.keys(SCOPE_SENTENCES).filter((scope) => scopes.includes(scope));
}
