// ResourceQuota validation (pkg/apis/core/validation ValidateResourceQuota), with upstream's
// messages and paths: hard limits are valid, non-negative quantities; scopes are known.
import { field, type FieldError } from '../errors.js';
import { isValidQuantity, parseQuantity, quantityFormatError } from '../quantity.js';
import type { Quantity, ResourceQuota } from '../types.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta } from './object-meta.js';

const scopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'];
const operators = ['DoesNotExist', 'Exists', 'In', 'NotIn'];

function validateResourceList(list: Record<string, Quantity> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, q] of Object.entries(list ?? {})) {
    if (!isValidQuantity(q)) errs.push(field.invalid(`${path}[${k}]`, q, quantityFormatError));
    else if (parseQuantity(q) < 0) errs.push(field.invalid(`${path}[${k}]`, q, 'must be greater than or equal to 0'));
  }
  return errs;
}

export function validateResourceQuota(q: ResourceQuota): FieldError[] {
  const errs = validateObjectMeta(q.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateResourceList(q.spec?.hard, 'spec.hard'));
  (q.spec?.scopes ?? []).forEach((s, i) => {
    if (!scopes.includes(s)) errs.push(field.notSupported(`spec.scopes[${i}]`, s, scopes));
  });
  (q.spec?.scopeSelector?.matchExpressions ?? []).forEach((e, i) => {
    const path = `spec.scopeSelector.matchExpressions[${i}]`;
    if (!scopes.includes(e.scopeName)) errs.push(field.notSupported(`${path}.scopeName`, e.scopeName, scopes));
    if (!operators.includes(e.operator)) errs.push(field.notSupported(`${path}.operator`, e.operator, operators));
  });
  return errs;
}

/** What a status write checks: the status lists are valid quantities too. */
export function validateResourceQuotaStatus(q: ResourceQuota): FieldError[] {
  return [...validateResourceList(q.status?.hard, 'status.hard'), ...validateResourceList(q.status?.used, 'status.used')];
}
