// The patch metadata of the built-in kinds, from upstream's struct tags and list markers
// (generated into patch-schema.ts from the schema fact file by `npm run gen:api`):
//   * strategic merge patch uses `patchStrategy:"merge" patchMergeKey:"…"` and
//     `patchStrategy:"retainKeys"`;
//   * server-side apply (structured-merge-diff) uses `+listType=map|set|atomic`,
//     `+listMapKey`, `+structType=atomic`, `+mapType=atomic` and key defaults
//     (`+default="TCP"` on port protocols).
// The two disagree in places (container ports merge by containerPort in SMP but key on
// containerPort+protocol in SSA; pod status hostIPs merge by ip in SMP but are atomic in
// SSA), so each node carries both.
//
// The defaults are upstream's: a struct is granular, a list without a strategy is replaced
// (SMP) / atomic (SSA), and a field not in the table (scalars) behaves as an undeclared
// struct field.
import { patchKinds, patchTypes, type PatchFieldRow } from './patch-schema.js';

export type ListType = 'atomic' | 'set' | 'map';

export interface SchemaNode {
  /** Declared fields of a struct. A JSON object without `fields` and without `elem` is a struct of unknown fields. */
  fields?: Record<string, SchemaNode>;
  /** Element type of a map[string]T (`values: true`) or of a list. */
  elem?: SchemaNode;
  /** The node is a map[string]T: its keys are not declared fields (matters to SSA field sets). */
  values?: boolean;
  /** +structType=atomic / +mapType=atomic: SSA owns and replaces it as a whole. */
  atomic?: boolean;
  /** SSA list type; lists default to atomic. */
  listType?: ListType;
  /** SSA +listMapKey, in declaration order. */
  listMapKeys?: string[];
  /** SSA defaults for key fields an item may omit (+default on the key field). */
  keyDefaults?: Record<string, unknown>;
  /** SMP patchStrategy:"merge". */
  patchMerge?: boolean;
  /** SMP patchMergeKey (lists of maps). */
  patchMergeKey?: string;
  /** SMP patchStrategy includes retainKeys. */
  retainKeys?: boolean;
  /**
   * Present in Go's zero value of its parent (a non-pointer struct, or a list without
   * omitempty, encoded as null): managed-fields comparisons treat it as present-but-empty.
   */
  zero?: boolean;
}

// ---- nodes, built from the generated facts ----

const built = new Map<string, SchemaNode>();

/** A struct type's node (memoised: shared by every field of that type). */
function typeNode(name: string): SchemaNode {
  const known = built.get(name);
  if (known) return known;
  const t = patchTypes[name];
  const fields: Record<string, SchemaNode> = {};
  const node: SchemaNode = t?.atomic ? { fields, atomic: true } : { fields };
  built.set(name, node); // before the fields: a self-referencing type ends here
  for (const row of t?.fields ?? []) fields[row[0]] = fieldNode(row);
  return node;
}

/**
 * A field's node. Go's zero value carries a non-pointer struct and a list without omitempty
 * (`zero`); lists without +listType are atomic for apply; patchStrategy "merge,retainKeys" may
 * combine both SMP strategies.
 */
function fieldNode([, type, flags, facts]: PatchFieldRow): SchemaNode {
  const elem: SchemaNode = type ? typeNode(type) : {};
  const strategies = facts?.patchStrategy?.split(',') ?? [];
  const smp: Partial<SchemaNode> = {};
  if (strategies.includes('merge')) smp.patchMerge = true;
  if (facts?.patchMergeKey) smp.patchMergeKey = facts.patchMergeKey;
  if (strategies.includes('retainKeys')) smp.retainKeys = true;
  if (flags.includes('r')) {
    const node: SchemaNode = { elem, listType: facts?.listType ?? 'atomic', ...smp };
    if (facts?.listMapKeys) node.listMapKeys = [...facts.listMapKeys];
    if (facts?.keyDefaults) node.keyDefaults = { ...facts.keyDefaults };
    if (!flags.includes('o')) node.zero = true;
    return node;
  }
  if (flags.includes('m')) return { values: true, elem, ...(facts?.mapType === 'atomic' ? { atomic: true } : {}), ...smp };
  if (!type) return smp;
  const node: SchemaNode = { ...elem, ...smp };
  if (facts?.structType === 'atomic') node.atomic = true;
  if (!flags.includes('p')) node.zero = true;
  return node;
}

/** Kinds kanzen does not describe: object metadata only. */
const metadataOnly: SchemaNode = { fields: { metadata: { ...typeNode('meta.v1.ObjectMeta'), zero: true } } };

/** The schema of a kind; kinds kanzen does not describe get only object metadata. */
export function schemaFor(apiVersion: string, kind: string): SchemaNode {
  const type = patchKinds[`${apiVersion}/${kind}`];
  return type ? typeNode(type) : metadataOnly;
}

export function hasSchema(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in patchKinds;
}

/** The schema of a field of a struct or a value of a map; undefined when undescribed. */
export function childSchema(node: SchemaNode | undefined, field: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.values) return node.elem;
  return node.fields?.[field];
}

/** The schema of a list's items. */
export function itemSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  return node?.elem;
}

/** Walks a path of field names; list nodes are stepped through to their item type. */
export function lookup(apiVersion: string, kind: string, path: string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schemaFor(apiVersion, kind);
  for (const name of path) {
    if (node?.listType || node?.patchMerge) node = node.elem;
    node = childSchema(node, name);
    if (!node) return undefined;
  }
  return node;
}

export interface ListStrategy {
  mergeKey?: string;
  primitiveMerge?: boolean;
  retainKeys?: boolean;
}

/**
 * The strategic-merge-patch strategy of the field at `path` (field names only; list
 * items are stepped through), e.g. (`apps/v1`, `Deployment`,
 * [`spec`,`template`,`spec`,`containers`]) → `{ mergeKey: 'name' }`.
 * Undefined means no strategy: lists are replaced, maps merged.
 */
export function listStrategy(apiVersion: string, kind: string, path: string[]): ListStrategy | undefined {
  const node = lookup(apiVersion, kind, path);
  if (!node || (!node.patchMerge && !node.retainKeys)) return undefined;
  const out: ListStrategy = {};
  if (node.patchMerge && node.patchMergeKey) out.mergeKey = node.patchMergeKey;
  if (node.patchMerge && !node.patchMergeKey) out.primitiveMerge = true;
  if (node.retainKeys) out.retainKeys = true;
  return out;
}
