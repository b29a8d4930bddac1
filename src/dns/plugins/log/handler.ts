import { mapReply, type DnsRequest, type Handler, type Reply } from '../../plugin.js';
import { rcodeName, typeName } from '../../wire.js';

export class LogHandler implements Handler {
  readonly name = 'log';
  constructor(
    private readonly next: Handler,
    private readonly write: (line: string) => void,
  ) {}
  serveDNS(req: DnsRequest): Reply {
    const start = process.hrtime.bigint();
    return mapReply(this.next.serveDNS(req), (a) => {
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      const q = req.q;
      // CoreDNS common log format (without the client address, which the chain does not carry).
      this.write(`${q.id} "${typeName(q.qtype)} IN ${q.qname} ${req.proto} ${req.size} ${q.edns?.do ?? false} ${q.edns?.udpSize ?? 512}" ${rcodeName(a.rcode)} ${a.aa ? 'qr,aa' : 'qr'} ${secs.toFixed(9)}s`);
      return a;
    });
  }
}
