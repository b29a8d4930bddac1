// The Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library) on top of CEL's standard
// environment, as far as kanzen provides them: lists (isSorted, sum, min, max, indexOf,
// lastIndexOf), the extended strings (charAt, upperAscii, replace, substring, trim,
// lastIndexOf), regex (find, findAll), URLs (url, isURL and the URL getters) and quantities
// (quantity, isQuantity and Quantity's comparisons and arithmetic), IPs and CIDRs (ip, isIP,
// cidr, isCIDR and their methods).
//
// Not provided (a rule using them does not compile, with upstream's "undeclared reference"
// wording): ip.isCanonical, format.named, authz, semver, the CEL "two-variable" comprehensions and
// sets.contains/intersects/equivalent; strings with format date-time/duration/byte are plain strings.
import type { Environment } from '@marcbachmann/cel-js';
import { isIPv6 } from 'node:net';
import { isValidQuantity, parseQuantity } from '../quantity.js';
import { hasField, hasFieldFunction } from './cel-has-field.js';

/** A resource.Quantity value in CEL: its text and its value in base units. */
export class Quantity {
  readonly value: number;
  constructor(readonly text: string) {
    this.value = parseQuantity(text);
  }
}

/** A url.URL value in CEL. */
export class CelURL {
  constructor(readonly url: URL) {}
}

type CelValue = unknown;

const compare = (a: CelValue, b: CelValue): number => {
  if (typeof a === 'bigint' || typeof a === 'number') return Number(a) - Number(b as number);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload');
};

const equal = (a: CelValue, b: CelValue): boolean => JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) === JSON.stringify(b, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));

function extreme(list: CelValue[], sign: 1 | -1): CelValue {
  if (list.length === 0) throw new Error(sign > 0 ? 'max(list) argument must not be empty' : 'min(list) argument must not be empty');
  return list.reduce((best, v) => (compare(v, best) * sign > 0 ? v : best));
}

function registerLists(env: Environment): void {
  env.registerFunction('list.isSorted(): bool', (l: CelValue[]) => l.every((v, i) => i === 0 || compare(l[i - 1], v) <= 0));
  env.registerFunction('list.sum(): dyn', (l: CelValue[]) => (l.length === 0 ? 0n : l.reduce((a, b) => (a as number) + (b as number))));
  env.registerFunction('list.min(): dyn', (l: CelValue[]) => extreme(l, -1));
  env.registerFunction('list.max(): dyn', (l: CelValue[]) => extreme(l, 1));
  env.registerFunction('list.indexOf(dyn): int', (l: CelValue[], v: CelValue) => BigInt(l.findIndex((x) => equal(x, v))));
  env.registerFunction('list.lastIndexOf(dyn): int', (l: CelValue[], v: CelValue) => BigInt(l.map((x) => equal(x, v)).lastIndexOf(true)));
}

/** Go's RE2 is close enough to JavaScript's regular expressions for the patterns rules use. */
function registerStringsAndRegex(env: Environment): void {
  const has = (sig: string) => {
    try {
      return env.check(sig).valid;
    } catch {
      return false;
    }
  };
  if (!has('"a".charAt(0)')) env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => [...s][Number(i)] ?? '');
  if (!has('"a".upperAscii()')) env.registerFunction('string.upperAscii(): string', (s: string) => s.replace(/[a-z]/g, (c) => c.toUpperCase()));
  if (!has('"a".trim()')) env.registerFunction('string.trim(): string', (s: string) => s.trim());
  if (!has('"a".replace("a", "b")')) {
    env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
    env.registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
      let out = s;
      for (let i = 0, at = 0; i < Number(n) || Number(n) < 0; i++) {
        const j = out.indexOf(a, at);
        if (j < 0) break;
        out = out.slice(0, j) + b + out.slice(j + a.length);
        at = j + b.length;
      }
      return out;
    });
  }
  if (!has('"a".substring(0)')) {
    env.registerFunction('string.substring(int): string', (s: string, i: bigint) => [...s].slice(Number(i)).join(''));
    env.registerFunction('string.substring(int, int): string', (s: string, i: bigint, j: bigint) => [...s].slice(Number(i), Number(j)).join(''));
  }
  if (!has('"a".lastIndexOf("a")')) env.registerFunction('string.lastIndexOf(string): int', (s: string, t: string) => BigInt(s.lastIndexOf(t)));
  env.registerFunction('string.find(string): string', (s: string, re: string) => new RegExp(re, 'u').exec(s)?.[0] ?? '');
  env.registerFunction('string.findAll(string): list<string>', (s: string, re: string) => [...s.matchAll(new RegExp(re, 'gu'))].map((m) => m[0]));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re, 'gu'))].map((m) => m[0]);
    return Number(n) < 0 ? all : all.slice(0, Number(n));
  });
}

