#!/usr/bin/env node
// `npm run gen:api`: renders kanzen's schema tables (OpenAPI field definitions, protobuf field
// tables, patch metadata, printer column descriptions) and the API objects' TypeScript types
// from src/api/schema/kubernetes-1.33.schema.json.
// No network. `--check` writes nothing and exits 1 when a committed file is not current.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAll } from './render.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const facts = JSON.parse(readFileSync(join(root, 'src/api/schema/kubernetes-1.33.schema.json'), 'utf8'));
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of Object.entries(renderAll(facts))) {
  const file = join(root, path);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
  if (check) {
    console.error(`${path} is not current: run npm run gen:api`);
    stale++;
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
