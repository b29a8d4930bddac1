// Forwards names under FROM to upstreams (CoreDNS plugin/forward): the upstream order per
// query comes from the policy; each failure moves to the next; all failed → SERVFAIL.
import crypto from 'node:crypto';
import type { Logger } from '../../../util/logger.js';
import { errorAnswer, type DnsAnswer, type DnsRequest, type Handler, type Reply } from '../../plugin.js';
import { decodeMessage, encodeQuery, Rcode, Type } from '../../wire.js';
import { isSubDomain } from '../kubernetes/lookup.js';
import { exchange, type Upstream } from './exchange.js';

export type Policy = 'random' | 'round_robin' | 'sequential';

export interface ForwardConfig {
  from: string;
  except: string[];
  upstreams: Upstream[];
  policy: Policy;
  forceTcp: boolean;
  /** Per-upstream read timeout (CoreDNS: 2 s) and overall budget (5 s). */
  timeoutMs: number;
  budgetMs: number;
}

export function order(n: number, policy: Policy, rr: number): number[] {
  const idx = [...Array(n).keys()];
  if (policy === 'sequential') return idx;
  if (policy === 'round_robin') return idx.map((i) => (i + rr) % n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

export class ForwardHandler implements Handler {
  readonly name = 'forward';
  private rr = 0;

  constructor(
    private readonly next: Handler,
    private readonly cfg: ForwardConfig,
    private readonly log: Logger,
  ) {}

  serveDNS(req: DnsRequest): Reply {
    const name = req.q.key;
    if (!isSubDomain(this.cfg.from, name) || this.cfg.except.some((z) => isSubDomain(z, name))) return this.next.serveDNS(req);
    return this.forward(req);
  }

  private async forward(req: DnsRequest): Promise<DnsAnswer> {
    const q = req.q;
    if (!this.cfg.upstreams.length) return errorAnswer(Rcode.SERVFAIL, this.name);
    const query = encodeQuery(crypto.randomInt(0, 65536), q.qname, q.qtype, { edns: q.edns ? Math.max(512, q.edns.udpSize) : undefined });
    const deadline = Date.now() + this.cfg.budgetMs;
    for (const i of order(this.cfg.upstreams.length, this.cfg.policy, this.rr++)) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const u = this.cfg.upstreams[i];
      try {
        const reply = decodeMessage(await exchange(u, query, Math.min(this.cfg.timeoutMs, left), this.cfg.forceTcp || req.proto === 'tcp'));
        return {
          rcode: reply.rcode,
          aa: (reply.flags & 0x0400) !== 0,
          ra: (reply.flags & 0x0080) !== 0,
          answer: reply.answer,
          authority: reply.authority,
          additional: reply.additional.filter((r) => r.type !== Type.OPT),
          plugin: this.name,
        };
      } catch (e) {
        this.log.debug('upstream failed', { upstream: `${u.host}:${u.port}`, err: e instanceof Error ? e.message : String(e) });
      }
    }
    this.log.warn(`plugin/forward: no upstream answered ${q.qname} ${q.qtype}`);
    return errorAnswer(Rcode.SERVFAIL, this.name);
  }
}
