// The field schema is data: each upstream definition (keyed by its OpenAPI name, e.g.
// io.k8s.api.core.v1.Container) lists its JSON fields and their types. Strict decoding,
// OpenAPI v2 definitions and v3 components are all derived from it.

/** Scalar kinds. quantity and int-or-string are upstream's "string"/"int-or-string" formats. */
export type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'object-any';

export type FieldType = ScalarType | { map: FieldType } | { list: FieldType } | { ref: string };

export interface Definition {
  properties: Record<string, FieldType>;
  /** Fields without omitempty/+optional upstream; only published in OpenAPI (explain's -required-). */
  required?: string[];
}

export const ref = (name: string): FieldType => ({ ref: name });
export const list = (item: FieldType): FieldType => ({ list: item });
export const map = (value: FieldType): FieldType => ({ map: value });
export const def = (properties: Record<string, FieldType>, required?: string[]): Definition =>
  required ? { properties, required } : { properties };

export function isRef(t: FieldType): t is { ref: string } {
  return typeof t === 'object' && 'ref' in t;
}
export function isList(t: FieldType): t is { list: FieldType } {
  return typeof t === 'object' && 'list' in t;
}
export function isMap(t: FieldType): t is { map: FieldType } {
  return typeof t === 'object' && 'map' in t;
}