function parseURL(s: string): URL | undefined {
  // Go's url.ParseRequestURI: an absolute URL or an absolute path.
  try {
    return new URL(s);
  } catch {
    return s.startsWith('/') ? new URL(s, 'http://relative.invalid') : undefined;
  }
}

function registerURLs(env: Environment): void {
  env.registerType('URL', CelURL);
  env.registerFunction('url(string): URL', (s: string) => {
    const u = parseURL(s);
    if (!u) throw new Error(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
    return new CelURL(u);
  });
  env.registerFunction('isURL(string): bool', (s: string) => parseURL(s) !== undefined);
  const relative = (u: URL) => u.host === 'relative.invalid';
  env.registerFunction('URL.getScheme(): string', (u: CelURL) => (relative(u.url) ? '' : u.url.protocol.replace(/:$/, '')));
  env.registerFunction('URL.getHost(): string', (u: CelURL) => (relative(u.url) ? '' : u.url.host));
  env.registerFunction('URL.getHostname(): string', (u: CelURL) => (relative(u.url) ? '' : u.url.hostname.replace(/^\[|\]$/g, '')));
  env.registerFunction('URL.getPort(): string', (u: CelURL) => (relative(u.url) ? '' : u.url.port));
  env.registerFunction('URL.getEscapedPath(): string', (u: CelURL) => u.url.pathname);
  env.registerFunction('URL.getQuery(): map<string, list<string>>', (u: CelURL) => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of u.url.searchParams) (out[k] ??= []).push(v);
    return out;
  });
}

function registerQuantities(env: Environment): void {
  env.registerType('Quantity', Quantity);
  env.registerFunction('quantity(string): Quantity', (s: string) => {
    if (!isValidQuantity(s)) throw new Error('quantities must match the regular expression');
    return new Quantity(s);
  });
  env.registerFunction('isQuantity(string): bool', (s: string) => isValidQuantity(s));
  const cmp = (a: Quantity, b: Quantity) => Math.sign(a.value - b.value);
  env.registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(cmp(a, b)));
  env.registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => cmp(a, b) < 0);
  env.registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => cmp(a, b) > 0);
  env.registerFunction('Quantity.sign(): int', (a: Quantity) => BigInt(Math.sign(a.value)));
  env.registerFunction('Quantity.isInteger(): bool', (a: Quantity) => Number.isInteger(a.value));
  env.registerFunction('Quantity.asInteger(): int', (a: Quantity) => {
    if (!Number.isInteger(a.value)) throw new Error('cannot convert value to integer');
    return BigInt(a.value);
  });
  env.registerFunction('Quantity.asApproximateFloat(): double', (a: Quantity) => a.value);
  env.registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => new Quantity(String(a.value + b.value)));
  env.registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => new Quantity(String(a.value + Number(b))));
  env.registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => new Quantity(String(a.value - b.value)));
  env.registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => new Quantity(String(a.value - Number(b))));
  env.registerOperator('Quantity == Quantity', (a: Quantity, b: Quantity) => a.value === b.value);
}

