import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const smp = (doc: unknown, patch: unknown, apiVersion = 'apps/v1', kind = 'Deployment'): Obj =>
  applyStrategicMergePatch(doc, patch, apiVersion, kind) as Obj;

function deployment(containers: Obj[]): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  };
}

function apiStatus(fn: () => unknown): ApiError['status'] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e.status;
  }
  assert.fail('expected an error');
}

test('kubectl set image: merges the container by name, keeps the rest', () => {
  const doc = deployment([
    { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    { name: 'sidecar', image: 'busybox' },
  ]);
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
          containers: [{ image: 'nginx:1.27-alpine', name: 'nginx' }],
        },
      },
    },
  };
  const out = smp(doc, patch);
  assert.deepEqual(out.spec.template.spec.containers, [
    { name: 'nginx', image: 'nginx:1.27-alpine', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    { name: 'sidecar', image: 'busybox' },
  ]);
  assert.equal(doc.spec.template.spec.containers[0].image, 'nginx:1.25', 'input not mutated');
});

test('items only in the patch come first without $setElementOrder, in order with it', () => {
  const doc = deployment([{ name: 'a', image: 'x' }]);
  const added = { spec: { template: { spec: { containers: [{ name: 'b', image: 'y' }] } } } };
  assert.deepEqual(
    smp(doc, added).spec.template.spec.containers.map((c: Obj) => c.name),
    ['b', 'a'],
  );
  const ordered = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b', image: 'y' }] } } } };
  assert.deepEqual(
    smp(doc, ordered).spec.template.spec.containers.map((c: Obj) => c.name),
    ['a', 'b'],
  );
});

test('$setElementOrder alone reorders the live list', () => {
  const doc = deployment([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  const out = smp(doc, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } } } });
  assert.deepEqual(out.spec.template.spec.containers.map((c: Obj) => c.name), ['c', 'a', 'b']);
});

test('kubectl apply: deleting a service port with $patch: delete', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }] },
  };
  const patch = { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ $patch: 'delete', port: 443 }] } };
  const out = smp(svc, patch, 'v1', 'Service');
  assert.deepEqual(out.spec.ports, [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
});

test('kubectl apply: $retainKeys when switching RollingUpdate → Recreate', () => {
  const out = smp(deployment([{ name: 'a' }]), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } });
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

test('$retainKeys clears unlisted keys even without nulls; listed keys must cover the patch', () => {
  const out = smp(deployment([{ name: 'a' }]), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  const s = apiStatus(() => smp(deployment([]), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }));
  assert.equal(s.code, 400);
  assert.equal(s.message, 'invalid patch format of retainKeys');
});

test('null deletes a field; nulls inside new fields are dropped', () => {
  const out = smp(deployment([{ name: 'a' }]), { metadata: { labels: { app: null }, annotations: { a: 'b', c: null } }, spec: { replicas: null } });
  assert.deepEqual(out.metadata, { name: 'web', labels: {}, annotations: { a: 'b' } });
  assert.equal('replicas' in out.spec, false);
});

test('lists without a strategy are replaced (tolerations, args)', () => {
  const pod = { metadata: { name: 'p' }, spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'c', args: ['1', '2'] }] } };
  const out = smp(pod, { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', args: ['3'] }] } }, 'v1', 'Pod');
  assert.deepEqual(out.spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
  assert.deepEqual(out.spec.containers, [{ name: 'c', args: ['3'] }]);
});

test('env merges by name, volumeMounts by mountPath, container ports by containerPort', () => {
  const doc = deployment([
    {
      name: 'c',
      env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
      volumeMounts: [{ name: 'v', mountPath: '/data' }],
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    },
  ]);
  const patch = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'c',
              '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }],
              env: [{ name: 'B', value: '20' }, { name: 'C', value: '3' }],
              volumeMounts: [{ mountPath: '/data', readOnly: true }],
              ports: [{ containerPort: 80, name: 'http' }],
            },
          ],
        },
      },
    },
  };
  const c = smp(doc, patch).spec.template.spec.containers[0];
  assert.deepEqual(c.env, [{ name: 'A', value: '1' }, { name: 'B', value: '20' }, { name: 'C', value: '3' }]);
  assert.deepEqual(c.volumeMounts, [{ name: 'v', mountPath: '/data', readOnly: true }]);
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
});

