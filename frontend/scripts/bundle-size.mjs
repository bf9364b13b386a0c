#!/usr/bin/env node
/**
 * The SPA's initial JS, gzipped: the scripts dist/index.html loads (runtime, vendor,
 * main), each compressed as `gzip -c` does (deflate level 6), summed. Lazy chunks (the
 * pages after the first screen, zxcvbn, WebAuthn) are listed but not counted.
 * kB = 1000 bytes. Issue 14: must stay under 150 kB; issue 15's target: 120 kB.
 *
 *   node scripts/bundle-size.mjs [--dist DIR] [--max KB] [--json]
 *
 * --max KB  exit 1 when the initial JS is above KB (the build runs it with 150).
 * --json    one JSON object: {initial_js_gzip_bytes, initial_js_gzip_kb, scripts, lazy}.
 * Exit 2 when dist has no index.html (run `npm run build` first).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const dist = resolve(option('--dist') || join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
const max = option('--max') === undefined ? null : Number(option('--max'));
const json = args.includes('--json');

const indexHtml = join(dist, 'index.html');
if (!existsSync(indexHtml)) {
  console.error(`${indexHtml} not found: build the SPA first (npm run build)`);
  process.exit(2);
}

const gzipped = (file) => gzipSync(readFileSync(join(dist, file)), { level: 6 }).length;
const kb = (bytes) => Math.round(bytes / 100) / 10;

// The <script src="/x.js"> tags of index.html, in order (same-origin, publicPath "/").
const initial = [...readFileSync(indexHtml, 'utf8').matchAll(/<script\b[^>]*\bsrc="\/?([^"]+\.js)"/g)].map((m) => m[1]);
const scripts = initial.map((file) => ({ file, gzip_bytes: gzipped(file) }));
const lazy = readdirSync(dist)
  .filter((file) => file.endsWith('.js') && !initial.includes(file))
  .sort()
  .map((file) => ({ file, gzip_bytes: gzipped(file) }));
const total = scripts.reduce((sum, script) => sum + script.gzip_bytes, 0);

if (json) {
  console.log(JSON.stringify({ initial_js_gzip_bytes: total, initial_js_gzip_kb: kb(total), scripts, lazy }));
} else {
  for (const s of scripts) console.log(`  ${String(kb(s.gzip_bytes)).padStart(7)} kB  ${s.file}`);
  console.log(`initial JS gzipped: ${kb(total)} kB${max === null ? '' : ` (limit ${max} kB)`}`);
  console.log(`lazy chunks: ${lazy.map((s) => `${s.file.replace(/\.[0-9a-f]{16,}\.js$/, '')} ${kb(s.gzip_bytes)}`).join(', ')}`);
}
if (max !== null && total > max * 1000) {
  console.error(`initial JS ${kb(total)} kB gzipped is above the limit of ${max} kB`);
  process.exit(1);
}
