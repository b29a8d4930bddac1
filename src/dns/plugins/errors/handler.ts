import type { Logger } from '../../../util/logger.js';
import { errorAnswer, isPromise, type DnsAnswer, type DnsRequest, type Handler, type Reply } from '../../plugin.js';
import { Rcode, typeName } from '../../wire.js';

export class ErrorsHandler implements Handler {
  readonly name = 'errors';
  constructor(
    private readonly next: Handler,
    private readonly log: Logger,
  ) {}

  serveDNS(req: DnsRequest): Reply {
    try {
      const r = this.next.serveDNS(req);
      return isPromise(r) ? r.catch((e: unknown) => this.fail(req, e)) : r;
    } catch (e) {
      return this.fail(req, e);
    }
  }

  /** CoreDNS's line: `[ERROR] plugin/errors: 2 NAME. TYPE: message`. */
  private fail(req: DnsRequest, e: unknown): DnsAnswer {
    this.log.error(`plugin/errors: ${Rcode.SERVFAIL} ${req.q.qname} ${typeName(req.q.qtype)}: ${e instanceof Error ? e.message : String(e)}`);
    return errorAnswer(Rcode.SERVFAIL, 'errors');
  }
}
