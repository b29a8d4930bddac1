import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { applyPatch, fieldSet, updateManagedFields } from './server-side-apply.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const t1 = '2025-01-01T00:00:00Z';
const t2 = '2025-01-01T00:01:00Z';

function deployment(replicas: number | undefined, image = 'nginx:1.27'): KubeObject {
  const spec: Obj = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } },
  };
  if (replicas !== undefined) spec.replicas = replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec };
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('fieldSet: associative list keys with defaulted protocol, map entries, "." markers', () => {
  const svc = { metadata: { labels: { app: 'x' } }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } };
  assert.deepEqual(fieldSet(svc, 'v1', 'Service'), {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:selector': {} },
  });
  assert.deepEqual(fieldSet({ metadata: { finalizers: ['b', 'a'] } }, 'v1', 'ConfigMap'), {
    'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } },
  });
});

test('SSA create-if-absent: the object and an Apply entry for the manager', () => {
  const out = applyPatch(undefined, deployment(2), 'kubectl', false, t1);
  assert.equal((out.spec as Obj).replicas, 2);
  assert.deepEqual(out.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: t1,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
          },
        },
      },
    },
  ]);
});

test('re-apply without a field removes it; a field another manager owns stays', () => {
  const first = applyPatch(undefined, deployment(2), 'kubectl', false, t1);
  const second = applyPatch(first, deployment(undefined), 'kubectl', false, t2);
  assert.equal('replicas' in (second.spec as Obj), false);
  assert.equal(second.metadata.managedFields?.[0].time, t2);

  const scaled = updateManagedFields(first, { ...first, spec: { ...(first.spec as Obj), replicas: 5 } }, 'kubectl-scale', 'Update', t2, 'scale');
  const third = applyPatch(scaled, deployment(undefined), 'kubectl', false, t2);
  assert.equal((third.spec as Obj).replicas, 5);
});

test('conflict after another manager changed a field, in upstream format', () => {
  const created = updateManagedFields(undefined, deployment(1), 'kubectl-create', 'Update', t1);
  const err = apiError(() => applyPatch(created, deployment(3), 'kubectl', false, t2));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas');
  assert.deepEqual(err.status.details, {
    causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-create" using apps/v1', field: '.spec.replicas' }],
  });

  const err2 = apiError(() => applyPatch(created, deployment(3, 'nginx:1.28'), 'kubectl', false, t2));
  assert.equal(
    err2.message,
    'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
  );
});

test('force moves the ownership; same values share it without conflict', () => {
  const created = updateManagedFields(undefined, deployment(1), 'kubectl-create', 'Update', t1);
  const shared = applyPatch(created, deployment(1), 'kubectl', false, t2);
  assert.equal(shared.metadata.managedFields?.length, 2);

  const forced = applyPatch(created, deployment(3), 'kubectl', true, t2);
  assert.equal((forced.spec as Obj).replicas, 3);
  const byManager = Object.fromEntries((forced.metadata.managedFields ?? []).map((e) => [e.manager, e]));
  assert.equal('f:replicas' in ((byManager['kubectl-create'].fieldsV1 as Obj)['f:spec'] as Obj), false);
  assert.ok('f:replicas' in ((byManager.kubectl.fieldsV1 as Obj)['f:spec'] as Obj));
  assert.deepEqual(forced.metadata.managedFields?.map((e) => e.operation), ['Apply', 'Update']);
});

