import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { Deployment } from '../types.js';
import { defaultDeployment } from '../defaults/deployment.js';
import { validateDeployment, validateDeploymentUpdate } from './apps-validation.js';

function deploy(mut: (d: Deployment) => void = () => undefined): Deployment {
  const d: Deployment = {
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  mut(d);
  defaultDeployment(d);
  return d;
}

const msgs = (d: Deployment) => validateDeployment(d).map(fieldErrorString);

test('deployment rules with exact messages', () => {
  const cases: [string, Deployment, string[]][] = [
    ['valid', deploy(), []],
    [
      'selector must match template labels',
      deploy((d) => (d.spec.template.metadata = { labels: { app: 'other' } })),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`'],
    ],
    ['negative replicas', deploy((d) => (d.spec.replicas = -1)), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    [
      'maxUnavailable and maxSurge both 0',
      deploy((d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } })),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    [
      'Recreate forbids rollingUpdate',
      deploy((d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } })),
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      'template restartPolicy must be Always',
      deploy((d) => (d.spec.template.spec.restartPolicy = 'Never')),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'progressDeadlineSeconds > minReadySeconds',
      deploy((d) => ((d.spec.minReadySeconds = 600), (d.spec.progressDeadlineSeconds = 600))),
      ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'],
    ],
    [
      'template image required',
      deploy((d) => delete d.spec.template.spec.containers[0].image),
      ['spec.template.spec.containers[0].image: Required value'],
    ],
  ];
  for (const [name, d, want] of cases) assert.deepEqual(msgs(d), want, name);
});

test('selector is immutable on update', () => {
  const old = deploy();
  const next = deploy((d) => {
    d.spec.selector = { matchLabels: { app: 'web2' } };
    d.spec.template.metadata = { labels: { app: 'web2' } };
  });
  const errs = validateDeploymentUpdate(next, old);
  assert.deepEqual(errs.map((e) => [e.type, e.field, e.detail]), [['FieldValueInvalid', 'spec.selector', 'field is immutable']]);
  assert.equal(String(errs[0].badValue), 'v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}');
});
