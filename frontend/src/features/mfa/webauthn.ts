/**
 * The browser's side of WebAuthn (W3C Web Authentication Level 2), through
 * `@simplewebauthn/browser`, which turns the services' JSON options (base64url) into
 * `navigator.credentials.create/get` calls and their credentials back into JSON.
 * The library is loaded on first use, in a chunk of its own: the login page's first
 * paint does not wait for it.
 */
import { useEffect, useRef, useState } from 'react';

const library = () => import(/* webpackChunkName: "webauthn" */ '@simplewebauthn/browser');

/** WebAuthn options as a service sends them (`options` of a begin route). */
export type OptionsJson = Record<string, unknown>;

/** A new credential (registration) for `options` (PublicKeyCredentialCreationOptions JSON). */
export async function createCredential(options: OptionsJson): Promise<unknown> {
  const { startRegistration } = await library();
  return startRegistration({ optionsJSON: options as never });
}

/**
 * An assertion for `options` (PublicKeyCredentialRequestOptions JSON). With `autofill`
 * the browser offers the passkeys in the username field's autofill (conditional
 * mediation) instead of a dialog.
 */
export async function getCredential(options: OptionsJson, autofill = false): Promise<unknown> {
  const { startAuthentication } = await library();
  return startAuthentication({ optionsJSON: options as never, useBrowserAutofill: autofill });
}

/** Whether the browser offers passkeys in autofill (conditional UI). */
export async function supportsAutofill(): Promise<boolean> {
  if (typeof window === 'undefined' || !window.PublicKeyCredential) return false;
  const { browserSupportsWebAuthnAutofill } = await library();
  return browserSupportsWebAuthnAutofill();
}

/** The message key for a ceremony that failed in the browser (null: aborted on purpose). */
export function ceremonyError(error: unknown): string | null {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'AbortError') return null;
  if (name === 'NotAllowedError') return 'webauthn.not_allowed';
  if (name === 'InvalidStateError') return 'security.webauthn_exists';
  return 'webauthn.failed';
}

/**
 * Runs a WebAuthn ceremony each time a begin route answers anew: `begun` is the begin
 * mutation's data (`{options}`), `run` the browser's part, `finish` sends its
 * credential to the complete route. The answer that was there when the component
 * mounted is not run again. Returns the browser's failure as a message key, or null.
 * A begin request that the reauthn saga sent again answers through the same
 * (fixedCacheKey) state, so the ceremony runs after a re-authentication too.
 */
export function useCeremony(
  begun: { options: OptionsJson } | undefined,
  run: (options: OptionsJson) => Promise<unknown>,
  finish: (credential: unknown) => void,
): [string | null, (message: string | null) => void] {
  const handled = useRef(begun);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef({ run, finish });
  latest.current = { run, finish };
  useEffect(() => {
    if (!begun || handled.current === begun) return;
    handled.current = begun;
    setError(null);
    latest.current.run(begun.options).then(
      (credential) => latest.current.finish(credential),
      (failure: unknown) => setError(ceremonyError(failure)),
    );
  }, [begun]);
  return [error, setError];
}
