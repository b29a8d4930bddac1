import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { DaemonSet } from '../types.js';
import { defaultDaemonSet } from '../defaults/daemonset.js';
import { validateDaemonSet, validateDaemonSetStatusUpdate, validateDaemonSetUpdate } from './daemonset-validation.js';

function daemonSet(mut: (d: DaemonSet) => void = () => undefined): DaemonSet {
  const d: DaemonSet = {
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  mut(d);
  defaultDaemonSet(d);
  return d;
}

const msgs = (d: DaemonSet) => validateDaemonSet(d).map(fieldErrorString);

test('defaults: RollingUpdate with maxUnavailable 1 and maxSurge 0, ten revisions, template pod defaults', () => {
  const d = daemonSet();
  assert.deepEqual(d.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  const onDelete = daemonSet((x) => (x.spec.updateStrategy = { type: 'OnDelete' }));
  assert.deepEqual(onDelete.spec.updateStrategy, { type: 'OnDelete' });
  const surge = daemonSet((x) => (x.spec.updateStrategy = { rollingUpdate: { maxSurge: '10%' } }));
  assert.deepEqual(surge.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } });
});

test('daemonset rules with exact messages', () => {
  const cases: [string, DaemonSet, string[]][] = [
    ['valid', daemonSet(), []],
    [
      'selector must match template labels',
      daemonSet((d) => (d.spec.template.metadata = { labels: { app: 'other' } })),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`'],
    ],
    [
      'empty selector',
      daemonSet((d) => (d.spec.selector = {})),
      ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset'],
    ],
    [
      'template restartPolicy must be Always',
      daemonSet((d) => (d.spec.template.spec.restartPolicy = 'OnFailure')),
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    [
      'activeDeadlineSeconds forbidden',
      daemonSet((d) => (d.spec.template.spec.activeDeadlineSeconds = 10)),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported'],
    ],
    [
      'maxSurge with maxUnavailable',
      daemonSet((d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } })),
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'],
    ],
    [
      'both zero',
      daemonSet((d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } })),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    [
      'percent over 100',
      daemonSet((d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%', maxSurge: 0 } })),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%'],
    ],
    [
      'unknown strategy type',
      daemonSet((d) => (d.spec.updateStrategy = { type: 'Partitioned' as 'OnDelete' })),
      ['spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Partitioned", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"'],
    ],
    ['negative revisionHistoryLimit', daemonSet((d) => (d.spec.revisionHistoryLimit = -1)), ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
  ];
  for (const [name, d, want] of cases) assert.deepEqual(msgs(d), want, name);
});

test('update: the selector is immutable', () => {
  const old = daemonSet();
  const next = daemonSet((d) => {
    d.spec.selector = { matchLabels: { app: 'agent', tier: 'x' } };
    d.spec.template.metadata = { labels: { app: 'agent', tier: 'x' } };
  });
  assert.deepEqual(validateDaemonSetUpdate(next, old).map(fieldErrorString), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"agent", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('status update: counts non-negative, collisionCount never decremented', () => {
  const old = daemonSet((d) => (d.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, collisionCount: 2 }));
  const next = daemonSet((d) => (d.status = { currentNumberScheduled: -1, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, collisionCount: 1 }));
  assert.deepEqual(validateDaemonSetStatusUpdate(next, old).map(fieldErrorString), [
    'status.currentNumberScheduled: Invalid value: -1: must be greater than or equal to 0',
    'status.collisionCount: Invalid value: 1: cannot be decremented',
  ]);
});
