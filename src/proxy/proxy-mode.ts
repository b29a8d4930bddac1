// Which backend programs a node's Service data plane (`kanzen up --proxy-mode`), as
// kube-proxy's --proxy-mode: `nftables` (the kernel forwards, conntrack keeps connections;
// upstream's nftables mode) or `userspace` (kanzen's splice proxy, src/proxy/userspace/).
// nftables is the default where the kernel can run it; a kernel or an nft that cannot falls
// back to userspace, saying why (nftables-support.ts finds out).

export const proxyModes = ['nftables', 'userspace'] as const;
export type ProxyMode = (typeof proxyModes)[number];

/** What a cluster asks for when `kanzen up` names no mode (and homes made before the flag existed). */
export const defaultProxyMode: ProxyMode = 'nftables';

/** The mode a node's proxy runs, published on its Node (read by `kanzen status`). */
export const proxyModeAnnotation = 'kanzen.io/proxy-mode';

export function isProxyMode(s: unknown): s is ProxyMode {
  return typeof s === 'string' && (proxyModes as readonly string[]).includes(s);
}

/** The mode a node runs, and why it is not the one asked for. */
export interface ProxyModeDecision {
  requested: ProxyMode;
  mode: ProxyMode;
  /** Set when mode differs from requested: what the kernel check found missing. */
  reason?: string;
}

/**
 * The mode to run: the one asked for, unless it is nftables and the kernel check found
 * something missing (`missing`, its reason), in which case userspace — the proxy that
 * needs nothing from the kernel but sockets.
 */
export function decideProxyMode(requested: ProxyMode, missing: string | undefined): ProxyModeDecision {
  if (requested === 'nftables' && missing !== undefined) return { requested, mode: 'userspace', reason: missing };
  return { requested, mode: requested };
}

/** The one line `kanzen up` and the supervisor log print about the decision. */
export function describeProxyMode(d: ProxyModeDecision): string {
  if (!d.reason) return `Proxy mode: ${d.mode}`;
  return `Proxy mode: ${d.mode} (${d.requested} is not usable here: ${d.reason})`;
}
