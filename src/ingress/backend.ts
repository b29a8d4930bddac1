// An Ingress backend resolved to the endpoints requests go to. Like ingress-nginx, kanzen
// balances over the Service's EndpointSlice endpoints directly, not over its ClusterIP: the
// Service port (by number or by name) names the slice port (slices carry the Service port's
// name), and only ready endpoints receive requests (a missing `ready` means ready, as
// upstream's slice readers take it). Pure: reads only what the source hands it.
import type { EndpointSlice, IngressBackend, Service, ServiceBackendPort, ServicePort } from '../api/types.js';
import type { EndpointInfo } from '../proxy/endpoint.js';
import { endpointsFromSlices } from '../proxy/endpoints-change-tracker.js';
import { servicePortKey } from '../proxy/service-port.js';

/** Read access to the objects a backend resolves through (informer caches in the controller). */
export interface BackendSource {
  service(namespace: string, name: string): Service | undefined;
  /** The EndpointSlices labelled kubernetes.io/service-name=name in the namespace. */
  endpointSlices(namespace: string, name: string): Iterable<EndpointSlice>;
}

export interface ResolvedBackend {
  /** "ns/service:port", for logs and metrics. */
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  /** Ready endpoints, sorted by "ip:port"; empty means requests get a 503. */
  readonly endpoints: readonly EndpointInfo[];
  /** Why there are no endpoints when the reason is not simply "none ready" (missing Service or port, unsupported backend). */
  readonly problem?: string;
}

function backendName(namespace: string, b: IngressBackend): string {
  if (!b.service) return `${namespace}/${b.resource?.kind ?? 'resource'}:${b.resource?.name ?? ''}`;
  const port = b.service.port?.name || String(b.service.port?.number ?? '');
  return `${namespace}/${b.service.name}:${port}`;
}

function servicePortFor(svc: Service, port: ServiceBackendPort | undefined): ServicePort | undefined {
  const ports = svc.spec?.ports ?? [];
  if (port?.name) return ports.find((p) => p.name === port.name);
  return ports.find((p) => p.port === port?.number);
}

export function resolveBackend(namespace: string, b: IngressBackend, source: BackendSource): ResolvedBackend {
  const name = backendName(namespace, b);
  const base = { name, namespace, service: b.service?.name ?? '' };
  // A resource backend (a bucket, say) is for controllers that know the kind; kanzen knows none.
  if (!b.service) return { ...base, endpoints: [], problem: `resource backends are not supported` };
  const svc = source.service(namespace, b.service.name);
  if (!svc) return { ...base, endpoints: [], problem: `service "${namespace}/${b.service.name}" not found` };
  // ExternalName Services have no endpoints to balance over; kanzen does not proxy to DNS names.
  if (svc.spec?.type === 'ExternalName') return { ...base, endpoints: [], problem: 'ExternalName services are not supported' };
  const sp = servicePortFor(svc, b.service.port);
  if (!sp) return { ...base, endpoints: [], problem: `service "${namespace}/${b.service.name}" has no port ${b.service.port?.name || b.service.port?.number}` };
  if ((sp.protocol ?? 'TCP') !== 'TCP') return { ...base, endpoints: [], problem: `service port ${sp.name || sp.port} is not TCP` };
  const byPort = endpointsFromSlices(namespace, b.service.name, source.endpointSlices(namespace, b.service.name));
  const all = byPort.get(servicePortKey({ namespace, name: b.service.name, port: sp.name ?? '', protocol: 'TCP' })) ?? [];
  return { ...base, endpoints: all.filter((ep) => ep.ready) };
}
