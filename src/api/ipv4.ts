// IPv4 addresses and CIDRs as uint32 arithmetic: the Service ClusterIP allocator, the node
// pod ranges (podCIDR, pod IPs) and the netns wiring all count in the same numbers.

/** Dotted quad → uint32, or undefined. Leading zeros are read as decimal (ParseIPSloppy). */
export function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface IPv4CIDR {
  /** network address as uint32 */
  network: number;
  prefix: number;
  /** number of addresses, including network and broadcast */
  size: number;
  /** canonical text, e.g. 10.96.0.0/12 (net.IPNet.String) */
  text: string;
}

/** netutils.ParseCIDRSloppy for IPv4; host bits are masked off as net.ParseCIDR does. */
export function parseCIDR(cidr: string): IPv4CIDR {
  const m = /^([^/]+)\/([0-9]{1,2})$/.exec(cidr.trim());
  const ip = m ? parseIPv4(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) throw new Error(`invalid CIDR address: ${cidr}`);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(ip / size) * size;
  return { network, prefix, size, text: `${formatIPv4(network)}/${prefix}` };
}

/** The n-th address of a CIDR (0 = the network address), without a bound check. */
export function addressInCIDR(cidr: string, n: number): string {
  return formatIPv4(parseCIDR(cidr).network + n);
}

/** Whether an IPv4 address lies in a CIDR (false for anything that is not IPv4). */
export function cidrContains(cidr: IPv4CIDR, ip: string): boolean {
  const n = parseIPv4(ip);
  return n !== undefined && n >= cidr.network && n < cidr.network + cidr.size;
}
