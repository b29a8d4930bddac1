// RFC 6902 JSON patch as the API server applies it: gopkg.in/evanphx/json-patch.v4,
// including its leniencies (replace of a missing object key sets it, negative array
// indices count from the end, a path's first segment before "/" is ignored), and the
// apiserver's error mapping (pkg/endpoints/handlers/patch.go): a body that is not a list
// of operations is 400 "error decoding patch: …", more than 10000 operations is 413, and
// any failing operation — a failed `test` included — is the generic 422 whose message
// does not carry the cause.
import { ApiError } from '../errors.js';
import { deepCopy, deepEqual, genericUnprocessable, isObject, type JsonObject, unmarshalTypeError } from './json-value.js';

/** The apiserver's maxJSONPatchOperations. */
export const maxJsonPatchOperations = 10000;

export interface JsonPatchOperation {
  op?: string;
  path?: string;
  from?: string;
  value?: unknown;
}

/** Why an operation failed (evanphx's error text); the API response carries only the generic 422. */
export class JsonPatchOperationError extends Error {}

/** Applies an RFC 6902 patch; returns a new document, the input is not mutated. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch);
  try {
    return applyOperations(doc, ops);
  } catch (err) {
    if (err instanceof JsonPatchOperationError) {
      const apiErr = genericUnprocessable();
      (apiErr as { cause?: unknown }).cause = err;
      throw apiErr;
    }
    throw err;
  }
}

/** Strict decoding into []jsonPatchOp, as the handler does with fieldValidation=Strict (kubectl's default). */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw ApiError.badRequest(`error decoding patch: ${unmarshalTypeError(patch, '[]handlers.jsonPatchOp')}`);
  }
  for (const op of patch) {
    if (op !== null && !isObject(op)) {
      throw ApiError.badRequest(`error decoding patch: ${unmarshalTypeError(op, 'handlers.jsonPatchOp')}`);
    }
    if (isObject(op)) {
      for (const f of ['op', 'path', 'from'] as const) {
        const v = op[f];
        if (v !== undefined && v !== null && typeof v !== 'string') {
          const kind = typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'array' : isObject(v) ? 'object' : typeof v;
          throw ApiError.badRequest(`error decoding patch: json: cannot unmarshal ${kind} into Go struct field jsonPatchOp.${f} of type string`);
        }
      }
    }
  }
  if (patch.length > maxJsonPatchOperations) {
    const msg = `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${patch.length}`;
    throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: ${msg}`);
  }
  return patch.map((op) => (isObject(op) ? (op as JsonPatchOperation) : {}));
}

/** Applies decoded operations, throwing JsonPatchOperationError with evanphx's message on failure. */
export function applyOperations(doc: unknown, ops: JsonPatchOperation[]): unknown {
  const root: Root = { doc: deepCopy(doc) };
  for (const op of ops) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    switch (kind) {
      case 'add':
        opAdd(root, op);
        break;
      case 'remove':
        opRemove(root, op);
        break;
      case 'replace':
        opReplace(root, op);
        break;
      case 'move':
        opMove(root, op);
        break;
      case 'test':
        opTest(root, op);
        break;
      case 'copy':
        opCopy(root, op);
        break;
      default:
        throw new JsonPatchOperationError(`Unexpected kind: ${kind}`);
    }
  }
  return root.doc;
}

interface Root {
  doc: unknown;
}

/** A container (object or array) addressed by a pointer's parent, with the last token. */
interface Target {
  container: JsonObject | unknown[];
  key: string;
}

const missing = Symbol('missing');

/** RFC 6901 token decoding: ~1 before ~0. */
export function decodePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** RFC 6901 token encoding, for building pointers. */
export function encodePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** evanphx findObject: walks all but the last segment; undefined when a step is missing. */
function findObject(root: Root, path: string): Target | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let doc: unknown = root.doc;
  if (!isContainer(doc)) return undefined;
  for (const part of split.slice(1, -1)) {
    const next = containerGet(doc as JsonObject | unknown[], decodePointerToken(part));
    if (next === missing || next === null || next === undefined || !isContainer(next)) return undefined;
    doc = next;
  }
  return { container: doc as JsonObject | unknown[], key: decodePointerToken(split[split.length - 1]) };
}

function isContainer(v: unknown): v is JsonObject | unknown[] {
  return Array.isArray(v) || isObject(v);
}

/** Go's strconv.Atoi: optional sign and decimal digits only. */
function atoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : undefined;
}

function invalidIndex(idx: number): JsonPatchOperationError {
  return new JsonPatchOperationError(`Unable to access invalid index: ${idx}: invalid index referenced`);
}

/** partialDoc.get / partialArray.get: objects never fail (a missing key reads as nil). */
function containerGet(c: JsonObject | unknown[], key: string): unknown {
  if (!Array.isArray(c)) return Object.prototype.hasOwnProperty.call(c, key) ? c[key] : null;
  const idx = atoi(key);
  if (idx === undefined) return missing;
  let i = idx;
  if (i < 0) {
    if (i < -c.length) return missing;
    i += c.length;
  }
  if (i >= c.length) return missing;
  return c[i];
}

function arrayGetError(c: unknown[], key: string): JsonPatchOperationError | undefined {
  const idx = atoi(key);
  if (idx === undefined) return new JsonPatchOperationError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (idx < -c.length) return invalidIndex(idx);
  const i = idx < 0 ? idx + c.length : idx;
  if (i >= c.length) return invalidIndex(i);
  return undefined;
}

function containerAdd(c: JsonObject | unknown[], key: string, val: unknown): void {
  if (!Array.isArray(c)) {
    c[key] = val;
    return;
  }
  if (key === '-') {
    c.push(val);
    return;
  }
  const idx = atoi(key);
  if (idx === undefined) {
    throw new JsonPatchOperationError(`value was not a proper array index: '${key}': strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  }
  const size = c.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  let i = idx;
  if (i < 0) {
    if (i < -size) throw invalidIndex(idx);
    i += size;
  }
  c.splice(i, 0, val);
}

