/**
 * A full page load of `url`: the relying party's redirect URI after a consent or a
 * logout, and the back end's authorization endpoint after a login — pages the SPA's
 * router does not serve. One function, so that tests can see where the SPA went.
 */
export function leave(url: string): void {
  window.location.assign(url);
}
