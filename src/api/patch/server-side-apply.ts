// Server-side apply and managed fields, after structured-merge-diff (typed ToFieldSet,
// Compare, Merge, RemoveItems; merge.Updater Update/Apply/prune) and apimachinery's
// managedfields chain (skipNonApplied's "before-first-apply", buildManagerInfo,
// managedFieldsUpdater, stripMeta, the conflict Status of internal/conflict.go).
// List semantics come from patch-meta: +listType=map lists merge by their keys
// (defaults filled in), sets by value, everything else is atomic.
import { ApiError } from '../errors.js';
import type { KubeObject, ManagedFieldsEntry, StatusCause } from '../types.js';
import { childSchema, itemSchema, schemaFor, type SchemaNode } from './patch-meta.js';
import { FieldSet, fieldPE, keyPE, type FieldPath, type PathElement, pathString, serializePE } from './field-set.js';
import { deepCopy, deepEqual, isObject, type JsonObject } from './json-value.js';

export type FieldsV1 = Record<string, unknown>;
type Schema = SchemaNode | undefined;

// ---------------------------------------------------------------------------
// Typed value operations
// ---------------------------------------------------------------------------

function listType(node: Schema): 'atomic' | 'set' | 'map' {
  return node?.listType ?? 'atomic';
}

/** The path element of a list item: key fields (with defaults) for maps, the value for sets. */
function itemPE(node: Schema, item: unknown): PathElement {
  if (listType(node) === 'set') return { kind: 'v', value: item };
  if (!isObject(item)) throw ApiError.internal(new Error('associative list with keys may not have non-map elements'));
  const keys = node?.listMapKeys ?? [];
  const fields: [string, unknown][] = [];
  for (const k of keys) {
    if (k in item) fields.push([k, item[k]]);
    else if (node?.keyDefaults && k in node.keyDefaults) fields.push([k, node.keyDefaults[k]]);
  }
  if (fields.length === 0) {
    throw ApiError.internal(
      new Error(`associative list with keys has an element that omits all key fields ${JSON.stringify(keys)} (and doesn't have default values for any key fields)`),
    );
  }
  return keyPE(fields);
}

/** typed.ToFieldSet: the paths an object specifies (leaves, map entries, list items). */
export function fieldSetOf(value: unknown, schema: Schema): FieldSet {
  const set = new FieldSet();
  toFieldSetWalk(value, schema, [], set);
  return set;
}

function toFieldSetWalk(v: unknown, node: Schema, path: FieldPath, set: FieldSet): void {
  if (isObject(v)) {
    if (node?.atomic) {
      set.insert(path);
      return;
    }
    for (const [k, val] of Object.entries(v)) {
      const p = [...path, fieldPE(k)];
      // Struct fields are members only when null or empty; map entries always are.
      if (val === null || (isObject(val) && Object.keys(val).length === 0) || node?.values) set.insert(p);
      toFieldSetWalk(val, childSchema(node, k), p, set);
    }
    return;
  }
  if (Array.isArray(v)) {
    if (listType(node) === 'atomic') {
      set.insert(path);
      return;
    }
    for (const item of v) {
      const p = [...path, itemPE(node, item)];
      set.insert(p);
      toFieldSetWalk(item, itemSchema(node), p, set);
    }
    return;
  }
  if (v !== null) set.insert(path);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** typed.Compare: fields added, modified and removed going from lhs to rhs. */
export function compareValues(lhs: unknown, rhs: unknown, schema: Schema): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareWalk(lhs, rhs, schema, [], c);
  return c;
}

function leaf(l: unknown, r: unknown, path: FieldPath, c: Comparison): void {
  if (l === undefined && r === undefined) return;
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!deepEqual(l, r)) c.modified.insert(path);
}

