// Sets of IPv4 addresses as sorted, disjoint, non-adjacent intervals: what an nftables
// interval set holds. ipBlock's "cidr minus except" is a subtraction here, and peers of
// one rule (pod IPs, blocks) are merged, because nft refuses overlapping elements in one
// set and would not subtract for us.
import { formatIPv4, parseCIDR, parseIPv4 } from '../api/ipv4.js';
import type { IPBlock } from '../api/types.js';

/** Inclusive [first, last] as uint32. */
export type AddressInterval = [number, number];

function cidrInterval(cidr: string): AddressInterval {
  const c = parseCIDR(cidr);
  return [c.network, c.network + c.size - 1];
}

/** Sorts and merges overlapping or touching intervals. */
export function normalizeIntervals(intervals: Iterable<AddressInterval>): AddressInterval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: AddressInterval[] = [];
  for (const [first, last] of sorted) {
    const prev = out[out.length - 1];
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else out.push([first, last]);
  }
  return out;
}

function subtract(from: AddressInterval[], cut: AddressInterval): AddressInterval[] {
  const out: AddressInterval[] = [];
  for (const [first, last] of from) {
    if (cut[1] < first || cut[0] > last) {
      out.push([first, last]);
      continue;
    }
    if (cut[0] > first) out.push([first, cut[0] - 1]);
    if (cut[1] < last) out.push([cut[1] + 1, last]);
  }
  return out;
}

/** An ipBlock's addresses (IPv4 only: kanzen's cluster network is IPv4; an IPv6 block names nothing here). */
export function ipBlockIntervals(block: IPBlock): AddressInterval[] {
  if (block.cidr.includes(':')) return [];
  let out = [cidrInterval(block.cidr)];
  for (const e of block.except ?? []) if (!e.includes(':')) out = subtract(out, cidrInterval(e));
  return out;
}

export function addressInterval(ip: string): AddressInterval | undefined {
  const n = parseIPv4(ip);
  return n === undefined ? undefined : [n, n];
}

/** nft set elements: "10.0.0.1", "10.0.0.0-10.0.0.255". */
export function intervalElements(intervals: readonly AddressInterval[]): string[] {
  return intervals.map(([a, b]) => (a === b ? formatIPv4(a) : `${formatIPv4(a)}-${formatIPv4(b)}`));
}
