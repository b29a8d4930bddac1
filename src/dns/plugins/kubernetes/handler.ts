// The kubernetes handler (CoreDNS plugin/kubernetes/handler.go). Answers are computed once
// per (name, type) by lookup.ts, packed to wire bytes, and kept until a change to the
// records they came from invalidates their group; the hot path is one map lookup.
import { packedFor, type DnsAnswer, type DnsRequest, type Handler, type Reply } from '../../plugin.js';
import { Rcode, type RR } from '../../wire.js';
import { isSubDomain, matchZone, resolve, soaRecord, type ClusterView, type KubernetesOptions } from './lookup.js';

export interface KubernetesConfig extends KubernetesOptions {
  /** null: no fallthrough; []: every zone; else only names in these zones. */
  fallthrough: string[] | null;
}

/** Unbounded names (random queries) must not grow memory without limit. */
const maxEntries = 100_000;

type Entry = { kind: 'answer'; answer: DnsAnswer } | { kind: 'next' };

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  private readonly entries = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Set<string>>();

  constructor(
    private readonly next: Handler,
    private readonly view: ClusterView,
    private readonly cfg: KubernetesConfig,
    private readonly synced: () => boolean,
  ) {}

  /** Drops the precomputed answers of the given groups (ClusterIndex.onInvalidate). */
  invalidate(owners: string[] | 'all'): void {
    if (owners === 'all') {
      this.entries.clear();
      this.byOwner.clear();
      return;
    }
    for (const o of owners) {
      const keys = this.byOwner.get(o);
      if (!keys) continue;
      for (const k of keys) this.entries.delete(k);
      this.byOwner.delete(o);
    }
  }

  serveDNS(req: DnsRequest): Reply {
    const q = req.q;
    const ck = q.key + q.qtype;
    const hit = this.entries.get(ck);
    if (hit) return hit.kind === 'answer' ? hit.answer : this.next.serveDNS(req);
    const zone = matchZone(this.cfg.zones, q.key);
    if (!zone) return this.next.serveDNS(req);
    const res = resolve(this.view, this.cfg, zone, q.key, q.qtype);
    let entry: Entry;
    switch (res.result) {
      case 'refused':
        entry = { kind: 'answer', answer: this.answer(Rcode.REFUSED, [], [], []) };
        break;
      case 'name-error':
        if (this.fallsThrough(q.key)) {
          entry = { kind: 'next' };
          break;
        }
        // Before the first sync every name is unknown: SERVFAIL, never cached.
        if (!this.synced()) return this.negative(Rcode.SERVFAIL, zone);
        entry = { kind: 'answer', answer: this.negative(Rcode.NXDOMAIN, zone) };
        break;
      case 'nodata':
        entry = { kind: 'answer', answer: this.negative(Rcode.NOERROR, zone) };
        break;
      default:
        if (res.chase.length) return this.chase(req, res.answer, res.chase);
        entry = { kind: 'answer', answer: this.answer(Rcode.NOERROR, res.answer, [], res.additional) };
    }
    if (entry.kind === 'answer') packedFor(entry.answer, q.key);
    this.remember(ck, res.owner, entry);
    return entry.kind === 'answer' ? entry.answer : this.next.serveDNS(req);
  }

  private remember(ck: string, owner: string, e: Entry): void {
    if (this.entries.size >= maxEntries) this.invalidate('all');
    this.entries.set(ck, e);
    let s = this.byOwner.get(owner);
    if (!s) this.byOwner.set(owner, (s = new Set()));
    s.add(ck);
  }

  private fallsThrough(name: string): boolean {
    const f = this.cfg.fallthrough;
    if (f === null) return false;
    return f.length === 0 || f.some((z) => isSubDomain(z, name));
  }

  private answer(rcode: number, answer: RR[], authority: RR[], additional: RR[]): DnsAnswer {
    return { rcode, aa: true, ra: false, answer, authority, additional, plugin: this.name };
  }

  /** plugin.BackendError: the rcode with the zone's SOA in the authority section. */
  private negative(rcode: number, zone: string): DnsAnswer {
    return this.answer(rcode, [], [soaRecord(zone, this.cfg.ttl, this.view.serial())], []);
  }

  /** CNAMEs out of the zone are resolved through the whole chain (CoreDNS upstream). */
  private async chase(req: DnsRequest, records: RR[], chase: { target: string; qtype: number }[]): Promise<DnsAnswer> {
    const answer = [...records];
    for (const c of chase) {
      try {
        const r = await req.lookup(c.target, c.qtype);
        answer.push(...r.answer);
      } catch {
        // An upstream failure leaves the CNAME alone, as CoreDNS does.
      }
    }
    return this.answer(Rcode.NOERROR, answer, [], []);
  }
}
