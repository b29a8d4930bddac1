// RFC 7386 JSON merge patch as the API server applies it: jsonpatch.MergePatch from
// gopkg.in/evanphx/json-patch.v4 behind the handler's strict decoding of the patch body
// into map[string]interface{} (pkg/endpoints/handlers/patch.go).
import { ApiError } from '../errors.js';
import { deepCopy, isObject, type JsonObject, unmarshalTypeError } from './json-value.js';

/** Applies a JSON merge patch; returns a new document, the inputs are not mutated. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (patch === null) throw ApiError.badRequest('Invalid JSON Patch');
  if (!isObject(patch)) {
    throw ApiError.badRequest(`error decoding patch: ${unmarshalTypeError(patch, 'map[string]interface {}')}`);
  }
  const p = deepCopy(patch);
  if (!isObject(doc)) return pruneNulls(p);
  const out = deepCopy(doc);
  mergeDocs(out, p);
  return out;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    doc[k] = cur === undefined || cur === null ? pruneNulls(v) : merge(cur, v);
  }
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isObject(cur)) return pruneNulls(patch);
  if (!isObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

/** Drops null members of objects, recursively; nulls inside arrays stay (evanphx pruneAryNulls). */
function pruneNulls(v: unknown): unknown {
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) if (x !== null) pruneNulls(x);
  }
  return v;
}
