// LimitRange validation (pkg/apis/core/validation ValidateLimitRange), with upstream's messages
// and paths: one entry per type, Pod entries without defaults, PVC entries with a storage bound,
// and the orderings min ≤ default request ≤ default ≤ max, ratio ≥ 1 and ≤ max/min.
import { field, type FieldError } from '../errors.js';
import { canonicalQuantity, isValidQuantity, parseQuantity, quantityFormatError } from '../quantity.js';
import type { LimitRange, LimitRangeItem, Quantity } from '../types.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta } from './object-meta.js';

const limitTypes = ['Container', 'PersistentVolumeClaim', 'Pod'];
const lists = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;

/** The entry's quantities that parse, by list and resource; the others are reported. */
function parsedLists(item: LimitRangeItem, path: string, errs: FieldError[]): Record<(typeof lists)[number], Map<string, { v: number; s: string }>> {
  const out = Object.fromEntries(lists.map((l) => [l, new Map()])) as Record<(typeof lists)[number], Map<string, { v: number; s: string }>>;
  for (const l of lists) {
    for (const [k, q] of Object.entries((item[l] ?? {}) as Record<string, Quantity>)) {
      if (!isValidQuantity(q)) errs.push(field.invalid(`${path}.${l}[${k}]`, q, quantityFormatError));
      else out[l].set(k, { v: parseQuantity(q), s: canonicalQuantity(q) });
    }
  }
  return out;
}

function validateItem(item: LimitRangeItem, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!limitTypes.includes(item.type)) errs.push(field.notSupported(`${path}.type`, item.type, limitTypes));
  const q = parsedLists(item, path, errs);
  if (item.type === 'Pod') {
    if (q.default.size) errs.push(field.forbidden(`${path}.default`, "may not be specified when `type` is 'Pod'"));
    if (q.defaultRequest.size) errs.push(field.forbidden(`${path}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
  }
  if (item.type === 'PersistentVolumeClaim' && !q.min.has('storage') && !q.max.has('storage')) {
    errs.push(field.required(`${path}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
  }
  const keys = new Set(lists.flatMap((l) => [...q[l].keys()]));
  for (const k of [...keys].sort()) {
    const [max, min, def, defReq, ratio] = lists.map((l) => q[l].get(k));
    if (min && max && min.v > max.v) errs.push(field.invalid(`${path}.min[${k}]`, min.s, `min value ${min.s} is greater than max value ${max.s}`));
    if (defReq && min && min.v > defReq.v) errs.push(field.invalid(`${path}.defaultRequest[${k}]`, defReq.s, `min value ${min.s} is greater than default request value ${defReq.s}`));
    if (defReq && max && defReq.v > max.v) errs.push(field.invalid(`${path}.defaultRequest[${k}]`, defReq.s, `default request value ${defReq.s} is greater than max value ${max.s}`));
    if (defReq && def && defReq.v > def.v) errs.push(field.invalid(`${path}.defaultRequest[${k}]`, defReq.s, `default request value ${defReq.s} is greater than default limit value ${def.s}`));
    if (def && min && min.v > def.v) errs.push(field.invalid(`${path}.default[${k}]`, min.s, `min value ${min.s} is greater than default value ${def.s}`));
    if (def && max && def.v > max.v) errs.push(field.invalid(`${path}.default[${k}]`, max.s, `default value ${def.s} is greater than max value ${max.s}`));
    if (ratio && ratio.v < 1) errs.push(field.invalid(`${path}.maxLimitRequestRatio[${k}]`, ratio.s, `ratio ${ratio.s} is less than 1`));
    if (ratio && min && max && ratio.v > max.v / min.v) {
      errs.push(field.invalid(`${path}.maxLimitRequestRatio[${k}]`, ratio.s, `ratio ${ratio.s} is greater than max/min = ${(max.v / min.v).toFixed(6)}`));
    }
  }
  return errs;
}

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain);
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const path = `spec.limits[${i}]`;
    if (seen.has(item.type)) errs.push(field.duplicate(`${path}.type`, item.type));
    seen.add(item.type);
    errs.push(...validateItem(item, path));
  });
  return errs;
}
