/**
 * Every message key the services can answer with must be in both catalogues, so that a
 * new back-end key cannot ship untranslated. The keys are read from the Python sources:
 *
 * - the `@unique` Enums of translation keys (`services/<name>/helpers.py`,
 *   `services/am/central.py`, `common/messages.py`): lines `name = "dotted.key"`;
 * - the contact-list Enums made by `contact_messages("emails", "extra", …)`: every name of
 *   `MESSAGE_NAMES` in `common/contact_list.py` and the extras, prefixed with the service;
 * - `common/codes.py`: `<service>.code_invalid|code_expired|code_locked|code_throttled`
 *   for every service that issues or checks codes;
 * - `common/passwords.py`: the policy's reasons (`password.too_short` …).
 *
 * The msg worker's keys (`services/msg/errors.py`) are dead-letter reasons for the
 * operators, never shown to a user, and are left out.
 */
import fs from 'node:fs';
import path from 'node:path';
import en from './en.json';
import sv from './sv.json';

const ROOT = path.resolve(__dirname, '../../..');
const read = (...parts) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');
const exists = (...parts) => fs.existsSync(path.join(ROOT, ...parts));

const SERVICES = fs
  .readdirSync(path.join(ROOT, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_') && entry.name !== 'msg')
  .map((entry) => entry.name);

function pythonFiles(dir) {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((name) => name.endsWith('.py'))
    .map((name) => path.join(dir, name));
}

/** `    member = "dotted.key"` inside a class body (an Enum of translation keys). */
function enumKeys(text) {
  return [...text.matchAll(/^[ \t]+[a-z_][a-z0-9_]*\s*=\s*"([a-z_]+\.[a-z0-9_]+)"/gm)].map((m) => m[1]);
}

/** The quoted names of a Python tuple literal `NAME = (...)`. */
function tupleNames(text, name) {
  const match = text.match(new RegExp(`^${name}\\s*=\\s*\\(([^)]*)\\)`, 'm'));
  if (!match) throw new Error(`${name} not found`);
  return [...match[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

export function backendKeys() {
  const keys = new Set();
  const enumFiles = ['common/messages.py', 'common/fields.py', 'services/am/central.py'];
  for (const service of SERVICES) {
    if (exists('services', service, 'helpers.py')) enumFiles.push(`services/${service}/helpers.py`);
  }
  for (const file of enumFiles) enumKeys(read(file)).forEach((key) => keys.add(key));

  const contactNames = tupleNames(read('common/contact_list.py'), 'MESSAGE_NAMES');
  const codeNames = [...read('common/codes.py').matchAll(/f"\{_prefix\(\)\}\.([a-z_]+)"/g)].map((m) => m[1]);
  for (const service of SERVICES) {
    const sources = pythonFiles(`services/${service}`).map((file) => read(file)).join('\n');
    for (const m of sources.matchAll(/contact_messages\(\s*"([a-z_]+)"((?:\s*,\s*"[a-z_]+")*)\s*\)/g)) {
      const extras = [...m[2].matchAll(/"([a-z_]+)"/g)].map((e) => e[1]);
      [...contactNames, ...extras].forEach((name) => keys.add(`${m[1]}.${name}`));
    }
    // common.codes prefixes its keys with the service's name
    if (/\b(issue_code|verify_code)\b|from common import codes|common\.codes/.test(sources)) {
      codeNames.forEach((name) => keys.add(`${service}.${name}`));
    }
  }

  for (const m of read('common/passwords.py').matchAll(/"(password\.[a-z_]+)"/g)) keys.add(m[1]);
  return [...keys].sort();
}

describe('the catalogues and the services', () => {
  const keys = backendKeys();

  it('find the keys in the Python sources', () => {
    // a parser that finds nothing would pass the next test: check a few of each kind
    expect(keys).toEqual(
      expect.arrayContaining([
        'authn.invalid_credentials',
        'authn.reauthn_required',
        'am.sync_pending',
        'am.user_not_found',
        'emails.in_use',
        'emails.duplicate',
        'emails.code_throttled',
        'phones.not_mobile',
        'signup.code_locked',
        'reset_password.code_expired',
        'password.too_guessable',
        'validation.name_invalid',
        'security.weak_password',
      ]),
    );
  });

  it.each([
    ['en', en],
    ['sv', sv],
  ])('%s translates every message key of the services', (_, catalogue) => {
    expect(keys.filter((key) => !(key in catalogue))).toEqual([]);
  });
});