test('updateManagedFields: create then label; "." on maps the update added', () => {
  const created = updateManagedFields(undefined, deployment(1), 'kubectl-create', 'Update', t1);
  const entry = created.metadata.managedFields?.[0];
  assert.deepEqual(
    { manager: entry?.manager, operation: entry?.operation, apiVersion: entry?.apiVersion, time: entry?.time },
    { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: t1 },
  );
  assert.deepEqual((entry?.fieldsV1 as Obj)['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  const labelled = { ...created, metadata: { ...created.metadata, labels: { app: 'web', tier: 'fe' } } };
  const out = updateManagedFields(created, labelled, 'kubectl-label', 'Update', t2);
  const label = out.metadata.managedFields?.find((e) => e.manager === 'kubectl-label');
  assert.deepEqual(label?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
  assert.equal(out.metadata.managedFields?.length, 2);
});

test('an update without managedFields keeps the others\' stored entries, encoded as a fresh encoding would be', () => {
  const created = updateManagedFields(undefined, deployment(1), 'kubectl-create', 'Update', t1);
  const labelled = updateManagedFields(created, { ...created, metadata: { ...created.metadata, labels: { app: 'web', tier: 'fe' } } }, 'kubectl-label', 'Update', t2);
  // A controller's update (its cache keeps no managedFields): the stored entries are the base.
  const { managedFields: stored, ...meta } = labelled.metadata;
  const scaled = updateManagedFields(labelled, { ...labelled, metadata: meta, spec: { ...(labelled.spec as Obj), replicas: 3 } }, 'deployment-controller', 'Update', t2);
  // The same update with the entries sent back (decoded from the request, so re-encoded).
  const resent = updateManagedFields(labelled, { ...labelled, spec: { ...(labelled.spec as Obj), replicas: 3 } }, 'deployment-controller', 'Update', t2);
  assert.equal(JSON.stringify(scaled.metadata.managedFields), JSON.stringify(resent.metadata.managedFields));
  const byManager = (m: string) => scaled.metadata.managedFields?.find((e) => e.manager === m)?.fieldsV1;
  assert.deepEqual(byManager('kubectl-label'), stored?.find((e) => e.manager === 'kubectl-label')?.fieldsV1);
  assert.deepEqual((byManager('kubectl-create') as Obj)['f:spec']['f:replicas'], undefined, 'replicas moved to the controller');
  assert.deepEqual(byManager('deployment-controller'), { 'f:spec': { 'f:replicas': {} } });
});

test('updates merge into the same manager entry and drop empty ones', () => {
  const created = updateManagedFields(undefined, deployment(1), 'kubectl-create', 'Update', t1);
  const scaled = updateManagedFields(created, { ...created, spec: { ...(created.spec as Obj), replicas: 2 } }, 'kubectl-create', 'Update', t2);
  assert.equal(scaled.metadata.managedFields?.length, 1);
  assert.equal(scaled.metadata.managedFields?.[0].time, t2);
  const other = updateManagedFields(scaled, { ...scaled, spec: { ...(scaled.spec as Obj), replicas: 3 } }, 'other', 'Update', t2);
  const names = other.metadata.managedFields?.map((e) => e.manager);
  assert.deepEqual(names, ['kubectl-create', 'other']);
});

test('an existing object without managedFields: updates keep none, apply records before-first-apply', () => {
  const live = { ...deployment(1), metadata: { ...deployment(1).metadata, uid: 'u1' } };
  assert.equal(updateManagedFields(live, deployment(2), 'm', 'Update', t1).metadata.managedFields, undefined);
  const applied = applyPatch(live, deployment(1), 'kubectl', false, t1);
  assert.deepEqual(applied.metadata.managedFields?.map((e) => [e.manager, e.operation]), [
    ['kubectl', 'Apply'],
    ['before-first-apply', 'Update'],
  ]);
});

test('managedFields in the applied object are refused', () => {
  const cfg = deployment(1);
  cfg.metadata.managedFields = [];
  const err = apiError(() => applyPatch(undefined, cfg, 'kubectl', false, t1));
  assert.equal(err.code, 400);
  assert.equal(err.message, 'metadata.managedFields must be nil');
});

test('associative lists merge by key: other containers are kept', () => {
  const live = applyPatch(undefined, deployment(1), 'kubectl', false, t1);
  const other = deployment(undefined);
  (other.spec as Obj).template.spec.containers = [{ name: 'sidecar', image: 'busybox' }];
  const out = applyPatch(live, other, 'other-applier', false, t2);
  assert.deepEqual((out.spec as Obj).template.spec.containers.map((c: Obj) => c.name), ['nginx', 'sidecar']);
});

test('create by kubectl-create: "." only on nodes absent from the Go zero value', () => {
  const obj = deployment(1);
  (obj.spec as Obj).strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } };
  (obj.spec as Obj).template.spec.containers[0].resources = {};
  const out = updateManagedFields(undefined, obj, 'kubectl-create', 'Update', t1);
  assert.deepEqual(out.metadata.managedFields?.[0].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} }, 'f:type': {} },
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} } } },
      },
    },
  });
});

test('managedFields whose fieldsV1 is not a field set are dropped as undecodable, not a server error', () => {
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { zz: {} } }] },
    data: { a: 'b' },
  } as unknown as KubeObject;
  const out = updateManagedFields(undefined, cm, 'kubectl', 'Update', '2026-01-01T00:00:00Z');
  assert.deepEqual(out.metadata.managedFields?.map((e) => e.manager), ['kubectl']);
});

test('field sets of deep objects are built in time linear in their size', () => {
  // 1500 levels: the O(depth²) path copies of insert made this take seconds.
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 1500; i++) v = { a: v };
  const fs = fieldSet({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: v }, 'v1', 'ConfigMap');
  let node = (fs['f:data'] as Record<string, unknown>);
  for (let i = 0; i < 1500; i++) node = node['f:a'] as Record<string, unknown>;
  assert.deepEqual(node, { 'f:leaf': {} });
});
