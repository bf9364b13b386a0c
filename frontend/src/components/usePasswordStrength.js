import { useEffect, useState } from 'react';

// zxcvbn is ~800 kB with its dictionaries: load it only where a password is chosen.
let loading = null;
export function loadZxcvbn() {
  if (!loading) loading = import(/* webpackChunkName: "zxcvbn" */ 'zxcvbn').then((m) => m.default || m);
  return loading;
}

/**
 * How good `password` is against the policy from jsconfig (min_length, min_score),
 * with zxcvbn's score 0–4 and its feedback. `userInputs` (name, email) count as guessable.
 */
export default function usePasswordStrength(password, policy, userInputs = []) {
  const [zxcvbn, setZxcvbn] = useState(null);
  useEffect(() => {
    let active = true;
    loadZxcvbn().then((fn) => {
      if (active) setZxcvbn(() => fn);
    });
    return () => {
      active = false;
    };
  }, []);

  const tooShort = password.length < policy.min_length;
  if (!password || !zxcvbn) {
    return { ready: Boolean(zxcvbn), score: 0, tooShort, ok: false, warning: '' };
  }
  const result = zxcvbn(password, userInputs.filter(Boolean));
  return {
    ready: true,
    score: result.score,
    tooShort,
    ok: !tooShort && result.score >= policy.min_score,
    warning: result.feedback.warning || '',
  };
}
