// A custom resource version's structural schema applied to its objects, as the
// apiextensions-apiserver applies it: unknown fields pruned (kept under
// x-kubernetes-preserve-unknown-fields and additionalProperties), defaults filled in where a
// field is absent, then the value validated with kube-openapi's messages as upstream's
// validator reports them. The root's apiVersion, kind and metadata are the API's, not the schema's.
import { field, type FieldError } from '../errors.js';
import type { JSONSchemaProps } from '../types.js';

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const rootKeys = new Set(['apiVersion', 'kind', 'metadata']);
const schemaOf = (s: JSONSchemaProps['items'] | JSONSchemaProps['additionalProperties']): JSONSchemaProps | undefined =>
  isObj(s) ? (s as JSONSchemaProps) : undefined;

/** Drops fields the schema does not declare (upstream structuralpruning.Prune). */
export function prune(value: Json, s: JSONSchemaProps, root = false): void {
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties && !s.items) return;
  if (isObj(value)) {
    const additional = schemaOf(s.additionalProperties);
    for (const key of Object.keys(value)) {
      if (root && rootKeys.has(key)) continue;
      const p = s.properties?.[key] ?? additional;
      if (p) prune(value[key], p);
      else if (!s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties !== true) delete value[key];
    }
  } else if (Array.isArray(value)) {
    const items = schemaOf(s.items);
    if (items) for (const v of value) prune(v, items);
  }
}

/** Sets the defaults of absent fields, outside in (upstream structuraldefaulting.Default). */
export function applyDefaults(value: Json, s: JSONSchemaProps): void {
  if (isObj(value)) {
    for (const [key, p] of Object.entries(s.properties ?? {})) {
      if (value[key] === undefined && p.default !== undefined) value[key] = structuredClone(p.default);
      if (value[key] !== undefined) applyDefaults(value[key], p);
    }
    const additional = schemaOf(s.additionalProperties);
    if (additional) for (const key of Object.keys(value)) if (!s.properties?.[key]) applyDefaults(value[key], additional);
  } else if (Array.isArray(value)) {
    const items = schemaOf(s.items);
    if (items) for (const v of value) applyDefaults(v, items);
  }
}

/** The JSON type name kube-openapi reports for a value. */
function typeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: Json, type: string): boolean {
  const t = typeName(v);
  return t === type || (type === 'number' && t === 'integer');
}

/** Go's %v of a number or string in kube-openapi messages. */
const show = (v: Json) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Validates value at path against s (upstream's schema validator, kube-openapi errors). */
export function validateValue(value: Json, s: JSONSchemaProps, path: string, root = false): FieldError[] {
  const errs: FieldError[] = [];
  const at = path || '<nil>';
  if (value === null) {
    if (!s.nullable && s.type && !root) errs.push(field.invalid(at, 'null', `${at} in body must be of type ${s.type}: "null"`));
    return errs;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      errs.push(field.invalid(at, typeName(value), `${at} in body must be of type integer,string: "${typeName(value)}"`));
    }
  } else if (s.type && !typeMatches(value, s.type)) {
    errs.push(field.invalid(at, typeName(value), `${at} in body must be of type ${s.type}: "${typeName(value)}"`));
    return errs;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push({ type: 'FieldValueNotSupported', field: at, badValue: value, detail: `supported values: ${s.enum.map((e) => show(e)).join(', ')}` });
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum)) {
      errs.push(field.invalid(at, value, `${at} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
    if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum)) {
      errs.push(field.invalid(at, value, `${at} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
    if (s.multipleOf && value % s.multipleOf !== 0) errs.push(field.invalid(at, value, `${at} in body should be a multiple of ${s.multipleOf}`));
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) errs.push(field.invalid(at, value, `${at} in body should be at least ${s.minLength} chars long`));
    if (s.maxLength !== undefined && length > s.maxLength) errs.push({ type: 'FieldValueTooLong', field: at, badValue: value, detail: `may not be more than ${s.maxLength} bytes` });
    if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) errs.push(field.invalid(at, value, `${at} in body should match '${s.pattern}'`));
  }
  const child = (key: string) => (path ? `${path}.${key}` : key);
  if (isObj(value)) {
    for (const r of s.required ?? []) if (value[r] === undefined) errs.push(field.required(child(r), ''));
    for (const [key, v] of Object.entries(value)) {
      if (root && rootKeys.has(key)) continue;
      const p = s.properties?.[key] ?? schemaOf(s.additionalProperties);
      if (p) errs.push(...validateValue(v, p, child(key)));
    }
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) errs.push(field.invalid(at, value.length, `${at} in body should have at least ${s.minItems} items`));
    if (s.maxItems !== undefined && value.length > s.maxItems) errs.push({ type: 'FieldValueTooMany', field: at, badValue: value.length, detail: `must have at most ${s.maxItems} items` });
    const items = schemaOf(s.items);
    if (items) value.forEach((v, i) => errs.push(...validateValue(v, items, `${path}[${i}]`)));
  }
  return errs;
}
