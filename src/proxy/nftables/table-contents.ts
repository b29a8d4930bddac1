// What the Service proxy's table holds in the kernel right now, by name: what a full sync
// must delete when nothing desired has it any more. Upstream's nftables proxier lists its
// chains and sets the same way on a full sync (knftables List "chains", "sets"), since a
// restarted proxy knows nothing of what its predecessor wrote.
import { nftListJson, type NftTarget } from '../../util/nftables.js';
import { tableRef } from './base-ruleset.js';

export interface TableContents {
  chains: string[];
  maps: string[];
  /** Set name → its timeout in seconds (0: none). */
  sets: Map<string, number>;
}

export function emptyTableContents(): TableContents {
  return { chains: [], maps: [], sets: new Map() };
}

/** Lists the table's objects, without their rules, elements or values (`nft -t`); empty when the table does not exist. */
export async function listTableContents(table: string, target: NftTarget): Promise<TableContents> {
  const out = emptyTableContents();
  const [family] = tableRef(table).split(' ');
  const list = async (args: string[]): Promise<Record<string, unknown>[]> => {
    try {
      return await nftListJson(['-t', 'list', ...args], target);
    } catch (err) {
      if (/No such file or directory/.test((err as Error).message)) return [];
      throw err;
    }
  };
  // nft lists chains, sets and maps by family (nft 1.0.6 lists every table's sets even for
  // "list sets table ip X"): the table is picked out here, or a full sync would try to delete
  // another table's objects (the NetworkPolicy table's peer sets) from this one and fail.
  for (const item of await list(['chains', family])) {
    const c = item.chain as { name?: string; table?: string } | undefined;
    if (c?.name && c.table === table) out.chains.push(c.name);
  }
  for (const item of await list(['sets', family])) {
    const s = item.set as { name?: string; table?: string; timeout?: number } | undefined;
    if (s?.name && s.table === table) out.sets.set(s.name, s.timeout ?? 0);
  }
  for (const item of await list(['maps', family])) {
    const m = item.map as { name?: string; table?: string } | undefined;
    if (m?.name && m.table === table) out.maps.push(m.name);
  }
  return out;
}

/** The timeout of a set declaration as service-port-rules.ts writes it ("…; timeout 600s; }"), 0 without one. */
export function declaredTimeout(decl: string): number {
  const m = /timeout (\d+)s/.exec(decl);
  return m ? Number(m[1]) : 0;
}
