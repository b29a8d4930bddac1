// Counters in nftables mode: each endpoint's connections and bytes, and a Service port's
// refused and dropped connections, are counters of elements of two sets
// (endpoint-marks.ts). The nat hooks and the no-endpoint checks see only the first
// packet of each connection (conntrack handles the rest), so the connection counts are
// packet counts of lookups made there. A full sync recreates the table and with it the counters; what
// they held is kept as a baseline, so totals never go back.
//
// Read when somebody asks (a metrics scrape, `kanzen traffic`, before a full sync), not
// on a timer: at 10,000 Service ports a reading lists 75,000 elements. Only the two sets
// are listed: nft 1.0.6 loads the whole table (every rule and element) to list counters.
import { nftListJson, type NftTarget } from '../../util/nftables.js';
import { tableRef } from './base-ruleset.js';
import { elementCounterName, endpointBytesSet, endpointConnectionsSet } from './endpoint-marks.js';

export interface CounterValue {
  packets: number;
  bytes: number;
}

type Listing = Record<string, unknown>[];

/** `nft -j list …` of the table; empty when the table does not exist (yet). */
async function list(what: string[], target: NftTarget): Promise<Listing> {
  try {
    return await nftListJson(['list', ...what], target);
  } catch (err) {
    if (/No such file or directory/.test((err as Error).message)) return [];
    throw err;
  }
}

/** An element's key as the transactions write it: "17", "original . 17". */
function elementKey(val: unknown): string {
  const concat = (val as { concat?: unknown[] } | undefined)?.concat;
  return Array.isArray(concat) ? concat.map(String).join(' . ') : String(val);
}

/** Reads the counting sets' counters, as elementCounterName(set, key). Empty when the table does not exist yet. */
export async function readCounters(table: string, target: NftTarget): Promise<Map<string, CounterValue>> {
  const [family, name] = tableRef(table).split(' ');
  const sets = await Promise.all([endpointConnectionsSet, endpointBytesSet].map((set) => list(['set', family, name, set], target)));
  const out = new Map<string, CounterValue>();
  for (const item of sets.flat()) {
    const set = item.set as { name?: string; elem?: { elem?: { val?: unknown; counter?: CounterValue } }[] } | undefined;
    for (const e of set?.elem ?? []) {
      if (set?.name && e.elem?.counter) out.set(elementCounterName(set.name, elementKey(e.elem.val)), { packets: e.elem.counter.packets ?? 0, bytes: e.elem.counter.bytes ?? 0 });
    }
  }
  return out;
}

/** Counter totals that survive the table being rebuilt. */
export class CounterTotals {
  private readonly baseline = new Map<string, CounterValue>();
  private current = new Map<string, CounterValue>();

  /** The latest reading of the kernel's counters. */
  update(values: Map<string, CounterValue>): void {
    this.current = values;
  }

  /** Before the table is rebuilt: what the counters hold now becomes the baseline. */
  rebuilding(values: Map<string, CounterValue>): void {
    for (const [name, v] of values) {
      const b = this.baseline.get(name);
      this.baseline.set(name, { packets: (b?.packets ?? 0) + v.packets, bytes: (b?.bytes ?? 0) + v.bytes });
    }
    this.current = new Map();
  }

  /** A counter was deleted (its endpoint left): forget it. */
  forget(name: string): void {
    this.baseline.delete(name);
    this.current.delete(name);
  }

  connections(name: string): number {
    return (this.baseline.get(name)?.packets ?? 0) + (this.current.get(name)?.packets ?? 0);
  }

  bytes(name: string): number {
    return (this.baseline.get(name)?.bytes ?? 0) + (this.current.get(name)?.bytes ?? 0);
  }
}

/**
 * The marks a previous agent gave (countAs in service-port-rules.ts writes each key as its
 * endpoint-connections element's comment: "<mark> comment \"<key>\""); none when there is no table.
 */
export async function readEndpointMarks(table: string, target: NftTarget): Promise<Map<string, number>> {
  const [family, name] = tableRef(table).split(' ');
  const out = new Map<string, number>();
  for (const item of await list(['set', family, name, endpointConnectionsSet], target)) {
    const set = item.set as { elem?: { elem?: { val?: unknown; comment?: unknown } }[] } | undefined;
    for (const e of set?.elem ?? []) {
      const { val, comment } = e.elem ?? {};
      if (typeof val === 'number' && typeof comment === 'string') out.set(comment, val);
    }
  }
  return out;
}
