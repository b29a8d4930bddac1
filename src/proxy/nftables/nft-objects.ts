// The nftables objects one Service port owns, as data: chains with their rules, affinity
// sets and the elements it puts into the shared maps and counting sets. Kept as
// data so a sync can compare what a Service port had with what it gets and write only the
// difference (transaction.ts), and so golden tests can print them.

export interface NftObjects {
  /** Chain name → its rules, in order (nft rule syntax, without "add rule <table> <chain>"). */
  chains: Map<string, string[]>;
  /** Set name → its declaration ("{ type …; }"). */
  sets: Map<string, string>;
  /** Shared map or set name → element key → value (a verdict; '' in a set), e.g. "10.96.0.10 . tcp . 80" → "goto service-…". */
  elements: Map<string, Map<string, string>>;
}

export function emptyObjects(): NftObjects {
  return { chains: new Map(), sets: new Map(), elements: new Map() };
}

export function addElement(o: NftObjects, map: string, key: string, value: string): void {
  let m = o.elements.get(map);
  if (!m) o.elements.set(map, (m = new Map()));
  m.set(key, value);
}

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/** True when two renderings of a Service port are the same (nothing to write). */
export function sameObjects(a: NftObjects, b: NftObjects): boolean {
  if (a.chains.size !== b.chains.size || a.sets.size !== b.sets.size || a.elements.size !== b.elements.size) return false;
  for (const [name, rules] of a.chains) {
    const other = b.chains.get(name);
    if (!other || !sameRules(rules, other)) return false;
  }
  for (const [name, decl] of a.sets) if (b.sets.get(name) !== decl) return false;
  for (const [map, elems] of a.elements) {
    const other = b.elements.get(map);
    if (!other || other.size !== elems.size) return false;
    for (const [k, v] of elems) if (other.get(k) !== v) return false;
  }
  return true;
}
