// Strategic merge patch as the API server applies it: a port of the apply half of
// k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch with
// MergeParallelList and IgnoreUnmatchedNulls, i.e. server-side semantics), including its
// list ordering (items only in the patch come before server-only items unless
// $setElementOrder says otherwise) and error texts. Errors map to HTTP as
// interpretStrategicMergePatchError does: format sentinels are 400, lists of lists 422;
// anything else (a 500 upstream) is a 400 with the Go error text, as it is the patch's fault.
import { ApiError } from '../errors.js';
import { childSchema, itemSchema, schemaFor, type SchemaNode } from './patch-meta.js';
import {
  deepCopy,
  genericUnprocessable,
  goSprintV,
  goTypeName,
  isObject,
  type JsonObject,
  patchInputError,
  unmarshalTypeError,
} from './json-value.js';

const directiveMarker = '$patch';
const deleteDirective = 'delete';
const replaceDirective = 'replace';
const mergeDirective = 'merge';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

// mergepatch sentinel errors, as the handler maps them.
const errBadPatchFormatForPrimitiveList = (): ApiError => ApiError.badRequest('invalid patch format of primitive list');
const errBadPatchFormatForRetainKeys = (): ApiError => ApiError.badRequest('invalid patch format of retainKeys');
const errBadPatchFormatForSetElementOrderList = (): ApiError => ApiError.badRequest('invalid patch format of setElementOrder list');
const errNoListOfLists = (): ApiError => genericUnprocessable();

const errBadArgType = (expected: string, actual: unknown): ApiError =>
  patchInputError(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const errNoMergeKey = (m: unknown, key: string): ApiError =>
  patchInputError(`map: ${goSprintV(m)} does not contain declared merge key: ${key}`);
const errBadPatchType = (t: unknown, m: JsonObject): ApiError =>
  patchInputError(`unknown patch type: ${goSprintV(t)} in map: ${goSprintV(m)}`);

const sliceType = '[]interface {}';
const mapType = 'map[string]interface {}';

/**
 * Applies a strategic merge patch to `doc` for the given kind (see patch-meta for the
 * strategies). Returns a new document; the inputs are not mutated.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, apiVersion: string, kind: string): unknown {
  if (patch === null) return deepCopy(doc);
  if (!isObject(patch)) throw ApiError.badRequest(unmarshalTypeError(patch, 'map[string]interface {}'));
  const original = isObject(doc) ? deepCopy(doc) : {};
  return mergeMap(original, deepCopy(patch), schemaFor(apiVersion, kind));
}

type Schema = SchemaNode | undefined;

/** mergeMap: merges patch into original (both mutated), honouring directives. */
function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: Schema): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, directiveMarker)) {
    return handleDirectiveInMergeMap(patch[directiveMarker], patch);
  }
  const orig = original ?? {};
  applyRetainKeysDirective(orig, patch);
  mergePatchIntoOriginal(orig, patch, schema);

  for (const [rawKey, patchV] of Object.entries(patch)) {
    let k = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(deleteFromPrimitiveListPrefix)) {
      k = extractKey(rawKey, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[k];
      continue;
    }
    const present = Object.prototype.hasOwnProperty.call(orig, k);
    if (!present || goKind(orig[k]) !== goKind(patchV)) {
      if (!isDeleteList) {
        discardNullValuesFromPatch(patchV);
        const [v, keep] = removeDirectives(patchV);
        if (keep) orig[k] = v;
        else delete orig[k];
      }
      continue;
    }
    const cur = orig[k];
    if (isObject(cur) && isObject(patchV)) {
      orig[k] = mergeMap(cur, patchV, childSchema(schema, k));
    } else if (Array.isArray(cur) && Array.isArray(patchV)) {
      const field = childSchema(schema, k);
      orig[k] = mergeSliceHandler(cur, patchV, itemSchema(field), field?.patchMerge === true, field?.patchMergeKey ?? '', isDeleteList);
    } else {
      const [v, keep] = removeDirectives(patchV);
      if (keep) orig[k] = v;
      else delete orig[k];
    }
  }
  return orig;
}

/** The reflect.Type comparison mergeMap makes, reduced to what changes the outcome. */
function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  return goTypeName(v);
}

