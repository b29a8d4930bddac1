// The API accepts SCTP Service ports (they are valid Kubernetes), but kanzen's userspace
// proxy cannot forward SCTP (service-port.ts skips such ports, as upstream's userspace
// proxy did). Rather than let such a port fail silently, the proxy says so with a Warning
// event on the Service, once per change of its unserved ports. One node reports for the
// cluster (every proxy skips the same ports), so the event is not repeated per node.
import type { Service, ServicePort } from '../api/types.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { InformerHandlers } from '../client/informer.js';
import { shouldSkipService } from '../proxy/service-port.js';

export const unsupportedProtocolReason = 'UnsupportedProtocol';

/** The protocols kanzen's proxy forwards. */
const servedProtocols = new Set(['TCP', 'UDP']);

function describePort(p: ServicePort, protocol: string): string {
  return p.name ? `port "${p.name}" (${p.port}/${protocol})` : `port ${p.port}/${protocol}`;
}

/** One message per Service port the proxy does not serve; none for Services without a virtual IP (nothing to proxy). */
export function unsupportedPortMessages(svc: Service): string[] {
  if (shouldSkipService(svc)) return [];
  const out: string[] = [];
  for (const p of svc.spec.ports ?? []) {
    const protocol = p.protocol ?? 'TCP';
    if (!servedProtocols.has(protocol)) out.push(`kanzen's proxy does not support ${protocol}: ${describePort(p, protocol)} is not served`);
  }
  return out;
}

export interface ServiceSource {
  addHandlers(h: InformerHandlers<Service>): void;
}

export class UnsupportedProtocolReporter {
  /** The messages last reported per Service uid: a change of anything else reports nothing. */
  private readonly reported = new Map<string, ReadonlySet<string>>();

  constructor(private readonly opts: { services: ServiceSource; recorder: EventRecorder }) {}

  start(): void {
    this.opts.services.addHandlers({
      add: (svc) => this.sync(svc),
      update: (_old, svc) => this.sync(svc),
      delete: (svc) => this.reported.delete(this.keyOf(svc)),
    });
  }

  private keyOf(svc: Service): string {
    return svc.metadata.uid ?? `${svc.metadata.namespace}/${svc.metadata.name}`;
  }

  private sync(svc: Service): void {
    const key = this.keyOf(svc);
    const messages = unsupportedPortMessages(svc);
    const before = this.reported.get(key);
    if (!messages.length) {
      this.reported.delete(key);
      return;
    }
    this.reported.set(key, new Set(messages));
    for (const m of messages) if (!before?.has(m)) this.opts.recorder.event(svc, 'Warning', unsupportedProtocolReason, m);
  }
}