function containerRemove(c: JsonObject | unknown[], key: string): void {
  if (!Array.isArray(c)) {
    if (!Object.prototype.hasOwnProperty.call(c, key)) {
      throw new JsonPatchOperationError(`Unable to remove nonexistent key: ${key}: missing value`);
    }
    delete c[key];
    return;
  }
  const idx = atoi(key);
  if (idx === undefined) throw new JsonPatchOperationError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (idx >= c.length) throw invalidIndex(idx);
  let i = idx;
  if (i < 0) {
    if (i < -c.length) throw invalidIndex(idx);
    i += c.length;
  }
  c.splice(i, 1);
}

function containerSet(c: JsonObject | unknown[], key: string, val: unknown): void {
  if (!Array.isArray(c)) {
    c[key] = val;
    return;
  }
  const idx = atoi(key) ?? 0;
  c[idx < 0 ? idx + c.length : idx] = val;
}

function opPath(op: JsonPatchOperation): string | undefined {
  return typeof op.path === 'string' ? op.path : undefined;
}

/** An operation's value; a missing value is JSON null (evanphx stores a nil node). */
function opValue(op: JsonPatchOperation): unknown {
  return op.value === undefined ? null : deepCopy(op.value);
}

function wrapped(prefix: string, err: unknown): JsonPatchOperationError {
  const msg = err instanceof Error ? err.message : String(err);
  return new JsonPatchOperationError(`${prefix}: ${msg}`);
}

function opAdd(root: Root, op: JsonPatchOperation): void {
  const path = opPath(op);
  if (path === undefined) throw new JsonPatchOperationError('add operation failed to decode path: missing value');
  const t = findObject(root, path);
  if (!t) throw new JsonPatchOperationError(`add operation does not apply: doc is missing path: "${path}": missing value`);
  try {
    containerAdd(t.container, t.key, opValue(op));
  } catch (err) {
    throw wrapped(`error in add for path: '${path}'`, err);
  }
}