function handleDirectiveInMergeMap(directive: unknown, patch: JsonObject): JsonObject {
  if (directive === replaceDirective) {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === deleteDirective) return {};
  throw errBadPatchType(directive, patch);
}

/** extractKey: "$setElementOrder/containers" → "containers". */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListPrefix) throw errBadPatchFormatForPrimitiveList();
    throw errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(slash + 1);
}

/** $retainKeys: keys of original not listed are cleared; every patch key must be listed. */
function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, retainKeysDirective)) return;
  const retain = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retain)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set<unknown>(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) {
    if (!keep.has(k)) delete original[k];
  }
}

/** Processes each $setElementOrder/<list> together with its list, then enforces that order. */
function mergePatchIntoOriginal(original: JsonObject, patch: JsonObject, schema: Schema): void {
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType(sliceType, order);
    const originalKey = extractKey(key, setElementOrderPrefix);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, originalKey);
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, originalKey);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (foundOriginal) {
      const v = original[originalKey];
      if (!Array.isArray(v)) throw errBadArgType(sliceType, v);
      originalList = v;
    }
    if (foundPatch) {
      const v = patch[originalKey];
      if (!Array.isArray(v)) throw errBadArgType(sliceType, v);
      patchList = v;
    }
    const field = childSchema(schema, originalKey);
    const mergeKey = field?.patchMergeKey ?? '';
    validatePatchWithSetOrderList(patchList, order, mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) {
      merged = originalList;
    } else if (!foundOriginal && foundPatch) {
      merged = removeDirectives(patchList)[0] as unknown[];
    } else if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler([...originalList], patchList, itemSchema(field), field?.patchMerge === true, mergeKey, false);
    } else {
      continue;
    }

    const [patchItems, serverOnly] = mergeKey
      ? partitionMapsByPresentInList(merged, order, mergeKey)
      : partitionPrimitivesByPresentInList(merged, order);
    const kind = sliceElementKind(originalList, patchList);
    original[originalKey] = normalizeElementOrder(patchItems, serverOnly, order, originalList, mergeKey, kind);
    delete patch[originalKey];
  }
}

