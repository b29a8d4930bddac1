import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from '../types.js';
import { formatHPAMetrics, horizontalPodAutoscalerColumns, horizontalPodAutoscalerRow } from './horizontalpodautoscaler-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

const cpu = (averageUtilization?: number): MetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });
const cpuNow = (averageUtilization: number): MetricStatus => ({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization, averageValue: '120m' } } });
const memory: MetricSpec = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };

test('hpa columns: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE', () => {
  assert.deepEqual(
    horizontalPodAutoscalerColumns.map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Reference', 'string'],
      ['Targets', 'string'],
      ['MinPods', 'string'],
      ['MaxPods', 'string'],
      ['Replicas', 'string'],
      ['Age', 'string'],
    ],
  );
});

// TestPrintHPA's cases, in 1.30+'s format (the resource named before its values).
test('formatHPAMetrics: resource metrics name their resource; unknown current values; <auto>', () => {
  assert.equal(formatHPAMetrics(undefined, undefined), '<none>');
  assert.equal(formatHPAMetrics([cpu(50)], []), 'cpu: <unknown>/50%');
  assert.equal(formatHPAMetrics([cpu(50)], [cpuNow(12)]), 'cpu: 12%/50%');
  assert.equal(formatHPAMetrics([cpu()], []), 'cpu: <unknown>/<auto>');
  assert.equal(formatHPAMetrics([memory], [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '10Mi' } } }]), 'memory: 10Mi/100Mi');
  // Quantity.String() keeps the format it was made in: a decimal count prints as digits.
  assert.equal(formatHPAMetrics([memory], [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '10485760' } } }]), 'memory: 10485760/100Mi');
  assert.equal(
    formatHPAMetrics([{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } }], []),
    'cpu: <unknown>/60%',
  );
});

test('formatHPAMetrics: pods, object and external metrics; more than two', () => {
  const pods: MetricSpec = { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } } };
  const objectAvg: MetricSpec = {
    type: 'Object',
    object: { describedObject: { kind: 'Service', name: 'web' }, metric: { name: 'hits' }, target: { type: 'AverageValue', averageValue: '2k' } },
  };
  const external: MetricSpec = { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } };
  assert.equal(formatHPAMetrics([pods], [{ type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '50' } } }]), '50/100');
  assert.equal(formatHPAMetrics([objectAvg], []), '<unknown>/2k (avg)');
  assert.equal(formatHPAMetrics([external], [{ type: 'External', external: { metric: { name: 'queue' }, current: { value: '12' } } }]), '12/30');
  assert.equal(formatHPAMetrics([cpu(50), memory, pods, external], [cpuNow(80)]), 'cpu: 80%/50%, memory: <unknown>/100Mi + 2 more...');
});

test('printHorizontalPodAutoscaler: reference, min pods (or <unset>), max pods and replicas', () => {
  const hpa: HorizontalPodAutoscaler = {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2025-01-01T11:59:00Z' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [cpu(50)] },
    status: { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [cpuNow(12)] },
  };
  assert.deepEqual(horizontalPodAutoscalerRow(hpa, now).cells, ['web', 'Deployment/web', 'cpu: 12%/50%', '1', 5, 3, '60s']);
  const unset = { ...hpa, spec: { ...hpa.spec, minReplicas: undefined }, status: undefined };
  assert.deepEqual(horizontalPodAutoscalerRow(unset, now).cells.slice(2, 6), ['cpu: <unknown>/50%', '<unset>', 5, 0]);
});