/** An address of the ip library: its family and its value as a 32- or 128-bit number. */
export class CelIP {
  constructor(readonly family: 4 | 6, readonly value: bigint) {}
  toString(): string {
    if (this.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((this.value >> s) & 255n)).join('.');
    const groups = Array.from({ length: 8 }, (_, i) => ((this.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
    // The longest run of zero groups (two or more) becomes "::", as Go prints it.
    let best = [-1, 0];
    for (let i = 0; i < 8; ) {
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > best[1] && j - i > 1) best = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    if (best[0] < 0) return groups.join(':');
    return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0] + best[1]).join(':')}`;
  }
}

/** A prefix of the cidr library. */
export class CelCIDR {
  constructor(readonly ip: CelIP, readonly prefix: number) {}
  get bits(): number {
    return this.ip.family === 4 ? 32 : 128;
  }
  masked(): CelIP {
    const host = (1n << BigInt(this.bits - this.prefix)) - 1n;
    return new CelIP(this.ip.family, this.ip.value & ~host);
  }
  contains(ip: CelIP): boolean {
    if (ip.family !== this.ip.family) return false;
    const shift = BigInt(this.bits - this.prefix);
    return ip.value >> shift === this.ip.value >> shift;
  }
}

/** Go's netip.ParseAddr as the ip library uses it: no zones, no IPv4 leading zeros, no IPv4-mapped IPv6. */
function parseIP(s: string): CelIP | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map((p) => (p.length > 1 && p.startsWith('0') ? NaN : Number(p)));
    if (parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
    return new CelIP(4, parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n));
  }
  if (!isIPv6(s) || s.includes('%') || s.includes('.')) return undefined;
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return new CelIP(6, groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n));
}

function parseCIDR(s: string): CelCIDR | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  const ip = m ? parseIP(m[1]) : undefined;
  if (!m || !ip) return undefined;
  const prefix = Number(m[2]);
  if (prefix > (ip.family === 4 ? 32 : 128) || (m[2].length > 1 && m[2].startsWith('0'))) return undefined;
  return new CelCIDR(ip, prefix);
}

function registerNetworks(env: Environment): void {
  env.registerType('net.IP', CelIP);
  env.registerType('net.CIDR', CelCIDR);
  env.registerFunction('isIP(string): bool', (s: string) => parseIP(s) !== undefined);
  env.registerFunction('ip(string): net.IP', (s: string) => {
    const ip = parseIP(s);
    if (!ip) throw new Error(`IP Address "${s}" parse error during conversion from string: ParseAddr("${s}"): unable to parse IP`);
    return ip;
  });
  env.registerFunction('net.IP.family(): int', (ip: CelIP) => BigInt(ip.family));
  env.registerFunction('net.IP.isUnspecified(): bool', (ip: CelIP) => ip.value === 0n);
  env.registerFunction('net.IP.isLoopback(): bool', (ip: CelIP) => (ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n));
  env.registerFunction('net.IP.isLinkLocalMulticast(): bool', (ip: CelIP) => (ip.family === 4 ? ip.value >> 8n === 0xe00000n : ip.value >> 112n === 0xff02n));
  env.registerFunction('net.IP.isLinkLocalUnicast(): bool', (ip: CelIP) => (ip.family === 4 ? ip.value >> 16n === 0xa9fen : ip.value >> 118n === 0x3fan));
  env.registerFunction('net.IP.isGlobalUnicast(): bool', (ip: CelIP) => {
    if (ip.value === 0n) return false;
    if (ip.family === 4) return !(ip.value >> 24n === 127n || ip.value >> 16n === 0xa9fen || ip.value >> 28n === 0xen || ip.value === 0xffffffffn);
    return !(ip.value === 1n || ip.value >> 118n === 0x3fan || ip.value >> 120n === 0xffn);
  });
  env.registerFunction('string(net.IP): string', (ip: CelIP) => ip.toString());
  env.registerOperator('net.IP == net.IP', (a: CelIP, b: CelIP) => a.family === b.family && a.value === b.value);
  env.registerFunction('isCIDR(string): bool', (s: string) => parseCIDR(s) !== undefined);
  env.registerFunction('cidr(string): net.CIDR', (s: string) => {
    const c = parseCIDR(s);
    if (!c) throw new Error(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("${s}"): invalid`);
    return c;
  });
  env.registerFunction('net.CIDR.containsIP(net.IP): bool', (c: CelCIDR, ip: CelIP) => c.contains(ip));
  env.registerFunction('net.CIDR.containsIP(string): bool', (c: CelCIDR, s: string) => {
    const ip = parseIP(s);
    return ip !== undefined && c.contains(ip);
  });
  env.registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', (c: CelCIDR, o: CelCIDR) => o.prefix >= c.prefix && c.contains(o.ip));
  env.registerFunction('net.CIDR.containsCIDR(string): bool', (c: CelCIDR, s: string) => {
    const o = parseCIDR(s);
    return o !== undefined && o.prefix >= c.prefix && c.contains(o.ip);
  });
  env.registerFunction('net.CIDR.ip(): net.IP', (c: CelCIDR) => c.ip);
  env.registerFunction('net.CIDR.masked(): net.CIDR', (c: CelCIDR) => new CelCIDR(c.masked(), c.prefix));
  env.registerFunction('net.CIDR.prefixLength(): int', (c: CelCIDR) => BigInt(c.prefix));
  env.registerFunction('string(net.CIDR): string', (c: CelCIDR) => `${c.ip.toString()}/${c.prefix}`);
}

/** Registers the Kubernetes CEL libraries on env (before its variables). */
export function registerKubernetesLibraries(env: Environment): Environment {
  registerLists(env);
  registerStringsAndRegex(env);
  registerURLs(env);
  registerQuantities(env);
  registerNetworks(env);
  env.registerFunction(`${hasFieldFunction}(dyn, string): bool`, hasField);
  return env;
}
