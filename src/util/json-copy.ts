// A copy of a value as JSON would carry it (JSON.parse(JSON.stringify(v))), without the
// text in between: what an in-process client hands the API server instead of a request
// body. Same rules as JSON.stringify: toJSON is called (Dates become strings), undefined,
// functions and symbols are dropped from objects and become null in arrays, non-finite
// numbers become null.

export function jsonCopy(value: unknown): unknown {
  return copy(value);
}

/** The copy, or undefined for what JSON leaves out. */
function copy(v: unknown): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'object':
      break;
    case 'bigint':
      // JSON.stringify refuses a BigInt: so does the copy.
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return undefined;
  }
  const o = v as { toJSON?: () => unknown };
  if (typeof o.toJSON === 'function') return copy(o.toJSON());
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]) ?? null;
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) {
    const x = copy((v as Record<string, unknown>)[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}
