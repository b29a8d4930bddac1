// UDP conntrack cleanup (upstream pkg/proxy/conntrack, cleanup.go). A UDP "connection"
// is a conntrack entry that lives as long as packets keep flowing; it remembers the DNAT
// it got, so a client sending every few seconds would keep talking to an endpoint that is
// gone. When a UDP endpoint stops serving, its entries are deleted; when a UDP Service
// that had no endpoint gets one, entries made while it had none are deleted. TCP needs
// none of this: a gone endpoint resets or times out its connections.
//
// Done with the conntrack(8) CLI (Debian's conntrack package), run in the node's
// namespace like nft: one process per deletion, and deletions happen only when UDP
// endpoints change, far from any hot path.
import { execFile } from 'node:child_process';
import type { NftTarget } from '../../util/nftables.js';
import type { ServicePortProgram } from '../userspace/service-port-route.js';

function ipv4(ips: readonly string[]): string[] {
  return ips.filter((ip) => !ip.includes(':'));
}

function endpointsOf(p: ServicePortProgram | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const ep of [...(p?.internal ?? []), ...(p?.external ?? [])]) out.set(ep.key, ep.ip);
  return out;
}

/** The conntrack(8) argument lists that clean up after a UDP Service port went from `before` to `after`. */
export function udpConntrackCleanups(before: ServicePortProgram | undefined, after: ServicePortProgram | undefined): string[][] {
  const info = after?.info ?? before?.info;
  if (!info || info.protocol !== 'UDP' || !before) return [];
  const out: string[][] = [];
  const serviceIPs = ipv4([...before.info.clusterIPs, ...before.info.externalIPs, ...before.info.loadBalancerIPs]);
  for (const [key, ip] of endpointsOf(before)) {
    if (after?.serving.has(key) || ip.includes(':')) continue;
    for (const svcIP of serviceIPs) out.push(['-D', '-p', 'udp', '--orig-dst', svcIP, '--dst-nat', ip]);
    if (before.info.nodePort) out.push(['-D', '-p', 'udp', '--orig-port-dst', String(before.info.nodePort), '--dst-nat', ip]);
  }
  // Endpoints appeared where there were none: forget what the client's packets met meanwhile.
  if (after && endpointsOf(before).size === 0 && endpointsOf(after).size > 0) {
    for (const ip of ipv4([...after.info.clusterIPs, ...after.info.externalIPs, ...after.info.loadBalancerIPs])) out.push(['-D', '-p', 'udp', '--orig-dst', ip]);
    if (after.info.nodePort) out.push(['-D', '-p', 'udp', '--orig-port-dst', String(after.info.nodePort)]);
  }
  return out;
}

function conntrackCommand(args: readonly string[], target: NftTarget): [string, string[]] {
  return target.netns ? ['ip', ['netns', 'exec', target.netns, 'conntrack', ...args]] : ['conntrack', [...args]];
}

/** Runs conntrack; "0 flow entries have been deleted" (exit status 1) is success. */
export function runConntrack(args: readonly string[], target: NftTarget = {}): Promise<void> {
  const [file, argv] = conntrackCommand(args, target);
  return new Promise((resolve, reject) => {
    execFile(file, argv, (err, _stdout, stderr) => {
      if (err && !/0 flow entries have been deleted/.test(String(stderr))) reject(new Error(`conntrack ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

/** `conntrack -L`'s entries, one a line; fails rather than reading more than `maxBytes`. */
export function listConntrack(target: NftTarget, maxBytes: number): Promise<string> {
  const [file, argv] = conntrackCommand(['-L'], target);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { maxBuffer: maxBytes }, (err, stdout, stderr) => {
      if (err) reject(new Error(`conntrack -L: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}
