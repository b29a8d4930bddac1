// API objects shrunk to what DNS needs on arrival (CoreDNS plugin/kubernetes/object):
// a Service keeps its type, cluster IPs and ports; an EndpointSlice keeps its ready
// addresses and ports; a Pod keeps its IPs. Nothing else is retained.
import type { EndpointSlice, Pod, Service } from '../../../api/types.js';

export interface PortRecord {
  name: string;
  /** -1 is CoreDNS's sentinel for "no ports declared" (still answers A, never SRV). */
  port: number;
  protocol: string;
}

export interface ServiceRecord {
  name: string;
  namespace: string;
  kind: 'ClusterIP' | 'Headless' | 'ExternalName';
  clusterIPs: string[];
  externalName: string;
  ports: PortRecord[];
}

export interface EndpointAddressRecord {
  ip: string;
  hostname: string;
}

export interface EndpointsRecord {
  /** The slice's own name (a Service may have several slices). */
  slice: string;
  service: string;
  namespace: string;
  addresses: EndpointAddressRecord[];
  ports: PortRecord[];
}

export interface PodRecord {
  name: string;
  namespace: string;
  ips: string[];
}

const sentinel: PortRecord[] = [{ name: '', port: -1, protocol: '' }];

export function toServiceRecord(svc: Service): ServiceRecord {
  const spec = svc.spec ?? {};
  const ports = (spec.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }));
  const kind = spec.type === 'ExternalName' ? 'ExternalName' : spec.clusterIP === 'None' ? 'Headless' : 'ClusterIP';
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return {
    name: svc.metadata.name ?? '',
    namespace: svc.metadata.namespace ?? '',
    kind,
    clusterIPs: kind === 'ClusterIP' ? ips.filter((ip) => ip && ip !== 'None') : [],
    externalName: kind === 'ExternalName' ? (spec.externalName ?? '') : '',
    ports: ports.length ? ports : sentinel,
  };
}

export const serviceNameLabel = 'kubernetes.io/service-name';

/** Null for slices that name no Service or carry FQDN addresses. */
export function toEndpointsRecord(slice: EndpointSlice): EndpointsRecord | null {
  const service = slice.metadata.labels?.[serviceNameLabel];
  if (!service || slice.addressType === 'FQDN') return null;
  const addresses: EndpointAddressRecord[] = [];
  for (const ep of slice.endpoints ?? []) {
    // EndpointSliceToEndpoints: only ready endpoints (an unset condition counts as ready).
    if (ep.conditions?.ready === false) continue;
    for (const ip of ep.addresses ?? []) addresses.push({ ip, hostname: ep.hostname ?? '' });
  }
  const ports = (slice.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? -1, protocol: p.protocol ?? 'TCP' }));
  return { slice: slice.metadata.name ?? '', service, namespace: slice.metadata.namespace ?? '', addresses, ports: ports.length ? ports : sentinel };
}

/** Pods being deleted or without an IP are not indexed. */
export function toPodRecord(pod: Pod): PodRecord | null {
  if (pod.metadata.deletionTimestamp) return null;
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  if (!ips.length) return null;
  return { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', ips };
}

/** CoreDNS endpointHostname: the hostname, else the IP with dots (or colons) as dashes. */
export function endpointHostname(a: EndpointAddressRecord): string {
  if (a.hostname) return a.hostname;
  if (a.ip.includes('.')) return a.ip.replaceAll('.', '-');
  if (a.ip.includes(':')) return a.ip.replaceAll(':', '-');
  return '';
}
