import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { applyJsonPatch, applyOperations, JsonPatchOperationError } from './json-patch.js';

function status(fn: () => unknown): ApiError['status'] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e.status;
  }
  assert.fail('expected an error');
}

function opError(doc: unknown, ops: unknown[]): string {
  try {
    applyOperations(doc, ops as never);
  } catch (e) {
    assert.ok(e instanceof JsonPatchOperationError);
    return e.message;
  }
  assert.fail('expected an operation error');
}

test('rollout undo: replace /spec/template and /metadata/annotations', () => {
  const deploy = {
    metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
  };
  const patch = [
    { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '1' } },
  ];
  const out = applyJsonPatch(deploy, patch) as typeof deploy;
  assert.equal(out.spec.template.spec.containers[0].image, 'nginx:1.25');
  assert.deepEqual(out.metadata.annotations, { 'deployment.kubernetes.io/revision': '1' });
  assert.equal(deploy.spec.template.spec.containers[0].image, 'nginx:1.27', 'input not mutated');
});

test('add, remove, move, copy, escaping', () => {
  const doc = { metadata: { labels: { 'app.kubernetes.io/name': 'x', 'a~b': '1' } }, list: [1, 2, 3] };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/tier~1x', value: 'web' },
    { op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' },
    { op: 'copy', from: '/metadata/labels/a~0b', path: '/copied' },
    { op: 'add', path: '/list/-', value: 4 },
    { op: 'add', path: '/list/0', value: 0 },
    { op: 'remove', path: '/list/-1' },
    { op: 'move', from: '/list/0', path: '/first' },
  ]);
  assert.deepEqual(out, { metadata: { labels: { 'tier/x': 'web', 'a~b': '1' } }, list: [1, 2, 3], copied: '1', first: 0 });
});

test('replace of a missing object key sets it (json-patch v4 leniency)', () => {
  assert.deepEqual(applyJsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/replicas', value: 3 }]), { spec: { replicas: 3 } });
});

test('test op: equal passes, a missing member equals null', () => {
  const doc = { spec: { replicas: 2 } };
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]), doc);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/spec/paused', value: null }]), doc);
});

test('a failing test op is the generic 422 of the apiserver', () => {
  const s = status(() => applyJsonPatch({ spec: { replicas: 2 } }, [{ op: 'test', path: '/spec/replicas', value: 3 }]));
  assert.equal(s.code, 422);
  assert.equal(s.reason, 'Invalid');
  assert.equal(s.message, 'the server rejected our request due to an error in our request');
  assert.equal(opError({ spec: { replicas: 2 } }, [{ op: 'test', path: '/spec/replicas', value: 3 }]), 'testing value /spec/replicas failed: test failed');
});

test('evanphx error texts', () => {
  assert.equal(opError({}, [{ op: 'remove', path: '/metadata/labels/x' }]), 'remove operation does not apply: doc is missing path: "/metadata/labels/x": missing value');
  assert.equal(opError({ a: {} }, [{ op: 'remove', path: '/a/x' }]), "error in remove for path: '/a/x': Unable to remove nonexistent key: x: missing value");
  assert.equal(opError({ a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }]), "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced");
  assert.equal(opError({ a: [1] }, [{ op: 'replace', path: '/a/3', value: 1 }]), 'replace operation does not apply: doc is missing key: /a/3: missing value');
  assert.equal(opError({}, [{ op: 'frob', path: '/a' }]), 'Unexpected kind: frob');
  assert.equal(opError({}, [{ path: '/a' }]), 'Unexpected kind: unknown');
});

test('decoding errors are 400', () => {
  let s = status(() => applyJsonPatch({}, { op: 'add' }));
  assert.equal(s.code, 400);
  assert.equal(s.reason, 'BadRequest');
  assert.equal(s.message, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
  s = status(() => applyJsonPatch({}, [{ op: 1, path: '/a' }]));
  assert.equal(s.message, 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string');
});

test('too many operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: null }));
  const s = status(() => applyJsonPatch({}, ops));
  assert.equal(s.code, 413);
  assert.equal(s.message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
});
