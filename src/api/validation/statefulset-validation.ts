// StatefulSet and ControllerRevision validation (pkg/apis/apps/validation/validation.go:
// ValidateStatefulSet, ValidateStatefulSetUpdate, ValidateStatefulSetStatusUpdate,
// ValidateControllerRevision, ValidateControllerRevisionUpdate), with upstream's messages and paths.
import { field, type FieldError } from '../errors.js';
import { labelSelectorAsRequirements } from '../labels.js';
import type { ControllerRevision, StatefulSet, StatefulSetSpec } from '../types.js';
import { selectorIsEmpty, templateMatchesSelector } from './apps-validation.js';
import { goLabelSelector } from './go-literal.js';
import { nameIsDNSLabel, nameIsDNSSubdomain, validateNonnegativeField } from './names.js';
import { jsonEqual, validateAnnotations, validateImmutableField, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const retentionPolicies = ['Retain', 'Delete'];

function validateUpdateStrategy(spec: StatefulSetSpec): FieldError[] {
  const strategy = spec.updateStrategy ?? {};
  switch (strategy.type ?? '') {
    case '':
      return [field.required('spec.updateStrategy', '')];
    case 'OnDelete':
      return strategy.rollingUpdate ? [field.invalid('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate':
      // maxUnavailable is dropped before validation while MaxUnavailableStatefulSet is off.
      return strategy.rollingUpdate ? validateNonnegativeField(strategy.rollingUpdate.partition ?? 0, 'spec.updateStrategy.rollingUpdate.partition') : [];
    default:
      return [field.invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateRetentionPolicy(spec: StatefulSetSpec): FieldError[] {
  const policy = spec.persistentVolumeClaimRetentionPolicy;
  if (!policy) return [];
  const errs: FieldError[] = [];
  for (const key of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy[key] ?? '';
    if (!retentionPolicies.includes(v)) errs.push(field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, v, retentionPolicies));
  }
  return errs;
}

/** ValidatePodTemplateSpecForStatefulSet: labels against the selector, labels and annotations (not the pod spec). */
function validateTemplate(spec: StatefulSetSpec): FieldError[] {
  const template = spec.template;
  if (!template) return [field.required('spec.template', '')];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels ?? {};
  if (spec.selector && !selectorIsEmpty(spec.selector) && !templateMatchesSelector(spec.selector, labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  // Upstream's paths here skip "metadata".
  errs.push(...validateLabels(template.metadata?.labels, 'spec.template.labels'));
  errs.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.annotations'));
  return errs;
}

function validateSelector(spec: StatefulSetSpec): FieldError[] {
  const sel = spec.selector;
  if (!sel) return [field.required('spec.selector', '')];
  const errs = validateLabelSelector(sel, 'spec.selector');
  if (selectorIsEmpty(sel)) errs.push(field.invalid('spec.selector', goLabelSelector(sel), 'empty selector is invalid for statefulset'));
  return errs;
}

function selectorConverts(spec: StatefulSetSpec): boolean {
  try {
    labelSelectorAsRequirements(spec.selector);
    return true;
  } catch {
    return false;
  }
}

/** ValidateStatefulSetSpec */
export function validateStatefulSetSpec(spec: StatefulSetSpec): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy ?? '';
  if (policy === '') errs.push(field.required('spec.podManagementPolicy', ''));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') errs.push(field.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateUpdateStrategy(spec));
  errs.push(...validateRetentionPolicy(spec));
  errs.push(...validateNonnegativeField(spec.replicas ?? 0, 'spec.replicas'));
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (spec.ordinals) errs.push(...validateNonnegativeField(spec.ordinals.start ?? 0, 'spec.ordinals.start'));
  errs.push(...validateSelector(spec));
  if (spec.selector && !selectorConverts(spec)) errs.push(field.invalid('spec.selector', goLabelSelector(spec.selector), ''));
  else errs.push(...validateTemplate(spec));
  const podSpec = spec.template?.spec;
  if (podSpec?.restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', podSpec?.restartPolicy ?? '', ['Always']));
  if (podSpec?.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

/** ValidateStatefulSet: the name becomes the pods' hostnames, so it is a DNS label. */
export function validateStatefulSet(set: StatefulSet): FieldError[] {
  return [...validateObjectMeta(set.metadata, true, nameIsDNSLabel), ...validateStatefulSetSpec(set.spec ?? ({} as StatefulSetSpec))];
}

/** The spec fields an update may change (ValidateStatefulSetUpdate). */
const mutableSpecFields = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'] as const;

/** ValidateStatefulSetUpdate: the name is not revalidated; only the mutable spec fields may change. */
export function validateStatefulSetUpdate(set: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = [...validateObjectMetaUpdate(set.metadata, old.metadata), ...validateStatefulSetSpec(set.spec ?? ({} as StatefulSetSpec))];
  const rest = { ...(set.spec ?? {}) } as Record<string, unknown>;
  const oldRest = { ...(old.spec ?? {}) } as Record<string, unknown>;
  for (const key of mutableSpecFields) {
    delete rest[key];
    delete oldRest[key];
  }
  if (!jsonEqual(rest, oldRest)) {
    errs.push(
      field.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

/** ValidateStatefulSetStatusUpdate */
export function validateStatefulSetStatusUpdate(set: StatefulSet, old: StatefulSet): FieldError[] {
  const s = set.status ?? { replicas: 0, availableReplicas: 0 };
  const n = (v: number | undefined) => v ?? 0;
  const errs: FieldError[] = [];
  for (const key of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    errs.push(...validateNonnegativeField(n(s[key]), `status.${key}`));
  }
  if (s.observedGeneration !== undefined) errs.push(...validateNonnegativeField(s.observedGeneration, 'status.observedGeneration'));
  if (s.collisionCount !== undefined) errs.push(...validateNonnegativeField(s.collisionCount, 'status.collisionCount'));
  const msg = 'cannot be greater than status.replicas';
  for (const key of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    if (n(s[key]) > n(s.replicas)) errs.push(field.invalid(`status.${key}`, n(s[key]), msg));
  }
  if (n(s.availableReplicas) > n(s.readyReplicas)) errs.push(field.invalid('status.availableReplicas', n(s.availableReplicas), 'cannot be greater than status.readyReplicas'));
  errs.push(...validateObjectMetaUpdate(set.metadata, old.metadata));
  const oldCount = old.status?.collisionCount;
  if (oldCount !== undefined && (s.collisionCount === undefined || s.collisionCount < oldCount)) {
    errs.push(field.invalid('status.collisionCount', s.collisionCount ?? 0, 'cannot be decremented'));
  }
  return errs;
}

/** ValidateControllerRevision */
export function validateControllerRevision(rev: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(rev.metadata, true, nameIsDNSSubdomain);
  if (rev.data === undefined || rev.data === null) errs.push(field.required('data', 'data is mandatory'));
  errs.push(...validateNonnegativeField(rev.revision ?? 0, 'revision'));
  return errs;
}

/** ValidateControllerRevisionUpdate: data is immutable; the revision number may change (rollbacks renumber). */
export function validateControllerRevisionUpdate(rev: ControllerRevision, old: ControllerRevision): FieldError[] {
  return [
    ...validateObjectMetaUpdate(rev.metadata, old.metadata),
    ...validateControllerRevision(rev).filter((e) => !e.field.startsWith('metadata.')),
    ...validateImmutableField(rev.data, old.data, 'data'),
  ];
}
