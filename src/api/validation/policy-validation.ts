// PodDisruptionBudget validation (pkg/apis/policy/validation/validation.go), with upstream's
// messages and paths.
import { field, type FieldError } from '../errors.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from '../types.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './apps-validation.js';
import { GoLiteral, goPointer } from './go-literal.js';
import { isQualifiedName, nameIsDNSSubdomain, validateNonnegativeField } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

export const supportedUnhealthyPodEvictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];

/** policy.PodDisruptionBudgetSpec{…} as %#v prints it for the "both set" error. */
function goPodDisruptionBudgetSpec(spec: PodDisruptionBudgetSpec): GoLiteral {
  const has = (v: unknown) => v !== undefined && v !== null;
  return new GoLiteral(
    `policy.PodDisruptionBudgetSpec{MinAvailable:${goPointer('intstr.IntOrString', has(spec.minAvailable), 1)}, ` +
      `Selector:${goPointer('v1.LabelSelector', has(spec.selector), 2)}, ` +
      `MaxUnavailable:${goPointer('intstr.IntOrString', has(spec.maxUnavailable), 0)}, ` +
      `UnhealthyPodEvictionPolicy:${goPointer('policy.UnhealthyPodEvictionPolicyType', has(spec.unhealthyPodEvictionPolicy), 3)}}`,
  );
}

/** ValidatePodDisruptionBudgetSpec */
export function validatePodDisruptionBudgetSpec(spec: PodDisruptionBudgetSpec, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const minSet = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const maxSet = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (minSet && maxSet) errs.push(field.invalid(path, goPodDisruptionBudgetSpec(spec), 'minAvailable and maxUnavailable cannot be both set'));
  if (minSet) {
    errs.push(...validatePositiveIntOrPercent(spec.minAvailable, `${path}.minAvailable`));
    errs.push(...isNotMoreThan100Percent(spec.minAvailable, `${path}.minAvailable`));
  }
  if (maxSet) {
    errs.push(...validatePositiveIntOrPercent(spec.maxUnavailable, `${path}.maxUnavailable`));
    errs.push(...isNotMoreThan100Percent(spec.maxUnavailable, `${path}.maxUnavailable`));
  }
  errs.push(...validateLabelSelector(spec.selector ?? undefined, `${path}.selector`));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== null && !supportedUnhealthyPodEvictionPolicies.includes(policy)) {
    errs.push(field.notSupported(`${path}.unhealthyPodEvictionPolicy`, policy, supportedUnhealthyPodEvictionPolicies));
  }
  return errs;
}

/** ValidatePodDisruptionBudget, with the registry's ObjectMeta rules first. */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  return [...validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain), ...validatePodDisruptionBudgetSpec(pdb.spec ?? {})];
}

export function validatePodDisruptionBudgetUpdate(pdb: PodDisruptionBudget, old: PodDisruptionBudget): FieldError[] {
  return [...validateObjectMetaUpdate(pdb.metadata, old.metadata), ...validatePodDisruptionBudgetSpec(pdb.spec ?? {})];
}

/** ValidatePodDisruptionBudgetStatusUpdate (policy/v1): conditions as metav1 ValidateConditions, counts non-negative. */
export function validatePodDisruptionBudgetStatusUpdate(pdb: PodDisruptionBudget, old: PodDisruptionBudget): FieldError[] {
  const errs = validateObjectMetaUpdate(pdb.metadata, old.metadata);
  const status: Partial<PodDisruptionBudgetStatus> = pdb.status ?? {};
  (status.conditions ?? []).forEach((c, i) => {
    errs.push(...isQualifiedName(c.type ?? '').map((m) => field.invalid(`status.conditions[${i}].type`, c.type ?? '', m)));
    if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(field.notSupported(`status.conditions[${i}].status`, c.status, ['False', 'True', 'Unknown']));
    if (!c.lastTransitionTime) errs.push(field.required(`status.conditions[${i}].lastTransitionTime`, 'must be set'));
    if (!c.reason) errs.push(field.required(`status.conditions[${i}].reason`, 'must be set'));
  });
  for (const key of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) {
    errs.push(...validateNonnegativeField(status[key] ?? 0, `status.${key}`));
  }
  return errs;
}
