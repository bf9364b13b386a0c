/**
 * Where the SPA goes after a login: the `next` query parameter, when it is safe.
 *
 * An open redirect (OWASP "Unvalidated Redirects and Forwards", CWE-601) would let any
 * link send a freshly logged-in user to a look-alike site. `next` is accepted only as a
 * same-origin relative path:
 * - it starts with exactly one `/` — not `//` nor `/\` (browsers read both as
 *   protocol-relative URLs: `//evil.example`);
 * - it has no scheme and no backslash before its query (some browsers and servers treat
 *   `\` as `/`);
 * - no control characters anywhere (the WHATWG URL parser drops tabs and newlines, so
 *   `/\t/evil.example` would become `//evil.example`);
 * - percent-decoded once, it still passes the same tests (a `/%2F%2Fevil.example` that
 *   some later decoder turns into `//evil.example`);
 * - the browser's own URL parser resolves it to this origin.
 *
 * Of the back end's paths only the OIDC authorization endpoint may be a target (the login
 * of a relying party's request): the others are JSON routes, never pages.
 */

/** The one back-end page `next` may lead to: it continues a relying party's sign-in. */
export const AUTHORIZE_PATH = '/api/oidc/authorize';

/** C0 and C1 control characters and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The checks of one form (raw, or decoded once) of `next`. */
function shapeIsSafe(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return false;
  const beforeQuery = path.split(/[?#]/, 1)[0];
  return !beforeQuery.includes('\\') && !/^\/*[a-z][a-z0-9+.-]*:/i.test(beforeQuery);
}

/**
 * `raw` (the value of `?next=`, already URL-decoded once by URLSearchParams) when it is
 * a safe same-origin relative path, else null. `origin` is this page's origin.
 */
export function safeNext(raw: string | null | undefined, origin: string = window.location.origin): string | null {
  if (!raw || raw.length > 4096 || CONTROL.test(raw) || !shapeIsSafe(raw)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null; // malformed percent-encoding: not something we produced
  }
  const decodedPath = decoded.split(/[?#]/, 1)[0];
  if (!shapeIsSafe(decoded) || CONTROL.test(decodedPath)) return null;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  if (url.pathname.startsWith('/api/') && url.pathname !== AUTHORIZE_PATH) return null;
  return url.pathname + url.search + url.hash;
}

/** Whether `path` (a `safeNext` result) is served by the back end, not the SPA's router:
 * the browser must load it as a page (`window.location.assign`). */
export const isServerPage = (path: string): boolean => path.startsWith('/api/');
