// The Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library) on top of CEL's standard
// environment, as far as kanzen provides them: lists (isSorted, sum, min, max, indexOf,
// lastIndexOf), the extended strings (charAt, upperAscii, replace, substring, trim,
// lastIndexOf), regex (find, findAll), URLs (url, isURL and the URL getters) and quantities
// (quantity, isQuantity and Quantity's comparisons and arithmetic).
//
// Not provided (a rule using them does not compile, with upstream's "undeclared reference"
// wording): ip/cidr, format.named, authz, semver, the CEL "two-variable" comprehensions and
// sets.contains/intersects/equivalent; strings with format date-time/duration/byte are plain strings.
import type { Environment } from '@marcbachmann/cel-js';
import { isValidQuantity, parseQuantity } from '../quantity.js';

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

/** Registers the Kubernetes CEL libraries on env (before its variables). */
export function registerKubernetesLibraries(env: Environment): Environment {
  registerLists(env);
  registerStringsAndRegex(env);
  registerURLs(env);
  registerQuantities(env);
  return env;
}
