// A built-in resource served at two versions over one stored object: autoscaling/v1 and v2
// HorizontalPodAutoscalers through the API server's registries (create, read, update, status
// writes, watch), the store holding only the v2 object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../api/resources.js';
import type { AutoscalingV1HorizontalPodAutoscaler, HorizontalPodAutoscaler, KubeObject } from '../api/types.js';
import { fileApiFixture } from '../testing/api-fixture.js';
import { waitFor } from '../testing/wait.js';
import type { RegistryEvent } from './registry.js';
import { applyPatch } from '../api/patch/server-side-apply.js';

const api = fileApiFixture();
const registry = (version: 'v1' | 'v2') => api.fixture.server.registries.get(findResource('autoscaling', version, 'horizontalpodautoscalers')!)!;
const write = { dryRun: false, fieldManager: 'test' };

const v1Object = (name: string): AutoscalingV1HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v1',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
});

test('a v1 create is stored as v2; managed fields are recorded in v1 and own no status', async () => {
  const created = (await registry('v1').create('default', v1Object('a'), write)) as AutoscalingV1HorizontalPodAutoscaler;
  assert.equal(created.apiVersion, 'autoscaling/v1');
  assert.deepEqual(created.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
  assert.deepEqual(created.status, { currentReplicas: 0, desiredReplicas: 0 });
  const [entry] = created.metadata.managedFields!;
  assert.equal(entry.apiVersion, 'autoscaling/v1');
  assert.deepEqual(Object.keys(entry.fieldsV1 as object), ['f:spec']);
  const raw = JSON.parse((await api.fixture.store.get('/registry/autoscaling/horizontalpodautoscalers/default/a'))!.value) as HorizontalPodAutoscaler;
  assert.equal(raw.apiVersion, 'autoscaling/v2');
  assert.deepEqual(raw.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.deepEqual(raw.status, { desiredReplicas: 0, currentMetrics: null });
});

test('a v2 status write shows in v1 as the cpu percentage and the round-trip annotations; a v1 spec write keeps it', async () => {
  await registry('v1').create('default', v1Object('b'), write);
  const v2 = registry('v2');
  await v2.update(
    'default',
    'b',
    (cur) => ({
      ...cur!,
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '450m' } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 3' }],
      },
    }),
    { ...write, subresource: 'status' },
  );
  const view = (await registry('v1').get('default', 'b')) as AutoscalingV1HorizontalPodAutoscaler;
  assert.deepEqual(view.status, { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 90 });
  assert.equal(view.metadata.annotations?.['autoscaling.alpha.kubernetes.io/current-metrics'], '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":90,"currentAverageValue":"450m"}}]');
  assert.match(view.metadata.annotations?.['autoscaling.alpha.kubernetes.io/conditions'] ?? '', /SucceededRescale/);

  // kubectl edit in v1: the view (annotations included) written back with a new bound.
  const edited = (await registry('v1').update('default', 'b', (cur) => ({ ...cur!, spec: { ...(cur as AutoscalingV1HorizontalPodAutoscaler).spec, maxReplicas: 7 } }), write))
    .object as AutoscalingV1HorizontalPodAutoscaler;
  assert.equal(edited.spec.maxReplicas, 7);
  const stored = (await v2.get('default', 'b')) as HorizontalPodAutoscaler;
  assert.equal(stored.metadata.annotations, undefined, 'round-trip annotations are never stored');
  assert.equal(stored.status?.desiredReplicas, 3, 'a spec write keeps the status');
  assert.equal(stored.status?.conditions?.[0].reason, 'SucceededRescale');
  assert.deepEqual(
    stored.metadata.managedFields?.map((m) => [m.manager, m.apiVersion, m.subresource ?? '']),
    [
      ['test', 'autoscaling/v1', ''],
      ['test', 'autoscaling/v2', 'status'],
    ],
  );
});

test('watchers of each version see the same write in their own version', async () => {
  const list = await registry('v2').list('default');
  const seen: Record<string, KubeObject[]> = { v1: [], v2: [] };
  const watchers = (['v1', 'v2'] as const).map((v) => registry(v).watch('default', Number(list.metadata.resourceVersion), {}, (ev: RegistryEvent) => seen[v].push(ev.object)));
  try {
    await registry('v2').create('default', { ...v1Object('c'), apiVersion: 'autoscaling/v2', spec: { scaleTargetRef: v1Object('c').spec.scaleTargetRef, maxReplicas: 4 } }, write);
    await waitFor(() => seen.v1.length > 0 && seen.v2.length > 0, 10_000, 'both watch events');
    assert.deepEqual(seen.v1.map((o) => [o.apiVersion, (o as AutoscalingV1HorizontalPodAutoscaler).spec.targetCPUUtilizationPercentage]), [['autoscaling/v1', 80]]);
    assert.deepEqual(seen.v2.map((o) => [o.apiVersion, (o as HorizontalPodAutoscaler).spec.metrics?.length]), [['autoscaling/v2', 1]]);
  } finally {
    for (const w of watchers) w.stop();
  }
});

test('server-side apply by one manager in v1, then in v2: nothing the v1 set named is pruned by mistake', async () => {
  const applyIn = (version: 'v1' | 'v2', applied: KubeObject) =>
    registry(version).update('default', 'd', (cur) => applyPatch(cur, applied, 'kubectl', false, '2025-01-01T00:00:00Z'), { ...write, fieldManager: 'kubectl', operation: 'Apply' });
  await applyIn('v1', v1Object('d'));
  const ref = v1Object('d').spec.scaleTargetRef;
  const { object } = await applyIn('v2', {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'd' },
    spec: { scaleTargetRef: ref, maxReplicas: 6, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 40 } } }] },
  });
  const hpa = object as HorizontalPodAutoscaler;
  assert.deepEqual([hpa.spec.scaleTargetRef, hpa.spec.maxReplicas, hpa.spec.metrics?.[0].resource?.target.averageUtilization], [ref, 6, 40]);
  assert.deepEqual(
    hpa.metadata.managedFields?.map((m) => [m.manager, m.operation, m.apiVersion]),
    [['kubectl', 'Apply', 'autoscaling/v2']],
  );
});
