import fs from 'node:fs';
import path from 'node:path';
import enJson from './en.json';
import svJson from './sv.json';

const en: Record<string, string> = enJson;
const sv: Record<string, string> = svJson;
const SRC = path.resolve(__dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full.endsWith(`${path.sep}generated`) ? [] : sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !full.includes(`${path.sep}test${path.sep}`)
      ? [full]
      : [];
  });
}

describe('message catalogues', () => {
  it('have the same keys in English and Swedish, none empty', () => {
    expect(Object.keys(sv).sort()).toEqual(Object.keys(en).sort());
    for (const catalogue of [en, sv]) {
      for (const [key, text] of Object.entries(catalogue)) expect([key, text.trim().length > 0]).toEqual([key, true]);
    }
  });

  it('translate every literal message id the UI uses', () => {
    const ids = new Set<string>();
    for (const file of sources(SRC)) {
      const text = fs.readFileSync(file, 'utf8');
      // ids, and the message ids the form component, cards and steps take as props
      const prop = /\b(?:id|label|hint|submitLabel|title|intro|message|sent|restart)(?:=|: )["'`]([a-z_]+\.[a-z0-9_.]+)["'`]/g;
      for (const m of text.matchAll(prop)) ids.add(m[1]);
      for (const m of text.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) {
        if (/^(notifications|password|security|emails|phones|authn|reset_password|signup|personal_data)\./.test(m[1])) ids.add(m[1]);
      }
    }
    expect(ids.size).toBeGreaterThan(50);
    expect([...ids].filter((id) => !(id in en))).toEqual([]);
  });

  it('translate the API message keys of the contract', () => {
    const keys = [
      'authn.invalid_credentials',
      'authn.required',
      'authn.reauthn_required',
      'csrf.invalid',
      'signup.weak_password',
      'emails.code_invalid',
      'http.not_found',
      'http.method_not_allowed',
      'http.request_entity_too_large',
      'http.internal_server_error',
      'backend.unavailable',
      'request.invalid',
      'request.throttled',
      'request.not_json',
      'request.conflict',
      'network.error',
    ];
    expect(keys.filter((key) => !(key in en) || !(key in sv))).toEqual([]);
  });

  it('keep placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) expect([key, placeholders(sv[key])]).toEqual([key, placeholders(en[key])]);
  });
});
