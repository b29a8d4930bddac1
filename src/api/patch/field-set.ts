// Sets of field paths as structured-merge-diff keeps them (sigs.k8s.io/structured-merge-diff
// fieldpath.Set) and their managedFields encoding, fieldsV1: path elements "f:<field>",
// "k:<key fields as JSON>", "v:<value as JSON>", "i:<index>", with "." marking a node that
// is itself a member when it also has children. Elements are kept sorted as upstream
// sorts them (fields < keys < values < indices), so encodings are byte-identical.
import { isObject, type JsonObject } from './json-value.js';

export type PathElement =
  | { kind: 'f'; name: string }
  | { kind: 'k'; fields: [string, unknown][] }
  | { kind: 'v'; value: unknown }
  | { kind: 'i'; index: number };

export type FieldPath = PathElement[];

export function fieldPE(name: string): PathElement {
  return { kind: 'f', name };
}

/** A key element; fields are sorted by name as value.FieldList.Sort does. */
export function keyPE(fields: [string, unknown][]): PathElement {
  return { kind: 'k', fields: [...fields].sort((a, b) => compareStrings(a[0], b[0])) };
}

export function serializePE(pe: PathElement): string {
  switch (pe.kind) {
    case 'f':
      return `f:${pe.name}`;
    case 'k':
      return `k:{${pe.fields.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(v)}`).join(',')}}`;
    case 'v':
      return `v:${JSON.stringify(pe.value)}`;
    case 'i':
      return `i:${pe.index}`;
  }
}

export function parsePE(s: string): PathElement {
  const body = s.slice(2);
  switch (s.slice(0, 2)) {
    case 'f:':
      return { kind: 'f', name: body };
    case 'k:': {
      const obj = JSON.parse(body) as JsonObject;
      return keyPE(Object.entries(obj));
    }
    case 'v:':
      return { kind: 'v', value: JSON.parse(body) as unknown };
    case 'i:':
      return { kind: 'i', index: Number.parseInt(body, 10) };
    default:
      throw new Error(`unknown path element type: ${s}`);
  }
}

/** value.ToString: strings quoted, numbers and bools bare. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (isObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${valueString(x)}`).join('');
  return String(v);
}

/** PathElement.String(): ".name", "[port=80,protocol=\"TCP\"]", "[=\"value\"]", "[0]". */
export function peString(pe: PathElement): string {
  switch (pe.kind) {
    case 'f':
      return `.${pe.name}`;
    case 'k':
      return `[${pe.fields.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
    case 'v':
      return `[=${valueString(pe.value)}]`;
    case 'i':
      return `[${pe.index}]`;
  }
}

export function pathString(path: FieldPath): string {
  return path.map(peString).join('');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const rank = { f: 0, k: 1, v: 2, i: 3 } as const;

/** value.Compare's total order for the JSON values that appear in keys. */
function compareValues(a: unknown, b: unknown): number {
  const order = (v: unknown): number =>
    typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : isObject(v) ? 4 : 5;
  const oa = order(a);
  const ob = order(b);
  if (oa !== ob) return oa - ob;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

export function comparePE(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return rank[a.kind] - rank[b.kind];
  if (a.kind === 'f' && b.kind === 'f') return compareStrings(a.name, b.name);
  if (a.kind === 'k' && b.kind === 'k') {
    for (let i = 0; ; i++) {
      if (i >= a.fields.length && i >= b.fields.length) return 0;
      if (i >= a.fields.length) return -1;
      if (i >= b.fields.length) return 1;
      const c = compareStrings(a.fields[i][0], b.fields[i][0]) || compareValues(a.fields[i][1], b.fields[i][1]);
      if (c !== 0) return c;
    }
  }
  if (a.kind === 'v' && b.kind === 'v') return compareValues(a.value, b.value);
  if (a.kind === 'i' && b.kind === 'i') return a.index - b.index;
  return 0;
}

interface ChildNode {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, ChildNode>();

  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path: one step per element, no copies of the path (linear in its length). */
  insert(path: FieldPath): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.child(path[i]);
    const last = path[path.length - 1];
    node.members.set(serializePE(last), last);
  }

  /** The child set under pe, created empty for insert (which always puts a member below it). */
  private child(pe: PathElement): FieldSet {
    const key = serializePE(pe);
    let node = this.children.get(key);
    if (!node) {
      node = { pe, set: new FieldSet() };
      this.children.set(key, node);
    }
    return node.set;
  }

  /** The subset under one element (WithPrefix), empty when absent. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePE(pe))?.set ?? new FieldSet();
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePE(pe));
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(serializePE(path[i]))?.set;
    return node ? node.hasMember(path[path.length - 1]) : false;
  }

  /**
   * O(1): no child set is ever empty — insert puts a member below every child it makes,
   * and union, difference, intersection and fromFieldsV1 keep only non-empty children —
   * so callers that ask at every level stay linear.
   */
  empty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of other.children) {
      const mine = out.children.get(k);
      out.children.set(k, { pe: c.pe, set: mine ? mine.set.union(c.set) : c.set.copy() });
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      const d = theirs ? c.set.difference(theirs.set) : c.set.copy();
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs) continue;
      const i = c.set.intersection(theirs.set);
      if (!i.empty()) out.children.set(k, { pe: c.pe, set: i });
    }
    return out;
  }

  /** The same fields (as sets: order does not matter). */
  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.members.size !== other.members.size || this.children.size !== other.children.size) return false;
    for (const k of this.members.keys()) if (!other.members.has(k)) return false;
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs || !c.set.equals(theirs.set)) return false;
    }
    return true;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, { pe: c.pe, set: c.set.copy() });
    return out;
  }

  /** Set.Iterate: members of a level (sorted) before its children (sorted), depth first. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    for (const pe of sortPEs([...this.members.values()])) out.push([...prefix, pe]);
    for (const c of sortNodes([...this.children.values()])) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** The fieldsV1 encoding (Set.ToJSON). */
  toFieldsV1(): JsonObject {
    // Each element once, under the key it is stored by (no re-serializing), in upstream's order.
    const entries: [string, PathElement][] = [...this.members];
    for (const [k, c] of this.children) if (!c.set.empty() && !this.members.has(k)) entries.push([k, c.pe]);
    if (entries.length > 1) entries.sort((a, b) => comparePE(a[1], b[1]));
    const out: JsonObject = {};
    for (const [key] of entries) {
      const node = this.children.get(key);
      if (node && !node.set.empty()) {
        const inner = node.set.toFieldsV1();
        out[key] = this.members.has(key) ? { '.': {}, ...inner } : inner;
      } else {
        out[key] = {};
      }
    }
    return out;
  }

  static fromFieldsV1(fields: unknown): FieldSet {
    const s = new FieldSet();
    if (!isObject(fields)) return s;
    for (const [key, v] of Object.entries(fields)) {
      if (key === '.') continue;
      const pe = parsePE(key);
      if (!isObject(v) || Object.keys(v).length === 0) {
        s.members.set(serializePE(pe), pe);
        continue;
      }
      if ('.' in v) s.members.set(serializePE(pe), pe);
      const child = FieldSet.fromFieldsV1(v);
      if (!child.empty()) s.children.set(serializePE(pe), { pe, set: child });
    }
    return s;
  }
}

function sortPEs(pes: PathElement[]): PathElement[] {
  return pes.sort(comparePE);
}

function sortNodes(nodes: ChildNode[]): ChildNode[] {
  return nodes.sort((a, b) => comparePE(a.pe, b.pe));
}
