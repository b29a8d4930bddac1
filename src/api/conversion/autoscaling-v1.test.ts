// autoscaling/v1 ⇄ v2 conversion of HorizontalPodAutoscalers (upstream conversion_test.go's round
// trips): the cpu target maps to a Resource metric, everything else rides in annotations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AutoscalingV1HorizontalPodAutoscaler, HorizontalPodAutoscaler } from '../types.js';
import { defaultHorizontalPodAutoscaler } from '../defaults/horizontalpodautoscaler.js';
import { behaviorAnnotation, conditionsAnnotation, horizontalPodAutoscalerFromV1, horizontalPodAutoscalerToV1, metricSpecsAnnotation, metricStatusesAnnotation } from './autoscaling-v1.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

function v1(spec: Partial<AutoscalingV1HorizontalPodAutoscaler['spec']>, annotations?: Record<string, string>): AutoscalingV1HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, ...spec },
  };
}

test('v1 cpu target ⇄ a v2 Resource cpu Utilization metric', () => {
  const v2 = horizontalPodAutoscalerFromV1(v1({ targetCPUUtilizationPercentage: 50 }));
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.spec, {
    scaleTargetRef: ref,
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
  });
  const back = horizontalPodAutoscalerToV1({ ...v2, status: { desiredReplicas: 0, currentMetrics: null } });
  assert.deepEqual(back.spec, { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
  assert.equal(back.metadata.annotations, undefined);
  // currentReplicas and desiredReplicas are not omitempty in v1.
  assert.deepEqual(back.status, { currentReplicas: 0, desiredReplicas: 0 });
});

test('a v1 autoscaler without a target gets the 80% cpu metric (conversion applies the default)', () => {
  const v2 = horizontalPodAutoscalerFromV1(v1({}));
  assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.equal(horizontalPodAutoscalerToV1(v2).spec.targetCPUUtilizationPercentage, 80);
});

const full: HorizontalPodAutoscaler = defaulted({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', annotations: { team: 'a' } },
  spec: {
    scaleTargetRef: ref,
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } },
    ],
    // The behavior as v2 defaulting completes an empty one.
    behavior: {},
  },
  status: {
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: '50Mi' } } },
      { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '120m', averageUtilization: 85 } } },
    ],
    conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }],
  },
});

function defaulted(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  defaultHorizontalPodAutoscaler(hpa);
  return hpa;
}

test('v2 → v1: other metrics, current metrics, conditions and behavior in the round-trip annotations', () => {
  const view = horizontalPodAutoscalerToV1(full);
  assert.deepEqual(view.spec, { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 60 });
  assert.deepEqual(view.status, { currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 85 });
  const a = view.metadata.annotations!;
  assert.equal(a.team, 'a');
  assert.equal(
    a[metricSpecsAnnotation],
    '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}},{"type":"Pods","pods":{"metricName":"rps","targetAverageValue":"10"}}]',
  );
  assert.equal(
    a[metricStatusesAnnotation],
    '[{"type":"Resource","resource":{"name":"memory","currentAverageValue":"50Mi"}},{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":85,"currentAverageValue":"120m"}}]',
  );
  assert.equal(
    a[conditionsAnnotation],
    '[{"type":"AbleToScale","status":"True","lastTransitionTime":"2025-01-01T00:00:00Z","reason":"ReadyForNewScale","message":"recommended size matches current size"}]',
  );
  // The internal type, marshalled without JSON tags: Go field names, nil pointers as null.
  assert.equal(
    a[behaviorAnnotation],
    '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}],"Tolerance":null},' +
      '"ScaleDown":{"StabilizationWindowSeconds":null,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}],"Tolerance":null}}',
  );
});

test('v2 → v1 → v2 loses nothing (the cpu metric moves after the annotated ones, as upstream orders it)', () => {
  const back = horizontalPodAutoscalerFromV1(horizontalPodAutoscalerToV1(full));
  const [memory, cpu, pods] = full.spec.metrics!;
  assert.deepEqual(back, { ...full, spec: { ...full.spec, metrics: [memory, pods, cpu] } });
});

test('v1 → v2: the annotations are read and dropped; a malformed or empty behavior is ignored', () => {
  const withAnnotations = v1({ targetCPUUtilizationPercentage: 70 }, {
    [metricSpecsAnnotation]: '[{"type":"External","external":{"metricName":"queue","targetValue":"30"}}]',
    [behaviorAnnotation]: '{"scaleDown":{"stabilizationWindowSeconds":60,"policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}',
    other: 'kept',
  });
  const v2 = horizontalPodAutoscalerFromV1(withAnnotations);
  assert.deepEqual(v2.metadata.annotations, { other: 'kept' });
  assert.deepEqual(v2.spec.metrics, [
    { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } },
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
  ]);
  // encoding/json matches field names case-insensitively.
  assert.deepEqual(v2.spec.behavior, { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } });
  for (const text of ['{}', 'not json', '{"ScaleUp":null}']) {
    assert.equal(horizontalPodAutoscalerFromV1(v1({}, { [behaviorAnnotation]: text })).spec.behavior, undefined, text);
  }
  assert.throws(() => horizontalPodAutoscalerFromV1(v1({}, { [metricSpecsAnnotation]: '[' })), /autoscaling.alpha.kubernetes.io\/metrics/);
});
