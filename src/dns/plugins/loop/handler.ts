// Counts the probe query coming back (CoreDNS plugin/loop): seen more than twice means the
// forwarder sends our own queries back to us.
import type { DnsRequest, Handler, Reply } from '../../plugin.js';
import { errorAnswer } from '../../plugin.js';
import { Rcode } from '../../wire.js';

export const typeHINFO = 13;

export class LoopHandler implements Handler {
  readonly name = 'loop';
  seen = 0;
  disabled = false;

  constructor(
    private readonly next: Handler,
    readonly probe: string,
    private readonly onLoop: () => void,
  ) {}

  serveDNS(req: DnsRequest): Reply {
    if (this.disabled || req.q.qtype !== typeHINFO || req.q.key !== this.probe) return this.next.serveDNS(req);
    this.seen++;
    if (this.seen > 2) {
      this.disabled = true;
      this.onLoop();
      return errorAnswer(Rcode.SERVFAIL, this.name);
    }
    return this.next.serveDNS(req);
  }
}
