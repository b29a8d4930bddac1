// The plugin chain (CoreDNS plugin/plugin.go): a handler answers a request or passes it to
// the next one; a plugin wraps the next handler. Handlers may answer synchronously (the
// hot path: precomputed answers) or with a promise (forward, lookups through the chain).
import { packSections, Rcode, type Packed, type Query, type RR } from './wire.js';

/** One query in flight. Plugins may set the mutable fields on the way down. */
export interface DnsRequest {
  q: Query;
  proto: 'udp' | 'tcp';
  family: 1 | 2;
  /** Size of the request in bytes. */
  size: number;
  /** The server block's zone ('.' …) and its address label (dns://:53), for metrics. */
  zone: string;
  server: string;
  /** Set by loadbalance: permute A/AAAA runs when writing. */
  shuffle?: boolean;
  /** Seconds to subtract from TTLs (set by cache on a hit). */
  ttlDelta?: number;
  /** Resolves a name through the whole chain (CoreDNS's upstream.Lookup). */
  lookup(name: string, type: number): Promise<DnsAnswer>;
}

/** A reply: rcode + flags + sections, packed once (lazily) and reusable across queries. */
export interface DnsAnswer {
  rcode: number;
  aa: boolean;
  ra: boolean;
  answer: RR[];
  authority: RR[];
  additional: RR[];
  /** Which plugin wrote it (coredns_dns_responses_total's plugin label). */
  plugin: string;
  /** The sections packed for the lower-cased question name `packedFor`. */
  packed?: Packed;
  packedFor?: string;
}

export type Reply = DnsAnswer | Promise<DnsAnswer>;

export interface Handler {
  readonly name: string;
  serveDNS(req: DnsRequest): Reply;
}

export type Plugin = (next: Handler) => Handler;

/** The packed sections of an answer for this question (memoised per name). */
export function packedFor(a: DnsAnswer, key: string): Packed {
  if (a.packed && a.packedFor === key) return a.packed;
  const p = packSections(key, a.answer, a.authority, a.additional);
  a.packed = p;
  a.packedFor = key;
  return p;
}

export function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown }).then === 'function';
}

/** Applies fn to a reply without a microtask when it is synchronous. */
export function mapReply(r: Reply, fn: (a: DnsAnswer) => DnsAnswer): Reply {
  return isPromise(r) ? r.then(fn) : fn(r);
}

export function errorAnswer(rcode: number, plugin: string): DnsAnswer {
  return { rcode, aa: false, ra: false, answer: [], authority: [], additional: [], plugin };
}

/** The end of the chain (CoreDNS plugin.NextOrFailure with no next): SERVFAIL. */
export const endOfChain: Handler = {
  name: '',
  serveDNS: () => errorAnswer(Rcode.SERVFAIL, ''),
};

/**
 * CoreDNS's plugin.cfg order for the plugins kanzen has; a server block's plugins run in
 * this order whatever their order in the Corefile.
 */
export const pluginOrder = [
  'reload',
  'ready',
  'health',
  'prometheus',
  'errors',
  'log',
  'loadbalance',
  'cache',
  'kubernetes',
  'loop',
  'forward',
] as const;

export type PluginName = (typeof pluginOrder)[number];

/** Builds a handler from plugins listed in chain order (first is outermost). */
export function chain(plugins: Plugin[], last: Handler = endOfChain): Handler {
  let h = last;
  for (let i = plugins.length - 1; i >= 0; i--) h = plugins[i](h);
  return h;
}
