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

// ---------------------------------------------------------------------------
// Typed decoding: what decoding a body into the Go type does to it. Unknown fields are
// dropped (the Go struct has nowhere to put them) and reported; a value of the wrong
// JSON shape (an object where a string goes, a string where a struct goes) fails the
// decode. Only schema-declared fields are descended into, so the work is bounded by the
// schema, not by how deeply a body nests; what survives has the shape of the type.
// ---------------------------------------------------------------------------

/**
 * How deep an opaque value (FieldsV1, RawExtension) may nest before kanzen treats it as
 * undecodable, as the apiserver treats managedFields it cannot decode: far beyond any real
 * field set, well within what JSON.stringify can encode.
 */
export const maxOpaqueDepth = 512;

export interface TypedDecodeResult {
  /** Strict paths of the unknown fields (dropped when `drop`). */
  unknown: string[];
  /** The json.UnmarshalTypeError text of the first value of the wrong shape. */
  typeError?: string;
}

interface DecodeState {
  drop: boolean;
  /** Keep "$…" keys: a strategic merge patch's directives travel beside the fields. */
  directives: boolean;
  unknown: Set<string>;
  typeError?: string;
}

function jsonValueKind(v: Json): string {
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number
}

/** reflect.Type.String() of a field type: v1.PodSpec, []v1.Container, map[string]string. */
function goTypeString(type: FieldType): string {
  if (isRef(type)) {
    const parts = type.ref.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (isList(type)) return `[]${goTypeString(type.list)}`;
  if (isMap(type)) return `map[string]${goTypeString(type.map)}`;
  switch (type) {
    case 'boolean':
      return 'bool';
    case 'integer':
      return 'int32';
    case 'number':
      return 'float64';
    case 'quantity':
      return 'resource.Quantity';
    case 'int-or-string':
      return 'intstr.IntOrString';
    default:
      return type === 'object-any' ? 'interface {}' : 'string';
  }
}

/** Whether a value's JSON shape can decode into the type (scalars are not checked further). */
function shapeFits(v: Json, type: FieldType): boolean {
  if (v === null) return true;
  if (isRef(type) || isMap(type)) return isObject(v);
  if (isList(type)) return Array.isArray(v);
  if (type === 'object-any') return true;
  return !isObject(v) && !Array.isArray(v);
}

/** Depth of a value, iteratively, stopping once it passes `limit`. */
function depthExceeds(v: Json, limit: number): boolean {
  const work: [Json, number][] = [[v, 0]];
  while (work.length > 0) {
    const [x, d] = work.pop()!;
    if (d > limit) return true;
    if (Array.isArray(x)) for (const c of x) work.push([c, d + 1]);
    else if (isObject(x)) for (const c of Object.values(x)) work.push([c, d + 1]);
  }
  return false;
}

/**
 * Walks value as `type`. `path` is the strict path (keys and [i]); `goPath` the Go decoder's
 * field stack (JSON field names only) and `goStruct` the innermost struct, for type errors.
 */
function decodeWalk(value: Json, type: FieldType, path: string, goPath: string, goStruct: string, st: DecodeState): void {
  if (st.typeError !== undefined) return;
  if (!shapeFits(value, type)) {
    st.typeError = `json: cannot unmarshal ${jsonValueKind(value)} into Go struct field ${goStruct}.${goPath} of type ${goTypeString(type)}`;
    return;
  }
  if (isRef(type)) {
    const definition = allDefinitions()[type.ref];
    if (!definition || !isObject(value)) return;
    const structName = type.ref.slice(type.ref.lastIndexOf('.') + 1);
    for (const key of Object.keys(value)) {
      if (st.directives && key.startsWith('$')) continue;
      const fieldType = definition.properties[key];
      if (fieldType === undefined) {
        if (st.unknown.size < maxStrictErrors) st.unknown.add(child(path, key));
        if (st.drop) delete value[key];
      } else {
        decodeWalk(value[key], fieldType, child(path, key), child(goPath, key), structName, st);
      }
    }
  } else if (isList(type)) {
    if (!Array.isArray(value)) return;
    value.forEach((item, i) => decodeWalk(item, type.list, `${path}[${i}]`, goPath, goStruct, st));
  } else if (isMap(type)) {
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (st.directives && key.startsWith('$')) continue;
      decodeWalk(v, type.map, child(path, key), goPath, goStruct, st);
    }
  } else if (type === 'object-any' && value !== null && typeof value === 'object' && depthExceeds(value, maxOpaqueDepth)) {
    st.typeError = `json: cannot unmarshal object into Go struct field ${goStruct}.${goPath} of type ${goTypeString(type)}: exceeded max depth`;
  }
}

/**
 * Decodes obj (in place) as its kind's Go type would: unknown fields reported and, with
 * `drop`, removed; the first value of the wrong shape reported as the decoder's type error.
 * Kinds without a schema pass untouched.
 */
export function decodeTyped(apiVersion: string, kind: string, obj: unknown, opts: { drop: boolean; directives?: boolean }): TypedDecodeResult {
  const found = definitionFor(apiVersion, kind);
  if (!found) return { unknown: [] };
  const st: DecodeState = { drop: opts.drop, directives: opts.directives ?? false, unknown: new Set() };
  decodeWalk(obj, { ref: found.name }, '', '', kind, st);
  return { unknown: [...st.unknown], typeError: st.typeError };
}
