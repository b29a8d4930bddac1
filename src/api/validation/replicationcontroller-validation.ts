// ReplicationController validation (pkg/apis/core/validation ValidateReplicationController
// and its update / status rules). Its selector is a plain label map.
import { field, type FieldError } from '../errors.js';
import { matchLabels, selectorFromSet } from '../labels.js';
import type { ReplicationController, ReplicationControllerSpec } from '../types.js';
import { nameIsDNSSubdomain, validateNonnegativeField } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { validateWorkloadStatusUpdate } from './apps-validation.js';

function validateSpec(spec: ReplicationControllerSpec): FieldError[] {
  const errs = validateNonnegativeField(spec.minReadySeconds ?? 0, 'spec.minReadySeconds');
  const selector = spec.selector ?? {};
  const selectorEmpty = Object.keys(selector).length === 0;
  if (selectorEmpty) errs.push(field.required('spec.selector'));
  errs.push(...validateNonnegativeField(spec.replicas ?? 0, 'spec.replicas'));
  const template = spec.template;
  if (!template) {
    errs.push(field.required('spec.template'));
    return errs;
  }
  const labels = template.metadata?.labels ?? {};
  if (!selectorEmpty && !matchLabels(selectorFromSet(selector), labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds != null) {
    errs.push(field.invalid('spec.template.spec.activeDeadlineSeconds', template.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  return [...validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain), ...validateSpec(rc.spec ?? {})];
}

export function validateReplicationControllerUpdate(rc: ReplicationController, old: ReplicationController): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateSpec(rc.spec ?? {})];
}

/** ValidateReplicationControllerStatusUpdate: the same count rules as a ReplicaSet's. */
export function validateReplicationControllerStatusUpdate(rc: ReplicationController, old: ReplicationController): FieldError[] {
  return validateWorkloadStatusUpdate(rc as never, old as never);
}
