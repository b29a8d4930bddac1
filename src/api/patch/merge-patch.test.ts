import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { applyMergePatch } from './merge-patch.js';

test('kubectl label: adds and overwrites labels', () => {
  const pod = { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } };
  const out = applyMergePatch(pod, { metadata: { labels: { tier: 'frontend', app: 'api' } } });
  assert.deepEqual(out, { metadata: { name: 'p', labels: { app: 'api', tier: 'frontend' } }, spec: { containers: [{ name: 'c' }] } });
  assert.deepEqual(pod.metadata.labels, { app: 'web' }, 'input not mutated');
});

test('kubectl label app- / annotate key-: null removes the key', () => {
  const obj = { metadata: { labels: { app: 'web', tier: 'x' }, annotations: { note: 'y' } } };
  assert.deepEqual(applyMergePatch(obj, { metadata: { labels: { app: null }, annotations: { note: null } } }), {
    metadata: { labels: { tier: 'x' }, annotations: {} },
  });
});

test('kubectl scale: merge patch on the scale subresource', () => {
  assert.deepEqual(applyMergePatch({ spec: { replicas: 1 }, status: { replicas: 1 } }, { spec: { replicas: 5 } }), {
    spec: { replicas: 5 },
    status: { replicas: 1 },
  });
});

test('lists are replaced, nulls pruned from new objects but kept in arrays', () => {
  const out = applyMergePatch({ a: [1, 2], b: 'x' }, { a: [3], b: { c: null, d: 1 }, e: { f: null }, g: [null, { h: null }] });
  assert.deepEqual(out, { a: [3], b: { d: 1 }, e: {}, g: [null, {}] });
});

test('a patch that is not an object is 400', () => {
  for (const [patch, message] of [
    [[1], 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['x', 'error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}'],
    [null, 'Invalid JSON Patch'],
  ] as const) {
    assert.throws(
      () => applyMergePatch({}, patch),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === message,
    );
  }
});