test('finalizers: primitive merge, $deleteFromPrimitiveList, $setElementOrder', () => {
  const doc = { metadata: { name: 'x', finalizers: ['a', 'b'] } };
  assert.deepEqual(smp(doc, { metadata: { finalizers: ['c', 'a'] } }, 'v1', 'ConfigMap').metadata.finalizers, ['c', 'a', 'b']);
  assert.deepEqual(
    smp(doc, { metadata: { '$setElementOrder/finalizers': ['a', 'b', 'c'], finalizers: ['c'] } }, 'v1', 'ConfigMap').metadata.finalizers,
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    smp(doc, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, 'v1', 'ConfigMap').metadata.finalizers,
    ['b'],
  );
});

test('$patch: replace on a list and on a map, $patch: delete on a map', () => {
  const doc = deployment([{ name: 'a', image: 'x' }, { name: 'b' }]);
  const out = smp(doc, { spec: { template: { spec: { containers: [{ name: 'z', image: 'q' }, { $patch: 'replace' }] } } } });
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'z', image: 'q' }]);
  const sel = smp(doc, { spec: { selector: { $patch: 'replace', matchLabels: { app: 'other' } } } });
  assert.deepEqual(sel.spec.selector, { matchLabels: { app: 'other' } });
  assert.deepEqual(smp(doc, { metadata: { labels: { $patch: 'delete' } } }).metadata.labels, {});
});

test('ownerReferences merge by uid, node conditions by type', () => {
  const node = {
    metadata: { name: 'n', ownerReferences: [{ uid: '1', name: 'a', kind: 'X', apiVersion: 'v1' }] },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'False' }] },
  };
  const out = smp(node, {
    metadata: { ownerReferences: [{ uid: '2', name: 'b', kind: 'X', apiVersion: 'v1' }] },
    status: { '$setElementOrder/conditions': [{ type: 'Ready' }, { type: 'MemoryPressure' }], conditions: [{ type: 'Ready', status: 'True' }] },
  }, 'v1', 'Node');
  assert.deepEqual(out.metadata.ownerReferences.map((o: Obj) => o.uid), ['2', '1']);
  assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }]);
});

test('errors: unknown directive, missing merge key, wrong body type', () => {
  let s = apiStatus(() => smp(deployment([]), { metadata: { labels: { $patch: 'frob' } } }));
  // A 500 upstream; the client's fault, so 400 here with the same text.
  assert.equal(s.code, 400);
  assert.equal(s.reason, 'BadRequest');
  assert.equal(s.message, 'unknown patch type: frob in map: map[$patch:frob]');
  s = apiStatus(() => smp(deployment([{ name: 'a' }]), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }));
  assert.equal(s.code, 400);
  assert.equal(s.message, 'map: map[image:x] does not contain declared merge key: name');
  s = apiStatus(() => smp(deployment([{ name: 'a' }]), { spec: { template: { spec: { '$setElementOrder/containers': 'a', containers: [{ name: 'a' }] } } } }));
  assert.equal(s.code, 400);
  assert.equal(s.message, 'expected a []interface {}, but received a string');
  s = apiStatus(() => smp(deployment([{ name: 'a' }]), { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } } } }));
  assert.equal(s.message, 'merging lists cannot yet be specified in the patch');
  s = apiStatus(() => smp(deployment([]), [1]));
  assert.equal(s.code, 400);
  assert.equal(s.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  s = apiStatus(() => smp(deployment([]), { metadata: { '$setElementOrder/finalizers': ['a'], '$deleteFromPrimitiveListfinalizers': [] } }));
  assert.equal(s.code, 400);
  assert.equal(s.message, 'invalid patch format of primitive list');
});

test('a new list with directives: $patch items are dropped', () => {
  const out = smp({ metadata: { name: 'p' }, spec: {} }, { spec: { containers: [{ name: 'a', $patch: 'delete' }, { name: 'b' }] } }, 'v1', 'Pod');
  assert.deepEqual(out.spec.containers, [{ name: 'b' }]);
});