function opRemove(root: Root, op: JsonPatchOperation): void {
  const path = opPath(op);
  if (path === undefined) throw new JsonPatchOperationError('remove operation failed to decode path: missing value');
  const t = findObject(root, path);
  if (!t) throw new JsonPatchOperationError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
  try {
    containerRemove(t.container, t.key);
  } catch (err) {
    throw wrapped(`error in remove for path: '${path}'`, err);
  }
}

function opReplace(root: Root, op: JsonPatchOperation): void {
  const path = opPath(op);
  if (path === undefined) throw new JsonPatchOperationError('replace operation failed to decode path: operation missing path field: missing value');
  if (path === '') {
    const val = opValue(op);
    if (!isContainer(val)) throw new JsonPatchOperationError('replace operation value must be object or array: <nil>');
    root.doc = val;
    return;
  }
  const t = findObject(root, path);
  if (!t) throw new JsonPatchOperationError(`replace operation does not apply: doc is missing path: ${path}: missing value`);
  if (Array.isArray(t.container) && arrayGetError(t.container, t.key)) {
    throw new JsonPatchOperationError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  }
  containerSet(t.container, t.key, opValue(op));
}

function opMove(root: Root, op: JsonPatchOperation): void {
  if (typeof op.from !== 'string') throw new JsonPatchOperationError('move operation failed to decode from: operation, missing from field: missing value');
  const from = op.from;
  const src = findObject(root, from);
  if (!src) throw new JsonPatchOperationError(`move operation does not apply: doc is missing from path: ${from}: missing value`);
  if (Array.isArray(src.container)) {
    const e = arrayGetError(src.container, src.key);
    if (e) throw wrapped(`error in move for path: '${src.key}'`, e);
  }
  const val = containerGet(src.container, src.key);
  try {
    containerRemove(src.container, src.key);
  } catch (err) {
    throw wrapped(`error in move for path: '${src.key}'`, err);
  }
  const path = opPath(op);
  if (path === undefined) throw new JsonPatchOperationError('move operation failed to decode path: operation missing path field: missing value');
  const dst = findObject(root, path);
  if (!dst) throw new JsonPatchOperationError(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
  try {
    containerAdd(dst.container, dst.key, val);
  } catch (err) {
    throw wrapped(`error in move for path: '${path}'`, err);
  }
}

function opTest(root: Root, op: JsonPatchOperation): void {
  const path = opPath(op);
  if (path === undefined) throw new JsonPatchOperationError('test operation failed to decode path: operation missing path field: missing value');
  const failed = (): JsonPatchOperationError => new JsonPatchOperationError(`testing value ${path} failed: test failed`);
  if (path === '') {
    if (op.value !== undefined && deepEqual(root.doc, op.value)) return;
    throw failed();
  }
  const t = findObject(root, path);
  if (!t) throw new JsonPatchOperationError(`test operation does not apply: is missing path: ${path}: missing value`);
  if (Array.isArray(t.container)) {
    const e = arrayGetError(t.container, t.key);
    if (e) throw wrapped(`error in test for path: '${path}'`, e);
  }
  const val = containerGet(t.container, t.key);
  // A missing or null member equals an absent or null value (evanphx compares nil nodes).
  if (val === null || val === undefined) {
    if (op.value === undefined || op.value === null) return;
    throw failed();
  }
  if (op.value === undefined) throw failed();
  if (!deepEqual(val, op.value)) throw failed();
}

function opCopy(root: Root, op: JsonPatchOperation): void {
  if (typeof op.from !== 'string') throw new JsonPatchOperationError('copy operation failed to decode from: operation, missing from field: missing value');
  const from = op.from;
  const src = findObject(root, from);
  if (!src) throw new JsonPatchOperationError(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
  if (Array.isArray(src.container)) {
    const e = arrayGetError(src.container, src.key);
    if (e) throw wrapped(`error in copy for from: '${from}'`, e);
  }
  const val = containerGet(src.container, src.key);
  const path = opPath(op);
  if (path === undefined) throw new JsonPatchOperationError('copy operation failed to decode path: missing value');
  const dst = findObject(root, path);
  if (!dst) throw new JsonPatchOperationError(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
  try {
    containerAdd(dst.container, dst.key, deepCopy(val));
  } catch (err) {
    throw wrapped('error while adding value during copy', err);
  }
}
