// DaemonSet validation (pkg/apis/apps/validation/validation.go ValidateDaemonSet,
// ValidateDaemonSetUpdate, ValidateDaemonSetStatusUpdate, and the apps/v1 strategy's
// immutable selector), with upstream's messages and paths.
import { field, type FieldError } from '../errors.js';
import type { DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy, RollingUpdateDaemonSet } from '../types.js';
import {
  intOrPercentValue,
  isNotMoreThan100Percent,
  selectorIsEmpty,
  templateMatchesSelector,
  validatePositiveIntOrPercent,
} from './apps-validation.js';
import { GoLiteral, goLabelSelector, goPointer } from './go-literal.js';
import { nameIsDNSSubdomain, validateNonnegativeField } from './names.js';
import { jsonEqual, validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodTemplateSpec } from './pod-validation.js';

/** ValidateRollingUpdateDaemonSet: exactly one of maxUnavailable and maxSurge is non-zero. */
export function validateRollingUpdateDaemonSet(ru: RollingUpdateDaemonSet, path: string): FieldError[] {
  const errs = validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`);
  errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`));
  errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`));
  errs.push(...isNotMoreThan100Percent(ru.maxSurge, `${path}.maxSurge`));
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(field.invalid(`${path}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(field.required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

/** The strategy as Go's %#v prints it in the NotSupported error (a set rollingUpdate as a pointer). */
function goDaemonSetUpdateStrategy(s: DaemonSetUpdateStrategy): GoLiteral {
  return new GoLiteral(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(s.type ?? '')}, RollingUpdate:${goPointer('apps.RollingUpdateDaemonSet', !!s.rollingUpdate, 0)}}`);
}

/** ValidateDaemonSetUpdateStrategy */
export function validateDaemonSetUpdateStrategy(strategy: DaemonSetUpdateStrategy | undefined, path: string): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate':
      if (!s.rollingUpdate) return [field.required(`${path}.rollingUpdate`, '')];
      return validateRollingUpdateDaemonSet(s.rollingUpdate, `${path}.rollingUpdate`);
    default:
      return [field.notSupported(path, goDaemonSetUpdateStrategy(s), ['RollingUpdate', 'OnDelete'])];
  }
}

/** ValidateDaemonSetSpec */
export function validateDaemonSetSpec(spec: DaemonSetSpec, path = 'spec'): FieldError[] {
  const errs = spec.selector ? validateLabelSelector(spec.selector, `${path}.selector`) : [];
  const labels = spec.template?.metadata?.labels ?? {};
  // A missing selector converts to labels.Nothing(), which matches no template.
  if (!spec.selector || !templateMatchesSelector(spec.selector, labels)) {
    errs.push(field.invalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  if (spec.selector && selectorIsEmpty(spec.selector)) errs.push(field.invalid(`${path}.selector`, goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  const template = spec.template ?? { spec: { containers: [] } };
  errs.push(...validatePodTemplateSpec(template, `${path}.template`));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported(`${path}.template.spec.restartPolicy`, restartPolicy ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden(`${path}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegativeField(spec.minReadySeconds ?? 0, `${path}.minReadySeconds`));
  errs.push(...validateDaemonSetUpdateStrategy(spec.updateStrategy, `${path}.updateStrategy`));
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== null) {
    errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  }
  return errs;
}

/** ValidateDaemonSet */
export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const errs = validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateDaemonSetSpec(ds.spec ?? ({} as DaemonSetSpec)));
  return errs;
}

/** The strategy's ValidateUpdate: the create rules, the update rules, and (apps/v1) an immutable selector. */
export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata);
  errs.push(...validateDaemonSet(ds).filter((e) => !e.field.startsWith('metadata.')));
  if (!jsonEqual(ds.spec?.selector, old.spec?.selector)) {
    errs.push(...validateImmutableField(goLabelSelector(ds.spec?.selector), goLabelSelector(old.spec?.selector), 'spec.selector'));
  }
  return errs;
}

const statusCounts = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'collisionCount',
] as const;

/** ValidateDaemonSetStatusUpdate: counts are non-negative and collisionCount never goes down. */
export function validateDaemonSetStatusUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata);
  const status = ds.status ?? ({} as NonNullable<DaemonSet['status']>);
  for (const key of statusCounts) {
    const v = status[key];
    if (typeof v === 'number') errs.push(...validateNonnegativeField(v, `status.${key}`));
  }
  const oldCount = old.status?.collisionCount;
  if (typeof oldCount === 'number' && (typeof status.collisionCount !== 'number' || status.collisionCount < oldCount)) {
    errs.push(field.invalid('status.collisionCount', status.collisionCount ?? 0, 'cannot be decremented'));
  }
  return errs;
}
