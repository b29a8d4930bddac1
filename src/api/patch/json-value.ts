// Plain-JSON helpers shared by the patch implementations: type guards, deep copy and
// equality, and Go's formatting of decoded JSON (%v, reflect type names), because the
// API server surfaces apimachinery's patch errors with those renderings verbatim.
import { ApiError } from '../errors.js';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of a JSON value; iterative, so the depth of a request body cannot exhaust the stack. */
export function deepCopy<T>(v: T): T {
  const work: [unknown, unknown[] | JsonObject][] = [];
  const shell = (x: unknown): unknown => {
    if (Array.isArray(x)) {
      const out: unknown[] = new Array(x.length);
      work.push([x, out]);
      return out;
    }
    if (isObject(x)) {
      const out: JsonObject = {};
      work.push([x, out]);
      return out;
    }
    return x;
  };
  const root = shell(v);
  while (work.length > 0) {
    const [src, dst] = work.pop()!;
    if (Array.isArray(src)) for (let i = 0; i < src.length; i++) (dst as unknown[])[i] = shell(src[i]);
    else for (const [k, x] of Object.entries(src as JsonObject)) (dst as JsonObject)[k] = shell(x);
  }
  return root as T;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** reflect.TypeOf(x).String() for a value decoded by encoding/json (ints preserved as int64). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v;
}

/** Go's %v of a decoded JSON value: map[a:1 b:[x y]] with sorted keys, <nil> for null. */
export function goSprintV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goSprintV).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goSprintV(v[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // %v of float64 is %g with the shortest representation; exponents are two digits.
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

/**
 * A patch error the API server passes through unconverted (interpretStrategicMergePatchError's
 * default case). Upstream answers those with a bare 500; every one of them is caused by the
 * patch the client sent ("$patch": "explode", a string $setElementOrder, an item without
 * its merge key), so kanzen answers 400 BadRequest with the same Go error text.
 */
export function patchInputError(message: string): ApiError {
  return ApiError.badRequest(message);
}

/** errors.NewGenericServerResponse(422, …): the message carries none of the cause. */
export function genericUnprocessable(): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

/** The json.Unmarshal type error kjson.UnmarshalStrict reports for a body of the wrong JSON type. */
export function jsonKindName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  return typeof v; // string, number, bool reported as "bool" below
}

export function unmarshalTypeError(v: unknown, goType: string): string {
  const kind = typeof v === 'boolean' ? 'bool' : jsonKindName(v);
  return `json: cannot unmarshal ${kind} into Go value of type ${goType}`;
}
