import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { resources, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { thrownBy } from '../../testing/thrown.js';
import { resourceModule, scaleFor } from './index.js';
import { labelSelectorScale, mapSelectorScale } from './scale-strategy.js';

const deployments = resources.find((r) => r.resource === 'deployments')!;

function workload(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '7', creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web' } },
    spec,
    status,
  };
}

test('labelSelectorScale writes a LabelSelector as LabelSelectorAsSelector(...).String() does', () => {
  const obj = workload(
    { replicas: 3, selector: { matchLabels: { tier: 'web', app: 'shop' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['qa', 'dev'] }, { key: 'canary', operator: 'DoesNotExist' }] } },
    { replicas: 2 },
  );
  assert.deepEqual(labelSelectorScale.toScale(obj), {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '7', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { replicas: 3 },
    status: { replicas: 2, selector: 'app=shop,!canary,env notin (dev,qa),tier=web' },
  });
  assert.equal(labelSelectorScale.toScale(workload({ replicas: 1, selector: {} })).status?.selector, '');
});

test('mapSelectorScale writes a label map as labels.SelectorFromSet(...).String() does', () => {
  const rc = { ...workload({ replicas: 4, selector: { tier: 'web', app: 'shop' } }, { replicas: 4 }), apiVersion: 'v1', kind: 'ReplicationController' };
  const scale = mapSelectorScale.toScale(rc);
  assert.deepEqual(scale.status, { replicas: 4, selector: 'app=shop,tier=web' });
  assert.deepEqual(scale.spec, { replicas: 4 });
  assert.equal(mapSelectorScale.toScale(workload({})).status?.selector, '');
  assert.deepEqual(mapSelectorScale.toScale(workload({})).spec, { replicas: 0 });
});

test('fromScale sets spec.replicas on a copy; a negative count is Invalid, a stale resourceVersion a Conflict', () => {
  const obj = workload({ replicas: 3, selector: { matchLabels: { app: 'web' } } });
  const next = labelSelectorScale.fromScale(obj, { metadata: { name: 'web', resourceVersion: '7' }, spec: { replicas: 5 } } as KubeObject, deployments);
  assert.equal((next.spec as { replicas: number }).replicas, 5);
  assert.equal((obj.spec as { replicas: number }).replicas, 3);
  const invalid = thrownBy(() => labelSelectorScale.fromScale(obj, { metadata: {}, spec: { replicas: -1 } } as KubeObject, deployments), ApiError);
  assert.equal(invalid.status.message, 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  const stale = thrownBy(() => labelSelectorScale.fromScale(obj, { metadata: { resourceVersion: '6' }, spec: { replicas: 1 } } as KubeObject, deployments), ApiError);
  assert.equal(stale.status.message, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
});

test('a module serving a resource with the scale subresource declares its Scale; others declare none', () => {
  const generic = resourceModule({ kind: 'NoSuchKind' } as ResourceInfo);
  for (const info of resources) {
    const declared = info.subresources.some((s) => s.name === 'scale');
    // Kinds still on the generic module get the apps/v1 Scale until their module says otherwise.
    if (resourceModule(info) === generic) continue;
    assert.equal(scaleFor(info) !== undefined, declared, info.resource);
  }
  assert.equal(scaleFor(deployments), labelSelectorScale);
});
