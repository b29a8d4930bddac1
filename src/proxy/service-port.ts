// The proxy's view of one Service port (upstream pkg/proxy/serviceport.go,
// BaseServicePortInfo): everything the data plane needs, shrunk from the Service on
// arrival so the per-connection path never reads API objects.
import type { Service, ServicePort } from '../api/types.js';
import { cidrContains, parseCIDR } from '../api/ipv4.js';

export type Protocol = 'TCP' | 'UDP';

/** How a Service port picks an endpoint for a new connection. */
export type BalanceMode = 'round-robin' | 'random' | 'least-connections';
export const balanceModes: readonly BalanceMode[] = ['round-robin', 'random', 'least-connections'];

/** kanzen's per-Service override of the proxy's balance mode. */
export const balanceAnnotation = 'kanzen.io/proxy-balance';

/** Upstream v1.AnnotationTopologyMode and its deprecated predecessor. */
export const topologyModeAnnotation = 'service.kubernetes.io/topology-mode';
export const topologyAwareHintsAnnotation = 'service.kubernetes.io/topology-aware-hints';

/** Upstream v1.DefaultClientIPServiceAffinitySeconds. */
export const defaultClientIPAffinitySeconds = 10800;

/** Upstream ServicePortName: a Service port, identified by its name and protocol. */
export interface ServicePortName {
  namespace: string;
  name: string;
  port: string;
  protocol: Protocol;
}

/** "ns/name:port" (upstream ServicePortName.String(); no colon for an unnamed port). */
export function servicePortNameString(spn: ServicePortName): string {
  return `${spn.namespace}/${spn.name}${spn.port ? ':' + spn.port : ''}`;
}

/** The map key of a Service port: the upstream string plus the protocol. */
export function servicePortKey(spn: ServicePortName): string {
  return `${servicePortNameString(spn)}/${spn.protocol}`;
}

export interface ServicePortInfo {
  readonly key: string;
  readonly name: ServicePortName;
  /** "ns/name" of the Service. */
  readonly serviceKey: string;
  readonly clusterIPs: readonly string[];
  readonly port: number;
  readonly protocol: Protocol;
  /** 0 when the Service has no NodePort for this port. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  /** status.loadBalancer.ingress[].ip, except ipMode Proxy (the LB itself proxies). */
  readonly loadBalancerIPs: readonly string[];
  /**
   * spec.loadBalancerSourceRanges, canonical IPv4 CIDRs (upstream keeps this family's
   * parseable ones): traffic to the LoadBalancer IPs from anywhere else is dropped. Empty:
   * any source. NodePorts and externalIPs are not subject to it, as upstream.
   */
  readonly loadBalancerSourceRanges: readonly string[];
  /** 0 = sessionAffinity None. */
  readonly stickyMaxAgeSeconds: number;
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** 0 unless the Service needs a health check (LoadBalancer + externalTrafficPolicy Local). */
  readonly healthCheckNodePort: number;
  readonly hintsAnnotation: string;
  readonly trafficDistribution: string;
  /** From the kanzen.io/proxy-balance annotation; undefined = the proxy's default. */
  readonly balance?: BalanceMode;
}

/** Upstream ExternallyAccessible (per port): reachable from outside the cluster. */
export function externallyAccessible(info: Pick<ServicePortInfo, 'nodePort' | 'loadBalancerIPs' | 'externalIPs'>): boolean {
  return info.nodePort !== 0 || info.loadBalancerIPs.length > 0 || info.externalIPs.length > 0;
}

/**
 * Upstream UsesClusterEndpoints: some traffic follows the Cluster policy. An externally
 * accessible port always does, even with externalTrafficPolicy Local: traffic from the
 * node itself to its external addresses is short-circuited to cluster endpoints.
 */
export function usesClusterEndpoints(info: ServicePortInfo): boolean {
  return !info.internalPolicyLocal || externallyAccessible(info);
}

/** Upstream UsesLocalEndpoints: some traffic follows the Local policy. */
export function usesLocalEndpoints(info: ServicePortInfo): boolean {
  return info.internalPolicyLocal || (externallyAccessible(info) && info.externalPolicyLocal);
}

/** Upstream apiservice.ExternallyAccessible (service level). */
function serviceExternallyAccessible(svc: Service): boolean {
  const t = svc.spec.type ?? 'ClusterIP';
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0);
}

/** Upstream ShouldSkipService: headless and ExternalName Services have no virtual IP. */
export function shouldSkipService(svc: Service): boolean {
  const ip = svc.spec.clusterIP;
  return !ip || ip === 'None' || svc.spec.type === 'ExternalName';
}

function parseBalance(svc: Service): BalanceMode | undefined {
  const v = svc.metadata.annotations?.[balanceAnnotation];
  return balanceModes.includes(v as BalanceMode) ? (v as BalanceMode) : undefined;
}

