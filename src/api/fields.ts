// Field selectors as k8s.io/apimachinery/pkg/fields (selector.go), and the generic half of
// field-label conversion and selectable fields: each resource's module declares its own
// labels (pkg/apis/core/v1 conversion.go) and fields (registry `*ToSelectableFields`);
// runtime.DefaultMetaV1FieldSelectorConversion covers resources that declare none.
import { ApiError } from './errors.js';
import type { KubeObject } from './types.js';

export interface FieldRequirement {
  field: string;
  /** `==` parses to `=` (both are selection.Equals upstream). */
  operator: '=' | '!=';
  value: string;
}

/** fields.splitTerms: commas split terms unless backslash-escaped (the backslash stays). */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// "==" is tried before "=" so the value does not keep a leading "=".
const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): [string, (typeof termOperators)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** fields.UnescapeValue: `\\`, `\,`, `\=` are the only escapes; bare `,`/`=` are errors. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the rune with %v: its code point number.
    else if (c === ',' || c === '=') throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

/**
 * fields.ParseSelector for `?fieldSelector=`. Terms come back sorted as upstream
 * sorts them; empty terms are skipped. Throws ApiError 400 with upstream's text.
 */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const parts = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw ApiError.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const [lhs, op, rhs] = split;
    let value: string;
    try {
      value = unescapeFieldValue(rhs);
    } catch (e) {
      throw ApiError.badRequest((e as Error).message);
    }
    reqs.push({ field: lhs, operator: op === '!=' ? '!=' : '=', value });
  }
  return reqs;
}

/** Selector.Matches: a field the object lacks reads as "" (fields.Set.Get). */
export function matchFields(reqs: FieldRequirement[], fieldsOf: Record<string, string>): boolean {
  return reqs.every((r) => {
    const have = fieldsOf[r.field] ?? '';
    return r.operator === '=' ? have === r.value : have !== r.value;
  });
}

/** Selector.String(): `a=b,c!=d` with values escaped. */
export function fieldSelectorString(reqs: FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/** RequiresExactMatch: the value an `=` term demands for this field, if any. */
export function fieldRequiresExactMatch(reqs: FieldRequirement[], fieldName: string): string | undefined {
  return reqs.find((r) => r.field === fieldName && r.operator === '=')?.value;
}

// ---- which fields a resource accepts and exposes (declared by each resource's module) ----

/** A resource's field selectors: its field-label conversion func and its selectable fields. */
export interface FieldSelectors {
  /**
   * The labels the kind's conversion func accepts; such kinds answer others with "field
   * label not supported". Without one, metav1's default knows only name and namespace.
   */
  labels?: readonly string[];
  /** Legacy labels the conversion renames (Pod `spec.host` to `spec.nodeName`). */
  renamed?: Readonly<Record<string, string>>;
  /** The registry's `*ToSelectableFields` beyond ObjectMeta's. */
  fields?(obj: KubeObject): Record<string, string>;
}

/**
 * The 400 message for a field label the resource does not accept, or undefined when it
 * is accepted. Note apps/v1 registers no conversion func, so a ReplicaSet accepts only
 * metadata.name/metadata.namespace even though its registry exposes status.replicas.
 */
export function unsupportedField(selectors: FieldSelectors, fieldName: string): string | undefined {
  const accepted = selectors.labels;
  if (accepted) {
    if (accepted.includes(fieldName) || selectors.renamed?.[fieldName] !== undefined) return undefined;
    return `field label not supported: ${fieldName}`;
  }
  if (fieldName === 'metadata.name' || fieldName === 'metadata.namespace') return undefined;
  return `"${fieldName}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

/**
 * Selector.Transform(ConvertFieldLabel) as the list/watch handler runs it: rejects
 * unsupported labels with 400 BadRequest and renames legacy labels.
 */
export function convertFieldSelector(selectors: FieldSelectors, reqs: FieldRequirement[]): FieldRequirement[] {
  return reqs.map((r) => {
    const msg = unsupportedField(selectors, r.field);
    if (msg) throw ApiError.badRequest(msg);
    const renamed = selectors.renamed?.[r.field];
    return renamed === undefined ? r : { ...r, field: renamed };
  });
}

/** The fields.Set a registry matches field selectors against: generic.ObjectMetaFieldsSet plus the resource's own. */
export function objectFields(selectors: FieldSelectors, obj: KubeObject, namespaced: boolean): Record<string, string> {
  // Cluster-scoped kinds expose only metadata.name.
  const meta: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (namespaced) meta['metadata.namespace'] = obj.metadata.namespace ?? '';
  return selectors.fields ? { ...meta, ...selectors.fields(obj) } : meta;
}
