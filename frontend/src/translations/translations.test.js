import fs from 'node:fs';
import path from 'node:path';
import en from './en.json';
import sv from './sv.json';

const SRC = path.resolve(__dirname, '..');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.js$/.test(entry.name) && !/\.test\.js$/.test(entry.name) && !full.includes(`${path.sep}test${path.sep}`)
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
    const ids = new Set();
    for (const file of sources(SRC)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bid(?:=|: )["']([a-z_]+\.[a-z0-9_.]+)["']/g)) ids.add(m[1]);
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
    const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) expect([key, placeholders(sv[key])]).toEqual([key, placeholders(en[key])]);
  });
});
