// Marks the request so the writer permutes the answer's A/AAAA run in the packed bytes:
// the shuffle costs a few copies, and the precomputed answer itself stays untouched.
import type { DnsRequest, Handler, Reply } from '../../plugin.js';

export class LoadBalanceHandler implements Handler {
  readonly name = 'loadbalance';
  constructor(private readonly next: Handler) {}
  serveDNS(req: DnsRequest): Reply {
    req.shuffle = true;
    return this.next.serveDNS(req);
  }
}
