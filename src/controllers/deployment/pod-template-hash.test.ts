import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../api/types.js';
import { canonicalJSON, computeHash, fnv32a, safeEncodeString } from './pod-template-hash.js';

const enc = (s: string) => new TextEncoder().encode(s);

test('fnv32a matches the FNV-1a reference values', () => {
  assert.equal(fnv32a(enc('')), 0x811c9dc5);
  assert.equal(fnv32a(enc('a')), 0xe40c292c);
  assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
  // Writing in two parts is the same as writing once (hash.Hash32 Write semantics).
  assert.equal(fnv32a(enc('bar'), fnv32a(enc('foo'))), 0xbf9cf968);
});

test('safeEncodeString maps digits into the vowel-free alphabet as apimachinery does', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  assert.equal(safeEncodeString(''), '');
});

const template = (image: string): PodTemplateSpec => ({ metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image }] } });

test('computeHash is stable, name-safe, independent of key order and empty fields, and changes with the template and collisionCount', () => {
  const h = computeHash(template('nginx:1.25'));
  assert.match(h, /^[456789bcdf]{1,10}$/);
  assert.equal(computeHash(template('nginx:1.25')), h);
  const reordered = { spec: { containers: [{ image: 'nginx:1.25', name: 'nginx' }] }, metadata: { labels: { app: 'nginx' }, annotations: {} } } as PodTemplateSpec;
  assert.equal(computeHash(reordered), h);
  assert.notEqual(computeHash(template('nginx:1.26')), h);
  assert.notEqual(computeHash(template('nginx:1.25'), 0), h);
  assert.notEqual(computeHash(template('nginx:1.25'), 1), computeHash(template('nginx:1.25'), 0));
});

test('canonicalJSON drops null, empty maps and empty lists but keeps false and 0', () => {
  assert.equal(canonicalJSON({ b: 1, a: { z: null, y: [], x: {} }, c: false, d: 0 }), '{"b":1,"c":false,"d":0}');
});