/** The relative order of the patch list (deletions aside) must agree with $setElementOrder. */
function validatePatchWithSetOrderList(patchList: unknown[], setOrderList: unknown[], mergeKey: string): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < setOrderList.length) {
    if (isObject(nonDelete[p]) && Object.prototype.hasOwnProperty.call(nonDelete[p], directiveMarker)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[p], setOrderList[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrderList.length) {
    throw patchInputError(
      `The order in patch list:\n${goSprintV(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goSprintV(setOrderList)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw errBadArgType(mapType, left);
  if (!isObject(right)) throw errBadArgType(mapType, right);
  if (!Object.prototype.hasOwnProperty.call(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!Object.prototype.hasOwnProperty.call(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSliceHandler(
  original: unknown[],
  patch: unknown[],
  schema: Schema,
  strategyMerge: boolean,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  // Deletion lists are handled the same way whatever the field's strategy.
  if (strategyMerge || isDeleteList) return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  return patch;
}

type ElementKind = 'map' | 'scalar';

function mergeSlice(original: unknown[], patch: unknown[], schema: Schema, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: unknown[];
  let orig = original;
  let pat = patch;
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    // Upstream names the Go struct here; kanzen's schema has no type names.
    if (!mergeKey) throw patchInputError('cannot merge lists without merge key for ');
    [orig, pat] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements([...orig], pat, mergeKey, schema);
  }
  const [patchItems, serverOnly] = mergeKey
    ? partitionMapsByPresentInList(merged, pat, mergeKey)
    : partitionPrimitivesByPresentInList(merged, pat);
  return normalizeElementOrder(patchItems, serverOnly, pat, orig, mergeKey, kind);
}

/** sliceElementType: all elements share one JSON type, lists of lists are refused. */
function sliceElementKind(...slices: unknown[][]): ElementKind {
  let prev: string | undefined;
  for (const s of slices) {
    for (const v of s) {
      const t = goTypeName(v);
      if (prev === undefined) {
        prev = t;
        if (Array.isArray(v)) throw errNoListOfLists();
      } else if (prev !== t) {
        throw patchInputError(`list element types are not identical: ${goSprintV(slices)}`);
      }
    }
  }
  if (prev === undefined) throw patchInputError('no elements in any of the given slices');
  return prev === mapType ? 'map' : 'scalar';
}

/** Items with `$patch: delete` remove matching entries; `$patch: replace` replaces the list. */
function mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!Object.prototype.hasOwnProperty.call(item, directiveMarker)) {
      plain.push(v);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === deleteDirective) {
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      orig = deleteMatchingEntries(orig, mergeKey, item[mergeKey]);
    } else if (directive === replaceDirective) {
      replace = true;
    } else if (directive === mergeDirective) {
      throw patchInputError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, item);
    }
  }
  if (replace) return [plain, []];
  return [orig, plain];
}

function deleteMatchingEntries(original: unknown[], mergeKey: string, value: unknown): unknown[] {
  original.forEach((v, i) => {
    if (!isObject(v)) throw patchInputError(`value for key ${i} is not a map`);
  });
  return original.filter((v) => !(isObject(v) && Object.prototype.hasOwnProperty.call(v, mergeKey) && v[mergeKey] === value));
}

function findByKey(list: unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isObject(v)) throw patchInputError(`value for key ${i} is not a map`);
    if (Object.prototype.hasOwnProperty.call(v, key) && v[key] === value) return i;
  }
  return -1;
}

function mergeSliceWithoutSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, schema: Schema): unknown[] {
  for (const v of patch) {
    const item = v as JsonObject;
    if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const idx = findByKey(original, mergeKey, item[mergeKey]);
    if (idx >= 0) original[idx] = mergeMap(original[idx] as JsonObject, item, schema);
    else original.push(v);
  }
  return original;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const del = new Set(toDelete);
  return current.filter((v) => !del.has(v));
}

/** deduplicateScalars, including its swap-with-last order (the order is normalised afterwards). */
function deduplicateScalars(s: unknown[]): unknown[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function partitionPrimitivesByPresentInList(list: unknown[], partitionBy: unknown[]): [unknown[], unknown[]] {
  const inPatch = new Set(partitionBy);
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) (inPatch.has(v) ? patch : serverOnly).push(v);
  return [patch, serverOnly];
}

function partitionMapsByPresentInList(list: unknown[], partitionBy: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType(mapType, v);
    if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findByKey(partitionBy, mergeKey, v[mergeKey]) >= 0 ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

/** Sorts patch items by patchOrder and server-only items by serverOrder, then interleaves them. */
function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/**
 * Inserts each server-only item (left) into the patch items (right): a left item goes
 * first only when both are in the live list and it came earlier there.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const val = (x: unknown): unknown => (kind === 'map' ? (isObject(x) ? x[mergeKey] : null) : x);
  const want = val(item);
  return list.findIndex((x) => val(x) === want);
}

function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType(mapType, v);
    (v[directiveMarker] === deleteDirective ? del : keep).push(v);
  }
  return [keep, del];
}

/** normalizeSliceOrder: Go's sort.SliceStable (insertion sort) with upstream's lenient comparator. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isObject(item)) throw errBadArgType(mapType, item);
        if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      }
    }
    [items, toDelete] = extractToDeleteItems(toSort);
  }
  const sorted = [...items];
  const less = (a: unknown, b: unknown): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i; j > 0 && less(sorted[j], sorted[j - 1]); j--) {
      [sorted[j], sorted[j - 1]] = [sorted[j - 1], sorted[j]];
    }
  }
  return [...sorted, ...toDelete];
}

/** removeDirectives: drops maps carrying $patch (and list items that are such maps). */
function removeDirectives(obj: unknown): [unknown, boolean] {
  if (isObject(obj)) {
    if (Object.prototype.hasOwnProperty.call(obj, directiveMarker)) return [null, false];
    for (const [k, v] of Object.entries(obj)) {
      const [nv, keep] = removeDirectives(v);
      if (keep) obj[k] = nv;
      else delete obj[k];
    }
    return [obj, true];
  }
  if (Array.isArray(obj)) {
    const res: unknown[] = [];
    for (const v of obj) {
      const [nv, keep] = removeDirectives(v);
      if (keep) res.push(nv);
    }
    return [res, true];
  }
  return [obj, true];
}

function discardNullValuesFromPatch(v: unknown): void {
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNullValuesFromPatch(x);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) discardNullValuesFromPatch(x);
  }
}