function compareWalk(l0: unknown, r: unknown, node: Schema, path: FieldPath, c: Comparison, parentPresent = true): void {
  // A field Go's zero value always carries (non-pointer struct, list without omitempty)
  // exists in the old object whenever its parent does; kanzen's JSON may omit it.
  const l = l0 === undefined && r !== undefined && parentPresent && node?.zero ? (isObject(r) ? {} : null) : l0;
  if (isObject(l) || isObject(r)) {
    const lm = isObject(l) ? l : l === null ? {} : undefined;
    const rm = isObject(r) ? r : undefined;
    const bothEmpty = (!lm || Object.keys(lm).length === 0) && (!rm || Object.keys(rm).length === 0);
    if (node?.atomic || bothEmpty || (l !== undefined && l !== null && !lm) || (r !== undefined && !rm)) {
      leaf(l, r, path, c);
      return;
    }
    // Only an absent (not null) side makes the node itself added or removed.
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
    for (const k of keys) {
      const lv = lm?.[k];
      const rv = rm?.[k];
      // An unchanged field has no changes below it: most updates change a few fields of a
      // large object (a status, a label), and walking the rest builds paths for nothing.
      if (lv === rv || (typeof lv === 'object' && lv !== null && deepEqual(lv, rv))) continue;
      compareWalk(lv, rv, childSchema(node, k), [...path, fieldPE(k)], c, lm !== undefined);
    }
    return;
  }
  if (Array.isArray(l) || Array.isArray(r)) {
    const la = Array.isArray(l) ? l : undefined;
    const ra = Array.isArray(r) ? r : undefined;
    const bothEmpty = (!la || la.length === 0) && (!ra || ra.length === 0);
    if (listType(node) === 'atomic' || bothEmpty || (l !== undefined && l !== null && !la) || (r !== undefined && r !== null && !ra)) {
      leaf(l, r, path, c);
      return;
    }
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    const lItems = indexItems(la ?? [], node);
    const rItems = indexItems(ra ?? [], node);
    for (const [key, { pe, item }] of rItems) compareWalk(lItems.get(key)?.item, item, itemSchema(node), [...path, pe], c, false);
    for (const [key, { pe, item }] of lItems) {
      if (!rItems.has(key)) compareWalk(item, undefined, itemSchema(node), [...path, pe], c, false);
    }
    return;
  }
  leaf(l, r, path, c);
}

interface IndexedItem {
  pe: PathElement;
  item: unknown;
}

function indexItems(list: unknown[], node: Schema): Map<string, IndexedItem> {
  const out = new Map<string, IndexedItem>();
  for (const item of list) {
    const pe = itemPE(node, item);
    const key = serializePE(pe);
    if (!out.has(key)) out.set(key, { pe, item });
  }
  return out;
}

/** typed.Merge: rhs (the applied configuration) over lhs (the live object). */
export function mergeValues(lhs: unknown, rhs: unknown, schema: Schema): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || rhs === null) return deepCopy(rhs);
  if (isObject(lhs) && isObject(rhs)) {
    if (schema?.atomic || (Object.keys(lhs).length === 0 && Object.keys(rhs).length === 0)) return deepCopy(rhs);
    const out: JsonObject = {};
    for (const k of new Set([...Object.keys(lhs), ...Object.keys(rhs)])) {
      const v = mergeValues(lhs[k], rhs[k], childSchema(schema, k));
      if (v !== undefined && v !== null) out[k] = v;
    }
    return out;
  }
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    if (listType(schema) === 'atomic' || (lhs.length === 0 && rhs.length === 0)) return deepCopy(rhs);
    return mergeListItems(lhs, rhs, schema);
  }
  return deepCopy(rhs);
}

