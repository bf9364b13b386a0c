import { useEffect, useState } from 'react';
import type { ZXCVBNResult } from 'zxcvbn';

type Zxcvbn = (password: string, userInputs?: string[]) => ZXCVBNResult;

// zxcvbn is ~800 kB with its dictionaries: load it only where a password is chosen.
let loading: Promise<Zxcvbn> | null = null;
let loaded: Zxcvbn | null = null;
export function loadZxcvbn(): Promise<Zxcvbn> {
  if (!loading) {
    loading = import(/* webpackChunkName: "zxcvbn" */ 'zxcvbn').then((m: { default?: Zxcvbn }) => {
      loaded = m.default ?? (m as unknown as Zxcvbn);
      return loaded;
    });
  }
  return loading;
}

export interface PasswordPolicy {
  min_length: number;
  min_score: number;
  max_length?: number;
}

export interface Strength {
  ready: boolean;
  /** zxcvbn's score, 0–4. */
  score: number;
  tooShort: boolean;
  ok: boolean;
  warning: string;
}

/** Words every attacker of this platform tries first — its name ("Tessera2024!"); the
 * service's policy has the same list (`common.passwords.PLATFORM_WORDS`). */
export const PLATFORM_WORDS = ['tessera'];

/** The user's own words as zxcvbn's dictionary wants them: an address and a name split
 * into their parts (`ada.lovelace@example.org` → ada, lovelace, example, org), as the
 * service splits them, and the platform's words. */
export function guessableWords(userInputs: (string | null | undefined)[]): string[] {
  const parts = userInputs.flatMap((input) => (input ? input.split(/[\s@.]+/) : [])).filter(Boolean);
  return [...PLATFORM_WORDS, ...userInputs.filter((input): input is string => Boolean(input)), ...parts];
}

/**
 * How good `password` is against the policy from jsconfig (min_length, min_score),
 * with zxcvbn's score 0–4 and its feedback. `userInputs` (name, email) and the platform's
 * name count as guessable.
 */
/**
 * The strength of `password` against `policy` right now, or null while zxcvbn is still
 * loading (its chunk is ~390 kB gzipped: on a slow link or a busy machine a user can
 * finish the form first). A form checks the value it submits with this, not the strength
 * of its last render, and leaves guessability to the service while this is null.
 */
export function judgePassword(password: string, policy: PasswordPolicy, userInputs: (string | null | undefined)[] = []): Strength | null {
  if (!loaded) return null;
  return strengthWith(loaded, password, policy, userInputs);
}

function strengthWith(zxcvbn: Zxcvbn, password: string, policy: PasswordPolicy, userInputs: (string | null | undefined)[]): Strength {
  const tooShort = password.length < policy.min_length;
  if (!password) return { ready: true, score: 0, tooShort, ok: false, warning: '' };
  const result = zxcvbn(password, guessableWords(userInputs));
  return {
    ready: true,
    score: result.score,
    tooShort,
    ok: !tooShort && result.score >= policy.min_score,
    warning: result.feedback.warning || '',
  };
}

export default function usePasswordStrength(password: string, policy: PasswordPolicy, userInputs: (string | null | undefined)[] = []): Strength {
  const [zxcvbn, setZxcvbn] = useState<Zxcvbn | null>(null);
  useEffect(() => {
    let active = true;
    loadZxcvbn().then((fn) => {
      if (active) setZxcvbn(() => fn);
    });
    return () => {
      active = false;
    };
  }, []);

  if (!zxcvbn) return { ready: false, score: 0, tooShort: password.length < policy.min_length, ok: false, warning: '' };
  return strengthWith(zxcvbn, password, policy, userInputs);
}