/** The IPv4 CIDRs of a source range list, canonical; others (IPv6, unparseable) left out, as upstream's per-family filter. */
function ipv4SourceRanges(ranges: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of ranges) {
    try {
      out.push(parseCIDR(r).text);
    } catch {
      // Not IPv4: another family's proxier would take it.
    }
  }
  return out;
}

/** Whether a client may reach a Service port's LoadBalancer IPs (loadBalancerSourceRanges). */
export function sourceRangeAllows(info: Pick<ServicePortInfo, 'loadBalancerSourceRanges'>, clientIP: string): boolean {
  if (info.loadBalancerSourceRanges.length === 0) return true;
  const ip = clientIP.startsWith('::ffff:') ? clientIP.slice(7) : clientIP;
  return info.loadBalancerSourceRanges.some((r) => cidrContains(parseCIDR(r), ip));
}

/** Upstream's LoadBalancer firewall: traffic to one of the port's LoadBalancer IPs from outside its source ranges is dropped. */
export function firewallDrops(info: Pick<ServicePortInfo, 'loadBalancerSourceRanges' | 'loadBalancerIPs'>, destIP: string, clientIP: string): boolean {
  return info.loadBalancerSourceRanges.length > 0 && info.loadBalancerIPs.includes(destIP) && !sourceRangeAllows(info, clientIP);
}

function servicePortInfo(svc: Service, port: ServicePort): ServicePortInfo | undefined {
  const protocol = port.protocol ?? 'TCP';
  // SCTP cannot be proxied from user space; upstream's userspace proxy skipped it too.
  if (protocol !== 'TCP' && protocol !== 'UDP') return undefined;
  const name: ServicePortName = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', port: port.name ?? '', protocol };
  const spec = svc.spec;
  const externalPolicyLocal = serviceExternallyAccessible(svc) && spec.externalTrafficPolicy === 'Local';
  const needsHealthCheck = spec.type === 'LoadBalancer' && externalPolicyLocal;
  const clusterIPs = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return {
    key: servicePortKey(name),
    name,
    serviceKey: `${name.namespace}/${name.name}`,
    clusterIPs,
    port: port.port,
    protocol,
    nodePort: spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? (port.nodePort ?? 0) : 0,
    externalIPs: spec.externalIPs ?? [],
    loadBalancerIPs: (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && i.ipMode !== 'Proxy').map((i) => i.ip as string),
    loadBalancerSourceRanges: spec.type === 'LoadBalancer' ? ipv4SourceRanges(spec.loadBalancerSourceRanges ?? []) : [],
    stickyMaxAgeSeconds:
      spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultClientIPAffinitySeconds) : 0,
    externalPolicyLocal,
    internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
    healthCheckNodePort: needsHealthCheck ? (spec.healthCheckNodePort ?? 0) : 0,
    hintsAnnotation: svc.metadata.annotations?.[topologyModeAnnotation] ?? svc.metadata.annotations?.[topologyAwareHintsAnnotation] ?? '',
    trafficDistribution: spec.trafficDistribution ?? '',
    balance: parseBalance(svc),
  };
}

/** All proxied ports of a Service by key (empty for skipped Services). */
export function servicePortsOf(svc: Service | undefined): Map<string, ServicePortInfo> {
  const out = new Map<string, ServicePortInfo>();
  if (!svc || shouldSkipService(svc)) return out;
  for (const p of svc.spec.ports ?? []) {
    const info = servicePortInfo(svc, p);
    if (info) out.set(info.key, info);
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function servicePortInfoEqual(a: ServicePortInfo, b: ServicePortInfo): boolean {
  return (
    a.key === b.key &&
    a.port === b.port &&
    a.nodePort === b.nodePort &&
    a.stickyMaxAgeSeconds === b.stickyMaxAgeSeconds &&
    a.externalPolicyLocal === b.externalPolicyLocal &&
    a.internalPolicyLocal === b.internalPolicyLocal &&
    a.healthCheckNodePort === b.healthCheckNodePort &&
    a.hintsAnnotation === b.hintsAnnotation &&
    a.trafficDistribution === b.trafficDistribution &&
    a.balance === b.balance &&
    sameList(a.clusterIPs, b.clusterIPs) &&
    sameList(a.externalIPs, b.externalIPs) &&
    sameList(a.loadBalancerIPs, b.loadBalancerIPs) &&
    sameList(a.loadBalancerSourceRanges, b.loadBalancerSourceRanges)
  );
}

export function servicePortMapsEqual(a: Map<string, ServicePortInfo>, b: Map<string, ServicePortInfo>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !servicePortInfoEqual(v, w)) return false;
  }
  return true;
}
