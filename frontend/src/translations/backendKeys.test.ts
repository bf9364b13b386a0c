/**
 * Every message key the services can answer with must be in both catalogues, so that a
 * new back-end key cannot ship untranslated. The services list their keys themselves:
 * `python -m common.messages` (run from the repository root with its .venv) prints every
 * user-facing key of common and of every service as a JSON array. Operator-only keys
 * (the msg worker's dead-letter reasons) are not in it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import en from './en.json';
import sv from './sv.json';

const ROOT = path.resolve(__dirname, '../../..');
const PYTHON = process.env.TESSERA_PYTHON || path.join(ROOT, '.venv', 'bin', 'python');

function backendKeys(): string[] {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} not found: run \`make install\` (or set TESSERA_PYTHON)`);
  const out = execFileSync(PYTHON, ['-m', 'common.messages'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const keys: unknown = JSON.parse(out);
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
    throw new Error(`python -m common.messages printed ${out.slice(0, 200)}`);
  }
  return keys;
}

describe('the catalogues and the services', () => {
  const keys = backendKeys();

  it('read the keys the services list', () => {
    // a command that lists nothing would pass the next test: check a few of each kind
    expect(keys).toEqual(
      expect.arrayContaining([
        'authn.invalid_credentials',
        'authn.reauthn_required',
        'am.sync_pending',
        'emails.code_throttled',
        'phones.not_mobile',
        'signup.code_locked',
        'reset_password.code_expired',
        'password.too_guessable',
        'security.weak_password',
      ]),
    );
  });

  it.each([
    ['en', en as Record<string, string>],
    ['sv', sv as Record<string, string>],
  ])('%s translates every message key of the services', (_, catalogue) => {
    expect(keys.filter((key) => !(key in catalogue))).toEqual([]);
  });
});
