// The answer cache (CoreDNS plugin/cache): success and denial caches with their own
// capacity and TTL bounds; an entry lives min(record TTLs) clamped to [minTTL, maxTTL]
// seconds, and a hit is served with every TTL counted down by the entry's age.
import type { DnsAnswer } from '../../plugin.js';
import { Rcode, Type } from '../../wire.js';

export interface CacheBounds {
  capacity: number;
  maxTtl: number;
  minTtl: number;
}

export interface CacheConfig {
  zones: string[];
  success: CacheBounds;
  denial: CacheBounds;
}

export interface CacheEntry {
  answer: DnsAnswer;
  storedMs: number;
  ttl: number;
  kind: 'success' | 'denial';
}

/** The TTL an answer is cached for (cache/item.go + dnsutil.MinimalTTL), or null if it is not cacheable. */
export function cacheTtl(a: DnsAnswer, cfg: CacheConfig): { ttl: number; kind: 'success' | 'denial' } | null {
  const denial = a.rcode === Rcode.NXDOMAIN || (a.rcode === Rcode.NOERROR && a.answer.length === 0);
  if (a.rcode !== Rcode.NOERROR && a.rcode !== Rcode.NXDOMAIN) return null;
  const b = denial ? cfg.denial : cfg.success;
  let ttl = Infinity;
  if (denial) {
    const soa = a.authority.find((r) => r.type === Type.SOA);
    if (soa && soa.data.type === Type.SOA) ttl = Math.min(soa.ttl, (soa.data as { minimum: number }).minimum);
  } else {
    for (const r of [...a.answer, ...a.authority, ...a.additional]) if (r.type !== Type.OPT) ttl = Math.min(ttl, r.ttl);
  }
  if (!Number.isFinite(ttl)) ttl = b.minTtl;
  ttl = Math.min(ttl, b.maxTtl);
  ttl = Math.max(ttl, b.minTtl);
  return { ttl, kind: denial ? 'denial' : 'success' };
}

export class AnswerCache {
  private readonly success = new Map<string, CacheEntry>();
  private readonly denial = new Map<string, CacheEntry>();

  constructor(private readonly cfg: CacheConfig) {}

  get(key: string, nowMs: number): CacheEntry | undefined {
    const e = this.success.get(key) ?? this.denial.get(key);
    if (!e) return undefined;
    if (nowMs - e.storedMs >= e.ttl * 1000) {
      (e.kind === 'success' ? this.success : this.denial).delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, a: DnsAnswer, nowMs: number): void {
    const t = cacheTtl(a, this.cfg);
    if (!t) return;
    const m = t.kind === 'success' ? this.success : this.denial;
    const cap = t.kind === 'success' ? this.cfg.success.capacity : this.cfg.denial.capacity;
    if (!m.has(key) && m.size >= cap) m.delete(m.keys().next().value!);
    m.set(key, { answer: { ...a, plugin: 'cache' }, storedMs: nowMs, ttl: t.ttl, kind: t.kind });
  }

  size(kind: 'success' | 'denial'): number {
    return (kind === 'success' ? this.success : this.denial).size;
  }
}
