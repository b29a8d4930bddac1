import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString, ApiError } from '../errors.js';
import type { PodDisruptionBudget } from '../types.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatusUpdate } from './policy-validation.js';

function pdb(spec: PodDisruptionBudget['spec']): PodDisruptionBudget {
  return { metadata: { name: 'web', namespace: 'default' }, spec };
}

const messages = (p: PodDisruptionBudget) => validatePodDisruptionBudget(p).map(fieldErrorString);

test('a budget with one bound and a selector is valid', () => {
  assert.deepEqual(messages(pdb({ minAvailable: 2, selector: { matchLabels: { app: 'web' } } })), []);
  assert.deepEqual(messages(pdb({ maxUnavailable: '50%', selector: {}, unhealthyPodEvictionPolicy: 'AlwaysAllow' })), []);
});

test('minAvailable and maxUnavailable both set: the spec struct as %#v prints it', () => {
  const errs = validatePodDisruptionBudget(pdb({ minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } }));
  assert.equal(errs.length, 1);
  assert.match(
    fieldErrorString(errs[0]),
    /^spec: Invalid value: policy\.PodDisruptionBudgetSpec\{MinAvailable:\(\*intstr\.IntOrString\)\(0xc[0-9a-f]+\), Selector:\(\*v1\.LabelSelector\)\(0xc[0-9a-f]+\), MaxUnavailable:\(\*intstr\.IntOrString\)\(0xc[0-9a-f]+\), UnhealthyPodEvictionPolicy:\(\*policy\.UnhealthyPodEvictionPolicyType\)\(nil\)\}: minAvailable and maxUnavailable cannot be both set$/,
  );
  // What kubectl prints: the kind is qualified by its group.
  assert.match(ApiError.invalid('policy', 'PodDisruptionBudget', 'web', errs).message, /^PodDisruptionBudget\.policy "web" is invalid: spec: Invalid value: /);
});

test('percentages: a bad one is reported as the IntOrString struct; over 100% is refused', () => {
  assert.deepEqual(messages(pdb({ minAvailable: '9999', selector: {} })), [
    `spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"9999"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
  ]);
  assert.deepEqual(messages(pdb({ maxUnavailable: '150%', selector: {} })), [
    'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
  ]);
  assert.deepEqual(messages(pdb({ minAvailable: -1, selector: {} })), ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
});

test('selector and unhealthyPodEvictionPolicy', () => {
  assert.deepEqual(messages(pdb({ minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } })), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  assert.deepEqual(messages(pdb({ minAvailable: 1, selector: {}, unhealthyPodEvictionPolicy: 'Sometimes' })), [
    'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"',
  ]);
});

test('status counts may not be negative', () => {
  const old = pdb({ minAvailable: 1 });
  const next = { ...old, status: { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } };
  assert.deepEqual(validatePodDisruptionBudgetStatusUpdate(next, old).map(fieldErrorString), [
    'status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0',
  ]);
});
