import { isPromise, type DnsAnswer, type DnsRequest, type Handler, type Reply } from '../../plugin.js';
import { isSubDomain } from '../kubernetes/lookup.js';
import type { CacheMetrics } from '../prometheus/metrics.js';
import type { AnswerCache, CacheConfig } from './cache.js';

export class CacheHandler implements Handler {
  readonly name = 'cache';
  private readonly zonesLabel: string;

  constructor(
    private readonly next: Handler,
    private readonly cache: AnswerCache,
    private readonly cfg: CacheConfig,
    private readonly m: CacheMetrics,
    private readonly now: () => number,
  ) {
    this.zonesLabel = cfg.zones.join(',');
  }

  serveDNS(req: DnsRequest): Reply {
    const q = req.q;
    if (!this.cfg.zones.some((z) => isSubDomain(z, q.key))) return this.next.serveDNS(req);
    // cache/cache.go key: name, type, DO and CD bits.
    const key = q.key + q.qtype + (q.edns?.do ? 'd' : '') + (q.flags & 0x10 ? 'c' : '');
    const now = this.now();
    const e = this.cache.get(key, now);
    if (e) {
      this.m.hits.inc([req.server, e.kind, this.zonesLabel, '']);
      req.ttlDelta = Math.floor((now - e.storedMs) / 1000);
      return e.answer;
    }
    this.m.misses.inc([req.server, this.zonesLabel, '']);
    const store = (a: DnsAnswer) => {
      this.cache.set(key, a, this.now());
      this.m.entries.set([req.server, 'success', this.zonesLabel, ''], this.cache.size('success'));
      this.m.entries.set([req.server, 'denial', this.zonesLabel, ''], this.cache.size('denial'));
      return a;
    };
    const r = this.next.serveDNS(req);
    return isPromise(r) ? r.then(store) : store(r);
  }
}
