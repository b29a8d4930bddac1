// ObjectMeta validation: apimachinery/pkg/api/validation/objectmeta.go plus the core
// wrapper (pkg/apis/core/validation ValidateObjectMeta adds the finalizer-name rule),
// and the meta/v1 label and selector validators.
import { field, type FieldError } from '../errors.js';
import { goStructLiteral } from './go-struct-literal.js';
import type { LabelSelector, ObjectMeta, OwnerReference } from '../types.js';
import {
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSLabel,
  validateNonnegativeField,
  type NameValidator,
} from './names.js';

export const fieldImmutableErrorMsg = 'field is immutable';
export const totalAnnotationSizeLimitB = 256 * (1 << 10);

export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((m) => field.invalid(path, key, m));
}

/** metav1validation.ValidateLabels: errors carry the map's path, not the key's. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    errs.push(...isValidLabelValue(v).map((m) => field.invalid(path, v, m)));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => field.invalid(path, k, m)));
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > totalAnnotationSizeLimitB) errs.push(field.tooLong(path, '', totalAnnotationSizeLimitB));
  return errs;
}

function validateOwnerReference(ref: OwnerReference, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = ref.apiVersion ?? '';
  const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
  if (!version) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
  if (!ref.kind) errs.push(field.invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
  if (!ref.name) errs.push(field.invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
  if (!ref.uid) errs.push(field.invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
  // BannedOwners: an Event may never own anything.
  if (apiVersion === 'v1' && ref.kind === 'Event') errs.push(field.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
  return errs;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          field.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/**
 * apimachinery ValidateFinalizers (path without index) then core's per-index check; `core` false
 * for kinds validated by apimachinery's generic ObjectMeta rules only (apiextensions' CRDs and
 * custom resources), which take any qualified finalizer name.
 */
export function validateFinalizers(finalizers: string[] | undefined, path: string, core = true): FieldError[] {
  const list = finalizers ?? [];
  const errs: FieldError[] = [];
  for (const f of list) errs.push(...isQualifiedName(f).map((m) => field.invalid(path, f, m)));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(field.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  if (!core) return errs;
  list.forEach((f, i) => {
    const p = `${path}[${i}]`;
    errs.push(...isQualifiedName(f).map((m) => field.invalid(p, f, m)));
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(field.invalid(p, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(`${p}.operator`, req.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(req.key, `${p}.key`));
    values.forEach((v, j) => errs.push(...isValidLabelValue(v).map((m) => field.invalid(`${p}.values[${j}]`, v, m))));
  });
  return errs;
}

/**
 * ValidateObjectMeta on create. Name generation has already happened; for cluster-scoped
 * kinds the server clears metadata.namespace first (as the registry does), so the
 * Forbidden rule only fires if it did not.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, requiresNamespace: boolean, nameFn: NameValidator, path = 'metadata', core = true): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    errs.push(...nameFn(m.generateName, true).map((msg) => field.invalid(`${path}.generateName`, m.generateName, msg)));
  }
  if (!m.name) {
    errs.push(field.required(`${path}.name`, 'name or generateName is required'));
  } else {
    errs.push(...nameFn(m.name, false).map((msg) => field.invalid(`${path}.name`, m.name, msg)));
  }
  if (requiresNamespace) {
    if (!m.namespace) errs.push(field.required(`${path}.namespace`));
    else errs.push(...nameIsDNSLabel(m.namespace, false).map((msg) => field.invalid(`${path}.namespace`, m.namespace, msg)));
  } else if (m.namespace) {
    errs.push(field.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(m.generation ?? 0, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`, core));
  return errs;
}

/** Deep equality over JSON values, with absent == undefined (apiequality.Semantic for plain JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  return jsonEqual(newVal, oldVal) ? [] : [field.invalid(path, newVal ?? null, fieldImmutableErrorMsg)];
}

/**
 * ValidateImmutableField of a struct (or a pointer to one, which the error dereferences): the
 * new value printed as Go's %#v of its internal type, e.g. core.PodTemplateSpec{…}.
 */
export function validateImmutableStruct(message: string, newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  if (jsonEqual(newVal, oldVal)) return [];
  return [field.invalid(path, newVal === undefined || newVal === null ? null : goStructLiteral(message, newVal), fieldImmutableErrorMsg)];
}

/**
 * ValidateObjectMetaUpdate. The "resourceVersion must be specified" rule is left to the
 * API server, which fills it in for unconditional updates before validating.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata', core = true): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const extra = [...new Set(m.finalizers ?? [])].filter((f) => !(o.finalizers ?? []).includes(f)).sort();
    if (extra.length) {
      errs.push(
        field.forbidden(
          `${path}.finalizers`,
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
    }
  }
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(field.invalid(`${path}.generation`, m.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(m.name ?? '', o.name ?? '', `${path}.name`));
  errs.push(...validateImmutableField(m.namespace ?? '', o.namespace ?? '', `${path}.namespace`));
  errs.push(...validateImmutableField(m.uid ?? '', o.uid ?? '', `${path}.uid`));
  errs.push(...validateImmutableField(m.creationTimestamp ?? null, o.creationTimestamp ?? null, `${path}.creationTimestamp`));
  errs.push(...validateImmutableField(m.deletionTimestamp ?? null, o.deletionTimestamp ?? null, `${path}.deletionTimestamp`));
  errs.push(...validateImmutableField(m.deletionGracePeriodSeconds ?? null, o.deletionGracePeriodSeconds ?? null, `${path}.deletionGracePeriodSeconds`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  // Core's wrapper re-checks finalizer names per index on update too.
  if (core) (m.finalizers ?? []).forEach((f, i) => {
    const p = `${path}.finalizers[${i}]`;
    errs.push(...isQualifiedName(f).map((msg) => field.invalid(p, f, msg)));
    if (!f.includes('/') && !standardFinalizers.has(f)) errs.push(field.invalid(p, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return errs;
}
