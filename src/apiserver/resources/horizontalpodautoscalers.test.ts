// The HorizontalPodAutoscaler module: autoscaling/v2 defaults (upstream defaults_test.go) and
// upstream's validation messages and paths (validation_test.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../api/errors.js';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec } from '../../api/types.js';
import { findKind } from '../../api/resources.js';
import { applyDefaults } from './index.js';
import { strategyOfKind } from '../../testing/resource-strategies.js';

function newHPA(spec: Partial<HorizontalPodAutoscalerSpec> = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec },
  };
}

/** What the registry does before validating a new autoscaler: defaults, then PrepareForCreate. */
function created(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  applyDefaults(findKind('HorizontalPodAutoscaler')!, hpa);
  strategyOfKind('HorizontalPodAutoscaler').prepareForCreate(hpa);
  return hpa;
}

const errors = (hpa: HorizontalPodAutoscaler) => strategyOfKind('HorizontalPodAutoscaler').validate(created(hpa)).map(fieldErrorString);

test('v2 defaults: minReplicas 1 and 80% cpu; no behavior stays none', () => {
  const hpa = created(newHPA());
  assert.equal(hpa.spec.minReplicas, 1);
  assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.equal(hpa.spec.behavior, undefined);
  assert.deepEqual(hpa.status, { desiredReplicas: 0, currentMetrics: null });
  assert.deepEqual(strategyOfKind('HorizontalPodAutoscaler').validate(hpa), []);
  // v1's round-trip annotations are dropped from v2 objects too.
  const annotated = newHPA();
  annotated.metadata.annotations = { 'autoscaling.alpha.kubernetes.io/conditions': '[]', team: 'a' };
  assert.deepEqual(created(annotated).metadata.annotations, { team: 'a' });
});

test('v2 defaults: a behavior for one direction gets both rules completed, scale-down without a window', () => {
  const hpa = created(newHPA({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }));
  assert.deepEqual(hpa.spec.behavior, {
    scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 },
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
  });
  // Given policies replace the default list; a tolerance is dropped (HPAConfigurableTolerance is off).
  const own = created(newHPA({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }], tolerance: '0.05' } } }));
  assert.deepEqual(own.spec.behavior?.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] });
});

test('validation: replica bounds and the scale target', () => {
  assert.deepEqual(errors(newHPA({ minReplicas: 0, maxReplicas: 0, scaleTargetRef: { kind: '', name: 'a/b' } })), [
    'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    'spec.scaleTargetRef.kind: Required value',
    "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'",
    'spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas',
  ]);
  assert.deepEqual(errors(newHPA({ minReplicas: 3, maxReplicas: 2 })), ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
});

test('validation: metric sources and targets', () => {
  assert.deepEqual(
    errors(
      newHPA({
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } },
          { type: 'Resource', resource: { name: '', target: { type: 'AverageValue', averageValue: '-1', averageUtilization: 50 } } },
          { type: 'Pods' },
          { type: 'Foo' as 'Pods' },
          { type: 'Object', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
            pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } },
          },
          { type: 'ContainerResource', containerResource: { name: 'cpu', container: '', target: { type: 'Bar', averageUtilization: 60 } } },
          { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '1', averageValue: '2' } } },
        ],
      }),
    ),
    [
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      'spec.metrics[1].resource.name: Required value: must specify a resource name',
      'spec.metrics[1].resource.target.averageValue: Invalid value: resource.Quantity{i:resource.int64Amount{value:-1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"-1", Format:"DecimalSI"}: must be positive',
      'spec.metrics[1].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization',
      'spec.metrics[2].pods: Required value: must populate information for the given metric source',
      'spec.metrics[3].type: Unsupported value: "Foo": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
      'spec.metrics[3].type: Unsupported value: "Foo": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
      'spec.metrics[4].object: Required value: must populate information for the given metric source',
      'spec.metrics[5].pods: Forbidden: must populate the given metric source only',
      'spec.metrics[6].containerResource.container: Required value: must specify a container',
      'spec.metrics[6].containerResource.target.type: Invalid value: "Bar": must be either Utilization, Value, or AverageValue',
      'spec.metrics[7].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target',
    ],
  );
});

test('validation: behavior policies and windows', () => {
  assert.deepEqual(
    errors(
      newHPA({
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 3601, selectPolicy: 'Sometimes', policies: [{ type: 'Nodes', value: 0, periodSeconds: 1801 }] },
          scaleDown: { stabilizationWindowSeconds: -1, policies: [] },
        },
      }),
    ),
    [
      'spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600',
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Sometimes": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies[0].type: Unsupported value: "Nodes": supported values: "Percent", "Pods"',
      'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
      'spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero',
      'spec.behavior.scaleDown.policies: Required value: must specify at least one Policy',
    ],
  );
});

test('status updates: replica counts may not be negative, the spec is kept', () => {
  const s = strategyOfKind('HorizontalPodAutoscaler');
  const old = created(newHPA());
  const next = { ...newHPA({ maxReplicas: 9 }), status: { currentReplicas: -1, desiredReplicas: 2 } };
  const merged = s.subresources!.status.prepareForUpdate(next, old) as HorizontalPodAutoscaler;
  assert.equal(merged.spec.maxReplicas, 5);
  assert.deepEqual(s.subresources!.status.validateUpdate(merged, old).map(fieldErrorString), ['status.currentReplicas: Invalid value: -1: must be greater than or equal to 0']);
});
