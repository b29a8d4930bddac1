// Per-endpoint counters in nftables mode: every endpoint chain has a named counter that
// its DNAT rule bumps. The nat hooks see only the first packet of each connection
// (conntrack handles the rest), so its packet count is the number of connections (UDP:
// flows) sent to the endpoint. Two more count its bytes each way (endpoint-marks.ts). A full sync recreates the table and
// with it the counters; what they held is kept as a baseline, so totals never go back.
import { nftListJson, type NftTarget } from '../../util/nftables.js';
import { tableRef } from './base-ruleset.js';
import { endpointBytesMap } from './endpoint-marks.js';

export interface CounterValue {
  packets: number;
  bytes: number;
}

/** Reads the table's named counters; empty when the table does not exist yet. */
export async function readCounters(table: string, target: NftTarget): Promise<Map<string, CounterValue>> {
  const out = new Map<string, CounterValue>();
  let items: Record<string, unknown>[];
  try {
    items = await nftListJson(['list', 'counters', 'table', ...tableRef(table).split(' ')], target);
  } catch (err) {
    if (/No such file or directory/.test((err as Error).message)) return out;
    throw err;
  }
  for (const item of items) {
    const c = item.counter as { name?: string; packets?: number; bytes?: number } | undefined;
    if (c?.name) out.set(c.name, { packets: c.packets ?? 0, bytes: c.bytes ?? 0 });
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

/** The endpoint marks the table's endpoint-bytes map holds ("original . <mark>" → "<chain>/in"); none when there is no table. */
export async function readEndpointMarks(table: string, target: NftTarget): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let items: Record<string, unknown>[];
  try {
    items = await nftListJson(['list', 'map', ...tableRef(table).split(' '), endpointBytesMap], target);
  } catch (err) {
    if (/No such file or directory/.test((err as Error).message)) return out;
    throw err;
  }
  for (const item of items) {
    const elems = (item.map as { elem?: unknown[] } | undefined)?.elem ?? [];
    for (const e of elems) {
      // [{ concat: ["original", 7] }, "endpoint-…/in"]
      const [key, value] = Array.isArray(e) ? e : [];
      const parts = (key as { concat?: unknown[] } | undefined)?.concat;
      if (typeof value !== 'string' || !value.endsWith('/in') || !Array.isArray(parts) || typeof parts[1] !== 'number') continue;
      out.set(value.slice(0, -'/in'.length), parts[1]);
    }
  }
  return out;
}
