// PriorityClass validation (pkg/apis/scheduling/validation), with upstream's messages and paths.
import { field, type FieldError } from '../errors.js';
import type { PriorityClass } from '../types.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

/** Names with this prefix belong to the built-in classes. */
export const systemPriorityClassPrefix = 'system-';
/** The largest value a user's class may have; larger ones are the system classes'. */
export const highestUserDefinablePriority = 1_000_000_000;
/** system-cluster-critical's value; system-node-critical is 1000 above it. */
export const systemCriticalPriority = 2 * highestUserDefinablePriority;

/** The classes every cluster has (upstream scheduling/v1 SystemPriorityClasses). */
export const systemPriorityClasses: readonly { name: string; value: number; description: string }[] = [
  { name: 'system-node-critical', value: systemCriticalPriority + 1000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: systemCriticalPriority, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

const preemptionPolicies = ['Never', 'PreemptLowerPriority'];

/** IsKnownSystemPriorityClass: a system- name must be one of the built-in classes, as built in. */
function knownSystemClassError(pc: PriorityClass): string | undefined {
  const name = pc.metadata.name ?? '';
  const known = systemPriorityClasses.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== pc.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (pc.globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  if ((pc.metadata.name ?? '').startsWith(systemPriorityClassPrefix)) {
    const err = knownSystemClassError(pc);
    if (err) errs.push(field.forbidden('metadata.name', `priority class names with '${systemPriorityClassPrefix}' prefix are reserved for system use only. error: ${err}`));
  } else if (pc.value > highestUserDefinablePriority) {
    errs.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  if (pc.preemptionPolicy !== undefined && !preemptionPolicies.includes(pc.preemptionPolicy)) {
    errs.push(field.notSupported('preemptionPolicy', pc.preemptionPolicy, preemptionPolicies));
  }
  return errs;
}

/** The value and the preemption policy are fixed once created. */
export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if (pc.value !== old.value) errs.push(field.forbidden('value', 'may not be changed in an update.'));
  errs.push(...validateImmutableField(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}
