// One sync as one nftables transaction (upstream's nftables proxier writes one per sync
// too). A full sync replaces the whole table; a partial sync writes only what changed,
// in an order the kernel accepts within one transaction:
//   1. new chains and sets exist before anything refers to them;
//   2. changed chains are flushed and refilled, stale ones flushed (their jumps go);
//   3. map elements are deleted and added (nothing points at a stale chain any more);
//   4. stale chains and sets are deleted.
// The kernel applies the transaction atomically: a packet sees the old rules or the new.
import { baseRuleset, tableRef, type BaseRulesetOptions } from './base-ruleset.js';
import { endpointBytesSet, endpointConnectionsSet } from './endpoint-marks.js';
import type { NftObjects } from './nft-objects.js';
import { declaredTimeout, type TableContents } from './table-contents.js';

/** A Service port's objects before and after a sync (undefined: it has none). */
export interface ObjectsChange {
  before?: NftObjects;
  after?: NftObjects;
}

class Phases {
  readonly create: string[] = [];
  readonly fill: string[] = [];
  readonly deleteElements = new Map<string, string[]>();
  readonly addElements = new Map<string, string[]>();
  readonly remove: string[] = [];
  constructor(private readonly t: string) {}

  addChain(name: string, rules: readonly string[], fresh: boolean): void {
    if (fresh) this.create.push(`add chain ${this.t} ${name}`);
    else this.fill.push(`flush chain ${this.t} ${name}`);
    for (const r of rules) this.fill.push(`add rule ${this.t} ${name} ${r}`);
  }

  element(target: Map<string, string[]>, map: string, text: string): void {
    let list = target.get(map);
    if (!list) target.set(map, (list = []));
    list.push(text);
  }

  text(): string {
    const elems = (verb: string, m: Map<string, string[]>) => [...m].map(([map, items]) => `${verb} element ${this.t} ${map} { ${items.join(', ')} }`);
    const lines = [...this.create, ...this.fill, ...elems('delete', this.deleteElements), ...elems('add', this.addElements), ...this.remove];
    return lines.length ? lines.join('\n') + '\n' : '';
  }
}

function writeChange(p: Phases, t: string, change: ObjectsChange): void {
  const before = change.before;
  const after = change.after;
  for (const [name, decl] of after?.sets ?? []) if (!before?.sets.has(name)) p.create.push(`add set ${t} ${name} ${decl}`);
  for (const [name, rules] of after?.chains ?? []) {
    const old = before?.chains.get(name);
    if (old && old.length === rules.length && old.every((r, i) => r === rules[i])) continue;
    p.addChain(name, rules, !old);
  }
  for (const name of before?.chains.keys() ?? []) {
    if (after?.chains.has(name)) continue;
    p.fill.push(`flush chain ${t} ${name}`);
    p.remove.push(`delete chain ${t} ${name}`);
  }
  for (const [map, elems] of before?.elements ?? []) {
    const now = after?.elements.get(map);
    for (const [key, value] of elems) if (now?.get(key) !== value) p.element(p.deleteElements, map, key);
  }
  for (const [map, elems] of after?.elements ?? []) {
    const old = before?.elements.get(map);
    for (const [key, value] of elems) if (old?.get(key) !== value) p.element(p.addElements, map, elementText(key, value));
  }
  for (const name of before?.sets.keys() ?? []) if (!after?.sets.has(name)) p.remove.push(`delete set ${t} ${name}`);
}

/** An element as `add element` writes it: a map's "key : verdict", a set's "key", or a set's "key comment \"…\"". */
function elementText(key: string, value: string): string {
  if (!value) return key;
  return value.startsWith('comment ') ? `${key} ${value}` : `${key} : ${value}`;
}

/**
 * A partial sync: only the differences. A set whose declaration changed (a new affinity
 * timeout) cannot be redeclared in place; the caller does a full sync for that
 * (setsRedeclared).
 */
export function partialTransaction(table: string, changes: Iterable<ObjectsChange>): string {
  const t = tableRef(table);
  const p = new Phases(t);
  for (const c of changes) writeChange(p, t, c);
  return p.text();
}

/** True when some set of the change exists before and after with another declaration. */
export function setsRedeclared(change: ObjectsChange): boolean {
  for (const [name, decl] of change.after?.sets ?? []) {
    const old = change.before?.sets.get(name);
    if (old !== undefined && old !== decl) return true;
  }
  return false;
}

/**
 * A full sync that keeps the table's state: what the kernel learnt and counted lives in
 * ClientIP affinity sets (which client goes to which endpoint, with its expiry) and in the
 * counting sets' elements, so those are kept when they are still wanted, as upstream's
 * full sync adds its affinity sets without flushing them; a counting element no longer
 * wanted (`countingElements`: what the sets hold now, set → keys) is deleted. Everything else the table has
 * (`existing`, listed just before) is flushed and deleted, then the base and every
 * Service port written anew: a chain or map of an older kanzen with another definition
 * (a restarted agent after an upgrade) cannot make the transaction fail. One
 * transaction, so a packet meets the old rules or the new, never none.
 */
export function inPlaceFullTransaction(
  base: BaseRulesetOptions,
  ports: readonly NftObjects[],
  existing: TableContents,
  countingElements: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): string {
  const t = tableRef(base.table);
  const wantedSets = new Map<string, string>();
  for (const o of ports) for (const [name, decl] of o.sets) wantedSets.set(name, decl);
  const counting = [endpointConnectionsSet, endpointBytesSet];
  const out = [`add table ${t}`];
  // Rules go first: then nothing refers to a map, set or chain any more.
  for (const name of existing.chains) out.push(`flush chain ${t} ${name}`);
  for (const name of existing.maps) out.push(`delete map ${t} ${name}`);
  for (const set of counting) {
    const wanted = new Set(ports.flatMap((o) => [...(o.elements.get(set)?.keys() ?? [])]));
    const stale = [...(countingElements.get(set) ?? [])].filter((key) => !wanted.has(key));
    if (stale.length) out.push(`delete element ${t} ${set} { ${stale.join(', ')} }`);
  }
  for (const [name, timeout] of existing.sets) {
    if (counting.includes(name)) continue;
    const decl = wantedSets.get(name);
    // A new sticky timeout cannot be given to an existing set: that port's affinity starts over.
    if (decl === undefined || declaredTimeout(decl) !== timeout) out.push(`delete set ${t} ${name}`);
  }
  for (const name of existing.chains) out.push(`delete chain ${t} ${name}`);
  // Kept sets and elements are added again: "add" of an existing one with the same declaration changes nothing (counters included).
  const p = new Phases(t);
  for (const after of ports) writeChange(p, t, { after });
  return [...out, ...baseRuleset(base)].join('\n') + '\n' + p.text();
}

/** A full sync that starts from nothing: the table is deleted and written anew (created first, so the delete cannot fail). */
export function fullTransaction(base: BaseRulesetOptions, ports: Iterable<NftObjects>): string {
  const t = tableRef(base.table);
  const p = new Phases(t);
  for (const after of ports) writeChange(p, t, { after });
  return [`add table ${t}`, `delete table ${t}`, ...baseRuleset(base)].join('\n') + '\n' + p.text();
}
