// Counts every request and response (CoreDNS plugin/metrics ServeDNS): requests by type,
// protocol and family; responses by rcode and the plugin that wrote them; durations and
// sizes as histograms.
import { mapReply, packedFor, type DnsRequest, type Handler, type Reply } from '../../plugin.js';
import { rcodeName } from '../../wire.js';
import { typeLabel, type DnsMetrics } from './metrics.js';

const optSize = 11;

export class PrometheusHandler implements Handler {
  readonly name = 'prometheus';
  constructor(
    private readonly next: Handler,
    private readonly m: DnsMetrics,
  ) {}

  serveDNS(req: DnsRequest): Reply {
    const start = performance.now();
    const q = req.q;
    const type = typeLabel(q.qtype);
    this.m.requests.inc([req.server, req.zone, '', req.proto, String(req.family), type]);
    this.m.requestSize.observe([req.server, req.zone, '', req.proto], req.size);
    return mapReply(this.next.serveDNS(req), (a) => {
      this.m.duration.observe([req.server, req.zone, '', type], (performance.now() - start) / 1000);
      this.m.responses.inc([req.server, req.zone, '', rcodeName(a.rcode), a.plugin]);
      const size = q.questionEnd + packedFor(a, q.key).body.length + (q.edns ? optSize : 0);
      this.m.responseSize.observe([req.server, req.zone, '', req.proto], size);
      return a;
    });
  }
}
