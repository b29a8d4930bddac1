// Deployment and ReplicaSet validation (pkg/apis/apps/validation/validation.go and the
// apps/v1 strategies' immutable selector), with upstream's messages and paths.
import { field, type FieldError } from '../errors.js';
import { labelSelectorAsRequirements, matchLabels, type LabelRequirement } from '../labels.js';
import type { Deployment, LabelSelector, PodTemplateSpec, ReplicaSet, RollingUpdateDeployment } from '../types.js';
import { GoLiteral, goIntOrString, goLabelSelector } from './go-literal.js';
import { isValidPercent, nameIsDNSSubdomain, validateNonnegativeField } from './names.js';
import { validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodTemplateSpec } from './pod-validation.js';

/**
 * Whether the template's labels satisfy the selector (labels.Selector.Matches). A selector that
 * does not convert (metav1.LabelSelectorAsSelector fails; validateLabelSelector reports why)
 * is not checked against the template, as upstream skips the check then.
 */
export function templateMatchesSelector(sel: LabelSelector, labels: Record<string, string>): boolean {
  let reqs: LabelRequirement[] | null;
  try {
    reqs = labelSelectorAsRequirements(sel);
  } catch {
    return true;
  }
  return matchLabels(reqs, labels);
}

export function selectorIsEmpty(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
}

/** ValidatePodTemplateSpecForReplicaSet */
function validatePodTemplateSpecForReplicaSet(template: PodTemplateSpec | undefined, selector: LabelSelector, path: string): FieldError[] {
  if (!template) return [field.required(path)];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels ?? {};
  if (!selectorIsEmpty(selector) && !templateMatchesSelector(selector, labels)) {
    errs.push(field.invalid(`${path}.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported(`${path}.spec.restartPolicy`, restartPolicy ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(field.invalid(`${path}.spec.activeDeadlineSeconds`, template.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

function validateSelectorAndTemplate(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!selector) {
    errs.push(field.required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (selectorIsEmpty(selector)) errs.push(field.invalid('spec.selector', goLabelSelector(selector), `empty selector is invalid for ${kind}`));
  }
  errs.push(...validatePodTemplateSpecForReplicaSet(template, selector ?? {}, 'spec.template'));
  return errs;
}

// ---- int-or-percent (maxSurge / maxUnavailable, a budget's minAvailable / maxUnavailable) ----

/**
 * ValidatePositiveIntOrPercent: a percentage string or a non-negative int. A bad string is
 * reported as the IntOrString struct (%#v), as upstream prints it.
 */
export function validatePositiveIntOrPercent(v: number | string | undefined, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => field.invalid(path, new GoLiteral(goIntOrString(v)), m));
  if (typeof v === 'number') return validateNonnegativeField(v, path);
  return [];
}

/**
 * getIntOrPercentValue: a valid percentage's number, else the value as an integer (a string
 * that is neither reads as strconv.Atoi does: its integer, or 0).
 */
export function intOrPercentValue(v: number | string | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  if (/^[0-9]+%$/.test(v)) return Number.parseInt(v, 10);
  return /^[+-]?[0-9]+$/.test(v) ? Number.parseInt(v, 10) : 0;
}

/** IsNotMoreThan100Percent: a valid percentage may not pass 100% (other values are not checked). */
export function isNotMoreThan100Percent(v: number | string | undefined, path: string): FieldError[] {
  if (typeof v !== 'string' || !/^[0-9]+%$/.test(v) || Number.parseInt(v, 10) <= 100) return [];
  return [field.invalid(path, new GoLiteral(goIntOrString(v)), 'must not be greater than 100%')];
}

function validateRollingUpdateDeployment(ru: RollingUpdateDeployment, path: string): FieldError[] {
  const errs = validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`);
  errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`));
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(field.invalid(`${path}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`));
  return errs;
}

function validateDeploymentStrategy(strategy: Deployment['spec']['strategy'], path: string): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate ? [field.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate':
      if (!s.rollingUpdate) return [field.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
      return validateRollingUpdateDeployment(s.rollingUpdate, `${path}.rollingUpdate`);
    default:
      return [field.notSupported(`${path}.type`, s.type ?? '', ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeployment(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, true, nameIsDNSSubdomain);
  const spec = d.spec ?? ({} as Deployment['spec']);
  errs.push(...validateNonnegativeField(spec.replicas ?? 0, 'spec.replicas'));
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'deployment'));
  errs.push(...validateDeploymentStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== null) {
    errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  }
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
    errs.push(...validateNonnegativeField(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata);
  errs.push(...validateDeployment(d).filter((e) => !e.field.startsWith('metadata.')));
  // apps/v1: the selector may not change after creation.
  if (!jsonEqual2(d.spec?.selector, old.spec?.selector)) {
    errs.push(...validateImmutableField(goLabelSelector(d.spec?.selector), goLabelSelector(old.spec?.selector), 'spec.selector'));
  }
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain);
  const spec = rs.spec ?? ({} as ReplicaSet['spec']);
  errs.push(...validateNonnegativeField(spec.replicas ?? 0, 'spec.replicas'));
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'deployment'));
  return errs;
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata);
  errs.push(...validateReplicaSet(rs).filter((e) => !e.field.startsWith('metadata.')));
  if (!jsonEqual2(rs.spec?.selector, old.spec?.selector)) {
    errs.push(...validateImmutableField(goLabelSelector(rs.spec?.selector), goLabelSelector(old.spec?.selector), 'spec.selector'));
  }
  return errs;
}

/** Status updates: counts are non-negative and ordered as upstream requires. */
export function validateWorkloadStatusUpdate(obj: Deployment | ReplicaSet, old: Deployment | ReplicaSet): FieldError[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  const status = (obj.status ?? {}) as Record<string, unknown>;
  for (const key of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'fullyLabeledReplicas', 'observedGeneration', 'collisionCount']) {
    const v = status[key];
    if (typeof v === 'number') errs.push(...validateNonnegativeField(v, `status.${key}`));
  }
  const n = (k: string) => (typeof status[k] === 'number' ? (status[k] as number) : 0);
  if (n('readyReplicas') > n('replicas')) errs.push(field.invalid('status.readyReplicas', n('readyReplicas'), 'cannot be greater than status.replicas'));
  if (n('availableReplicas') > n('replicas')) errs.push(field.invalid('status.availableReplicas', n('availableReplicas'), 'cannot be greater than status.replicas'));
  if (n('availableReplicas') > n('readyReplicas') && 'readyReplicas' in status) {
    errs.push(field.invalid('status.availableReplicas', n('availableReplicas'), 'cannot be greater than readyReplicas'));
  }
  return errs;
}

function jsonEqual2(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
