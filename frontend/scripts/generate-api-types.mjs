// Generates src/api/generated/<service>.ts from the services' OpenAPI documents that
// `python -m devstack.openapi_dump frontend/src/api/openapi` dumped (committed; a pytest
// test proves they equal what the services build). `npm test` and `npm run build` run
// this first, so a contract change becomes a type error in `tsc --noEmit`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(here, '../src/api/openapi');
const TARGET = path.resolve(here, '../src/api/generated');

fs.mkdirSync(TARGET, { recursive: true });
const wanted = new Set();
for (const file of fs.readdirSync(SOURCE).filter((name) => name.endsWith('.json')).sort()) {
  const service = path.basename(file, '.json');
  const document = JSON.parse(fs.readFileSync(path.join(SOURCE, file), 'utf8'));
  const ast = await openapiTS(document, { alphabetize: true, emptyObjectsUnknown: true, defaultNonNullable: false });
  const text = `// Generated from src/api/openapi/${file} by scripts/generate-api-types.mjs. Do not edit.\n${astToString(ast)}`;
  const target = path.join(TARGET, `${service}.ts`);
  wanted.add(path.basename(target));
  // Written only when it changed, so webpack's and the dev stack's "newer than dist" checks hold.
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
}
for (const name of fs.readdirSync(TARGET)) {
  if (!wanted.has(name)) fs.rmSync(path.join(TARGET, name));
}