/** mergingWalker.visitListItems: the applied order wins for shared items, live-only items stay in place. */
function mergeListItems(lhs: unknown[], rhs: unknown[], schema: Schema): unknown[] {
  const elem = itemSchema(schema);
  const lPEs = lhs.map((x) => serializePE(itemPE(schema, x)));
  const rPEs = rhs.map((x) => serializePE(itemPE(schema, x)));
  const observedL = new Map<string, unknown>();
  lhs.forEach((x, i) => (observedL.has(lPEs[i]) ? observedL.set(lPEs[i], undefined) : observedL.set(lPEs[i], x)));
  const observedR = new Map<string, unknown>();
  rhs.forEach((x, i) => observedR.set(rPEs[i], x));
  const sharedOrder = rPEs.filter((pe) => observedL.has(pe));
  let nextShared = sharedOrder.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const push = (v: unknown): void => {
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < lPEs.length || ri < rPEs.length) {
    if (li < lPEs.length && ri < rPEs.length) {
      const pe = lPEs[li];
      if (pe === rPEs[ri]) {
        mergedR.add(pe);
        push(mergeValues(observedL.get(pe), observedR.get(pe), elem));
        li++;
        ri++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (observedR.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++;
        continue;
      }
    }
    if (li < lPEs.length) {
      const pe = lPEs[li];
      if (!observedR.has(pe)) {
        push(mergeValues(lhs[li], undefined, elem));
        li++;
        continue;
      } else if (mergedR.has(pe)) {
        li++;
      }
    }
    if (ri < rPEs.length) {
      const pe = rPEs[ri];
      mergedR.add(pe);
      push(mergeValues(observedL.get(pe), observedR.get(pe), elem));
      ri++;
      if (nextShared === pe) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/** typed.RemoveItems: drops the members of `set`; maps and lists emptied by it disappear. */
export function removeItems(v: unknown, set: FieldSet, schema: Schema): unknown {
  if (isObject(v)) {
    if (schema?.atomic || Object.keys(v).length === 0) return v;
    const out: JsonObject = {};
    for (const [k, val] of Object.entries(v)) {
      const pe = fieldPE(k);
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
      const nv = sub.empty() ? val : removeItems(val, sub, childSchema(schema, k));
      if (nv !== undefined) out[k] = nv;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (Array.isArray(v)) {
    if (listType(schema) === 'atomic' || v.length === 0) return v;
    const out: unknown[] = [];
    for (const item of v) {
      const pe = itemPE(schema, item);
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
      const nv = sub.empty() ? item : removeItems(item, sub, itemSchema(schema));
      if (nv !== undefined) out.push(nv);
    }
    return out.length > 0 ? out : undefined;
  }
  return v;
}

// ---------------------------------------------------------------------------
// Managed fields
// ---------------------------------------------------------------------------

interface ManagerInfo {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
}

interface VersionedSet {
  info: ManagerInfo;
  set: FieldSet;
  time?: string;
  /**
   * The stored fieldsV1 this entry was decoded from and the set decoded from it: while
   * set holds the same fields (field sets are never changed in place), encoding reuses it
   * instead of re-encoding every manager on every write.
   */
  stored?: { set: FieldSet; fieldsV1: FieldsV1 };
}

type Managers = Map<string, VersionedSet>;

/** BuildManagerIdentifier: the entry without time and fields; Apply entries also without apiVersion. */
function managerId(info: ManagerInfo): string {
  const id: Record<string, string> = { manager: info.manager, operation: info.operation };
  if (info.operation === 'Update') id.apiVersion = info.apiVersion;
  if (info.subresource) id.subresource = info.subresource;
  return JSON.stringify(id);
}

/** stored: the entries are the stored object's (encoded here), so their fieldsV1 may be reused. */
function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined, stored = false): Managers {
  const out: Managers = new Map();
  for (const e of entries ?? []) {
    if ((e.operation !== 'Apply' && e.operation !== 'Update') || !e.apiVersion || e.fieldsType !== 'FieldsV1') {
      // DecodeManagedFields fails as a whole on a malformed entry; callers then start empty.
      return new Map();
    }
    const info: ManagerInfo = { manager: e.manager ?? '', operation: e.operation, apiVersion: e.apiVersion };
    if (e.subresource) info.subresource = e.subresource;
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch {
      // A fieldsV1 that is not a field set ("zz", a bad key element) fails the decode too.
      return new Map();
    }
    out.set(managerId(info), { info, set, time: e.time, ...(stored && e.fieldsV1 ? { stored: { set, fieldsV1: e.fieldsV1 } } : {}) });
  }
  return out;
}

/** encodeManagedFields with sortEncodedManagedFields' order (operation, time, manager, apiVersion, subresource). */
function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] | undefined {
  if (managers.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [...managers.values()].map(({ info, set, time, stored }) => {
    const e: ManagedFieldsEntry = { manager: info.manager, operation: info.operation, apiVersion: info.apiVersion };
    if (time) e.time = time;
    e.fieldsType = 'FieldsV1';
    // A manager whose fields did not change keeps its stored encoding (most updates change
    // only what their manager already owns): no re-encoding.
    e.fieldsV1 = stored && stored.set.equals(set) ? stored.fieldsV1 : set.toFieldsV1();
    if (info.subresource) e.subresource = info.subresource;
    return e;
  });
  const seconds = (t?: string): number => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a = '', b = ''): number => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

/** stripMetaManager's set: fields no manager may own. */
const strippedFields = FieldSet.of(
  [fieldPE('apiVersion')],
  [fieldPE('kind')],
  [fieldPE('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f) => [fieldPE('metadata'), fieldPE(f)],
  ),
);

/** The object as the field manager compares it: without its managedFields. */
function withoutManagedFields(obj: KubeObject | JsonObject | undefined): JsonObject {
  if (!obj) return {};
  const copy = deepCopy(obj) as JsonObject;
  if (isObject(copy.metadata)) {
    delete copy.metadata.managedFields;
    if (Object.keys(copy.metadata).length === 0) delete copy.metadata;
  }
  return copy;
}

/**
 * The object as the field manager compares it, without its managedFields, for reading
 * only: shares everything but the top level and metadata with obj (no deep copy per write).
 */
function comparableView(obj: KubeObject | undefined): JsonObject {
  if (!obj) return {};
  const view: JsonObject = { ...obj };
  if (isObject(view.metadata)) {
    const { managedFields: _m, ...metadata } = view.metadata;
    if (Object.keys(metadata).length === 0) delete view.metadata;
    else view.metadata = metadata;
  }
  return view;
}

/** merge.Updater.update: conflicts with other managers, and their loss of changed or removed fields. */
function updateManagers(lhs: JsonObject, rhs: JsonObject, schema: Schema, managers: Managers, workflow: string, force: boolean): Comparison {
  const compare = compareValues(lhs, rhs, schema);
  const changed = compare.modified.union(compare.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, vs] of managers) {
    if (id === workflow) continue;
    const c = vs.set.intersection(changed);
    if (!c.empty()) conflicts.set(id, c);
  }
  if (!force && conflicts.size > 0) throw conflictError(conflicts, managers);
  for (const [id, c] of conflicts) {
    const vs = managers.get(id);
    if (vs) vs.set = vs.set.difference(c);
  }
  if (!compare.removed.empty()) {
    for (const [id, vs] of managers) if (id !== workflow) vs.set = vs.set.difference(compare.removed);
  }
  for (const [id, vs] of managers) if (vs.set.empty()) managers.delete(id);
  return compare;
}

/** printManager: "kubectl" for appliers, `"x" using apps/v1` for updaters. */
function printManager(info: ManagerInfo): string {
  let s = JSON.stringify(info.manager);
  if (info.subresource) s = `${s} with subresource ${JSON.stringify(info.subresource)}`;
  if (info.operation === 'Update') s = `${s} using ${info.apiVersion}`;
  return s;
}

/** internal.NewConflictError: 409 Conflict with one FieldManagerConflict cause per path. */
function conflictError(conflicts: Map<string, FieldSet>, managers: Managers): ApiError {
  const ids = [...conflicts.keys()].sort();
  const list: { manager: string; path: string }[] = [];
  for (const id of ids) {
    const info = managers.get(id)?.info;
    const printed = info ? printManager(info) : JSON.stringify(id);
    for (const p of conflicts.get(id)?.paths() ?? []) list.push({ manager: printed, path: pathString(p) });
  }
  const causes: StatusCause[] = list.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path }));
  let message: string;
  if (list.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${list[0].manager}: ${list[0].path}`;
  } else {
    const lines: string[] = [];
    for (const id of ids) {
      const info = managers.get(id)?.info;
      lines.push(`conflicts with ${info ? printManager(info) : JSON.stringify(id)}:`);
      for (const p of conflicts.get(id)?.paths() ?? []) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${list.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** An Update by `info` from lhs to rhs (merge.Updater.Update + stripMeta + managedFieldsUpdater). */
function recordUpdate(lhs: JsonObject, rhs: JsonObject, schema: Schema, managers: Managers, info: ManagerInfo, now: string): void {
  const current = '{"manager":"current-operation"}';
  const compare = updateManagers(lhs, rhs, schema, managers, current, true);
  const set = (managers.get(current)?.set ?? new FieldSet())
    .difference(compare.removed)
    .union(compare.modified)
    .union(compare.added)
    .difference(strippedFields);
  managers.delete(current);
  if (set.empty()) return;
  const id = managerId(info);
  const previous = managers.get(id);
  // Its stored encoding stays with it: reused if the union adds nothing new.
  managers.set(id, { info, set: previous ? set.union(previous.set) : set, time: now, ...(previous?.stored ? { stored: previous.stored } : {}) });
}

/** The field set an object specifies, in managedFields' fieldsV1 encoding. */
export function fieldSet(obj: unknown, apiVersion: string, kind: string): FieldsV1 {
  return fieldSetOf(obj, schemaFor(apiVersion, kind)).toFieldsV1();
}

/**
 * Managed fields for an ordinary create/update/patch (FieldManager.Update): the manager
 * takes the fields it added or changed, other managers lose them and lose what was
 * removed. An existing object without managedFields keeps none (skipNonApplied).
 */
export function updateManagedFields(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  manager: string,
  operation: 'Update',
  now: string,
  subresource?: string,
): KubeObject {
  const apiVersion = newObj.apiVersion ?? oldObj?.apiVersion ?? '';
  const schema = schemaFor(apiVersion, newObj.kind ?? oldObj?.kind ?? '');
  const requested = newObj.metadata?.managedFields;
  const reset = Array.isArray(requested) && (requested.length === 0 || (requested.length === 1 && Object.keys(requested[0]).length === 0));
  let managers: Managers;
  if (subresource) managers = decodeManagedFields(oldObj?.metadata.managedFields, true);
  else if (reset) managers = new Map();
  else {
    managers = decodeManagedFields(requested);
    if (managers.size === 0) managers = decodeManagedFields(oldObj?.metadata.managedFields, true);
  }
  // The new object is the caller's to give (the registry's own next object): only its
  // metadata, which gets the managed fields, is copied.
  const { managedFields: _m, ...metadata } = newObj.metadata;
  const result: KubeObject = { ...newObj, metadata };
  if (managers.size === 0 && oldObj?.metadata.uid) return result;

  const info: ManagerInfo = { manager: manager || 'unknown', operation, apiVersion };
  if (subresource) info.subresource = subresource;
  recordUpdate(comparableView(oldObj), comparableView(newObj), schema, managers, info, now);
  const encoded = encodeManagedFields(managers);
  if (encoded) result.metadata.managedFields = encoded;
  return result;
}

/**
 * Server-side apply (FieldManager.Apply): merges the applied configuration into the live
 * object (absent for create), prunes fields this manager applied before and no longer
 * applies unless someone else owns them, and fails with 409 when a field another manager
 * owns would change — unless force, which moves the ownership.
 */
export function applyPatch(live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean, now: string): KubeObject {
  if (applied.metadata?.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw ApiError.badRequest('metadata.managedFields must be nil');
  }
  const apiVersion = applied.apiVersion ?? '';
  const schema = schemaFor(apiVersion, applied.kind ?? '');
  let managers = decodeManagedFields(live?.metadata.managedFields, true);
  let liveValue = withoutManagedFields(live);

  if (managers.size === 0 && live) {
    // skipNonAppliedManager: the fields of an object nobody manages yet belong to "before-first-apply".
    managers = new Map();
    recordUpdate({}, liveValue, schema, managers, { manager: 'before-first-apply', operation: 'Update', apiVersion }, now);
  }

  const info: ManagerInfo = { manager: manager || 'unknown', operation: 'Apply', apiVersion };
  const id = managerId(info);
  const config = withoutManagedFields(applied);
  let merged = mergeValues(liveValue, config, schema) as JsonObject;
  // What this manager applied before, when it applied it in this API version. Upstream prunes a
  // set recorded in another version after converting the object to it (merge.Updater.prune);
  // kanzen keeps such fields instead, as paths of another version's shape would remove the wrong ones.
  const previous = managers.get(id);
  const lastSet = previous?.info.apiVersion === apiVersion ? previous.set : undefined;
  const appliedSet = fieldSetOf(config, schema);
  managers.set(id, { info, set: appliedSet, time: managers.get(id)?.time });

  if (lastSet && !lastSet.empty()) {
    let owned = new FieldSet();
    for (const vs of managers.values()) owned = owned.union(vs.set);
    merged = (removeItems(merged, lastSet.difference(owned), schema) ?? {}) as JsonObject;
  }
  updateManagers(liveValue, merged, schema, managers, id, force);

  const mine = managers.get(id);
  if (mine) {
    mine.set = mine.set.difference(strippedFields);
    if (mine.set.empty()) managers.delete(id);
  }
  const noop = live !== undefined && deepEqual(liveValue, merged);
  if (!noop && managers.has(id)) {
    const entry = managers.get(id);
    if (entry) entry.time = now;
  }
  liveValue = noop ? liveValue : merged;
  const result = liveValue as KubeObject;
  if (!isObject(result.metadata)) result.metadata = {};
  const encoded = encodeManagedFields(managers);
  if (encoded) result.metadata.managedFields = encoded;
  else delete result.metadata.managedFields;
  return result;
}
