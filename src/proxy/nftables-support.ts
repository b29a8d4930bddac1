// The kernel check behind `kanzen up --proxy-mode nftables` (upstream kube-proxy checks
// its nft and kernel before it picks the nftables mode, cmd/kube-proxy/app/server_linux.go):
// can this network namespace run kube-proxy's nftables design? Each feature it relies on
// is loaded in a throwaway table that the same transaction deletes again — the kernel
// validates every expression (loading the modules it needs) and nothing is left — one
// feature at a time, so the reason names the one that is missing.
import { nftApply } from '../util/nftables.js';
import { baseRuleset } from './nftables/base-ruleset.js';

/** One thing the nftables backend needs, as the smallest ruleset that uses it. */
export interface NftablesFeature {
  /** What is missing when the ruleset does not load (the reason of the fallback). */
  what: string;
  ruleset(table: string): string;
}

const chain = (hook: string, rules: string[]) => [`  chain probe {`, `    type ${hook}; policy accept;`, ...rules.map((r) => `    ${r}`), '  }'];
const table = (name: string, lines: string[]) => [`table ip ${name} {`, ...lines, '}', ''].join('\n');

export const nftablesFeatures: readonly NftablesFeature[] = [
  { what: 'nf_tables (the kernel has no nftables, or nft cannot reach it)', ruleset: (t) => table(t, chain('filter hook output priority 0', ['counter'])) },
  {
    what: 'connection tracking and NAT in nftables (nf_conntrack, nft_ct, nft_nat)',
    ruleset: (t) => table(t, chain('nat hook output priority -100', ['ct state new counter', 'meta l4proto tcp ip daddr 192.0.2.1 dnat to 192.0.2.2:80', 'ip saddr 192.0.2.3 masquerade'])),
  },
  {
    what: 'the nftables numgen expression (nft_numgen), which picks endpoints',
    ruleset: (t) => table(t, [...chain('nat hook output priority -100', ['meta l4proto tcp ip daddr 192.0.2.1 numgen inc mod 2 vmap { 0 : goto ep, 1 : goto ep }']), '  chain ep {', '    meta l4proto tcp dnat to 192.0.2.2:80', '  }']),
  },
  {
    what: 'nftables sets with timeouts (ClientIP session affinity)',
    ruleset: (t) => table(t, ['  set affinity {', '    type ipv4_addr', '    flags dynamic,timeout', '    timeout 3h', '  }', ...chain('filter hook output priority 0', ['update @affinity { ip saddr }'])]),
  },
  { what: 'the nftables reject statement (nft_reject), which refuses Services without endpoints', ruleset: (t) => table(t, chain('filter hook output priority 0', ['ip daddr 192.0.2.1 tcp dport 80 reject with tcp reset'])) },
  // Last, the backend's own fixed part (its hooks, priorities and verdict maps), as it writes it.
  { what: "the nftables proxy's base table (hooks, verdict maps)", ruleset: (t) => baseRuleset({ table: t, nodePortAddresses: ['192.0.2.1'] }).join('\n') + '\n' },
];

/** Applies a ruleset as one transaction; rejects with nft's message when the kernel refuses it. */
export type NftCheck = (ruleset: string) => Promise<unknown>;

/** nft inside a network namespace (the node's: the kernel is shared, its modules and nft are what matter). */
export function nftCheckIn(netns: string): NftCheck {
  return (ruleset) => nftApply(ruleset, { netns });
}

/** A feature's ruleset in a table named after the cluster, deleted by the same transaction. */
export function probeTransaction(f: NftablesFeature, cluster: string): string {
  const t = `kanzen-${cluster}-probe`;
  return `${f.ruleset(t)}delete table ip ${t}\n`;
}

/** Undefined when every feature loads; else what is missing, with nft's own words. */
export async function nftablesUnavailable(check: NftCheck, cluster: string): Promise<string | undefined> {
  for (const f of nftablesFeatures) {
    try {
      await check(probeTransaction(f, cluster));
    } catch (e) {
      return `${f.what}: ${nftMessage((e as Error).message)}`;
    }
  }
  return undefined;
}

/** The line of nft's message that says what failed (the ruleset excerpt and a caret follow it), without the command. */
function nftMessage(message: string): string {
  const line = message.split('\n').find((l) => l.trim()) ?? message;
  const at = line.indexOf('Error: ');
  return at >= 0 ? line.slice(at + 'Error: '.length) : line.slice(line.indexOf(': ') + 2);
}
