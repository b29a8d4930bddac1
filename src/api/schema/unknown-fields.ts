// Strict field validation (fieldValidation=Strict), as the apiserver's strict JSON decoder
// (sigs.k8s.io/json UnmarshalStrict) reports it: every field the Go type does not declare,
// matched case-sensitively, with a path built from object keys joined by "." and list
// indexes as "[i]" (spec.template.spec.containers[0].imagex). The value of an unknown
// field is skipped, so nothing below it is reported; at most 100 errors, deduplicated.
import { goQuote } from '../errors.js';
import { allDefinitions, definitionFor } from './kinds.js';
import { isList, isMap, isRef, type FieldType } from './fieldtype.js';

const maxStrictErrors = 100;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function walk(value: Json, type: FieldType, path: string, out: Set<string>): void {
  if (out.size >= maxStrictErrors) return;
  if (isRef(type)) {
    const definition = allDefinitions()[type.ref];
    if (!definition || !isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const fieldType = definition.properties[key];
      if (fieldType === undefined) {
        if (out.size < maxStrictErrors) out.add(child(path, key));
      } else {
        walk(v, fieldType, child(path, key), out);
      }
    }
  } else if (isList(type)) {
    if (!Array.isArray(value)) return;
    value.forEach((item, i) => walk(item, type.list, `${path}[${i}]`, out));
  } else if (isMap(type)) {
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) walk(v, type.map, child(path, key), out);
  }
}

/** JSON paths of the fields of obj that its kind does not declare; [] for kinds without a schema. */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const found = definitionFor(apiVersion, kind);
  if (!found) return [];
  const out = new Set<string>();
  walk(obj, { ref: found.name }, '', out);
  return [...out];
}

/** runtime.NewStrictDecodingError's message for unknown-field paths. */
export function strictDecodingMessage(paths: string[]): string {
  return `strict decoding error: ${paths.map((p) => `unknown field ${goQuote(p)}`).join(', ')}`;
}
