// The proxy's file descriptors. Each proxied TCP connection holds two (client and
// endpoint), so the open-file limit bounds how many connections a node can carry.
//
// At start the node agent raises RLIMIT_NOFILE like the old userspace kube-proxy
// (setRLimit(64 * 1000), pkg/proxy/userspace/proxier.go): soft and hard to at least
// 64000 where privileged, else the soft limit to the hard one (Node itself already
// does that much at startup).
//
// Near the limit, libuv turns accept(2)'s EMFILE into silence: it accepts and closes the
// pending connections on a spare descriptor and tells no one (uv__emfile_trick). So the
// proxy keeps its own budget below the limit — like HAProxy's maxconn derived from
// ulimit-n — and refuses (resets) a connection over budget itself, logged and counted
// (socket-errors.ts), instead of reaching the point where libuv refuses for it.
import { getNoFileLimit, setNoFileLimit } from './ip-transparent.js';

/** Upstream userspace kube-proxy's open-file limit. */
export const proxyNoFileLimit = 64_000;

export interface NoFileLimit {
  soft: number;
  hard: number;
}

/** The current RLIMIT_NOFILE (Infinity for unlimited), or undefined without the native helper. */
export function noFileLimit(): NoFileLimit | undefined {
  const r = getNoFileLimit();
  if (!r) return undefined;
  const inf = (v: number) => (v < 0 ? Infinity : v);
  return { soft: inf(r[0]), hard: inf(r[1]) };
}

/**
 * Raises RLIMIT_NOFILE to at least `wanted` (soft and hard) when allowed, else the soft
 * limit to the hard one. Returns the limit now in force and why it is lower than wanted.
 */
export function raiseNoFileLimit(wanted = proxyNoFileLimit): { limit?: NoFileLimit; error?: string } {
  const cur = noFileLimit();
  if (!cur) return { error: 'no native helper (native/ip-transparent.c): cannot read or raise RLIMIT_NOFILE' };
  let error: string | undefined;
  if (cur.hard < wanted) {
    // Raising the hard limit needs CAP_SYS_RESOURCE; without it, soft up to hard is all there is.
    const err = setNoFileLimit(wanted, wanted);
    if (err === 0) return { limit: noFileLimit() };
    error = `setrlimit(RLIMIT_NOFILE, ${wanted}) failed: errno ${err}; keeping the hard limit ${cur.hard}`;
  }
  const soft = cur.hard === Infinity ? Math.max(cur.soft, wanted) : cur.hard;
  if (soft > cur.soft) {
    const err = setNoFileLimit(soft, cur.hard === Infinity ? -1 : cur.hard);
    if (err !== 0) error = `setrlimit(RLIMIT_NOFILE, ${soft}) failed: errno ${err}`;
  }
  return { limit: noFileLimit(), error };
}

/**
 * How many connections (TCP: two descriptors each; a held, dropped one: one) the proxy
 * takes at once: half of the soft limit after a reserve for everything else in the
 * process (listeners, API watches, the kubelet's pods and pipes). Infinity when the
 * limit is unknown (no native helper): libuv's own behaviour then applies.
 */
export function connectionBudget(limit: NoFileLimit | undefined): number {
  if (!limit || limit.soft === Infinity) return Infinity;
  const reserve = Math.min(1024, Math.floor(limit.soft / 4));
  return Math.max(1, Math.floor((limit.soft - reserve) / 2));
}
