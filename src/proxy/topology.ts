// Which endpoints a Service port may use on this node (upstream pkg/proxy/topology.go,
// CategorizeEndpoints). Pure: no I/O, no clock; backends only turn the answer into
// forwarding state.
import type { EndpointInfo } from './endpoint.js';
import { usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port.js';
import type { ServicePortProgram } from './userspace/service-port-route.js';

/** Upstream v1.LabelTopologyZone. */
export const labelTopologyZone = 'topology.kubernetes.io/zone';

export interface CategorizedEndpoints {
  /** Endpoints for traffic following the Cluster policy; undefined when no traffic does. */
  clusterEndpoints?: EndpointInfo[];
  /** Endpoints for traffic following the Local policy; undefined when no traffic does. */
  localEndpoints?: EndpointInfo[];
  /** Every endpoint some traffic may reach (the union of the two). */
  allReachableEndpoints: EndpointInfo[];
  /**
   * True when the Service has usable endpoints somewhere in the cluster, even if none
   * here: traffic with no eligible endpoint is then dropped rather than rejected.
   */
  hasAnyEndpoints: boolean;
}

export interface NodeInfo {
  name: string;
  labels?: Record<string, string>;
}

function isLocal(ep: EndpointInfo, nodeName: string): boolean {
  return ep.nodeName !== undefined && ep.nodeName === nodeName;
}

/**
 * Upstream canUseTopology: zone hints are honoured only when the Service asks for them
 * (topology-mode Auto, or a trafficDistribution), the node has a zone, every ready
 * endpoint carries hints, and at least one hint names this zone.
 */
function canUseTopology(endpoints: readonly EndpointInfo[], svc: ServicePortInfo, nodeLabels: Record<string, string>): boolean {
  const mode = svc.hintsAnnotation;
  const asked = mode === 'Auto' || mode === 'auto' || svc.trafficDistribution === 'PreferClose' || svc.trafficDistribution === 'PreferSameZone';
  if (!asked) return false;
  const zone = nodeLabels[labelTopologyZone];
  if (!zone) return false;
  let hasEndpointForZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    if (!ep.zoneHints?.length) return false;
    if (ep.zoneHints.includes(zone)) hasEndpointForZone = true;
  }
  return hasEndpointForZone;
}

export function categorizeEndpoints(
  endpoints: readonly EndpointInfo[],
  svc: ServicePortInfo,
  nodeName: string,
  nodeLabels: Record<string, string> = {},
): CategorizedEndpoints {
  let clusterEndpoints: EndpointInfo[] | undefined;
  let localEndpoints: EndpointInfo[] | undefined;
  let hasAnyEndpoints = false;
  let useTopology = false;
  let useServingTerminating = false;

  if (usesClusterEndpoints(svc)) {
    useTopology = canUseTopology(endpoints, svc, nodeLabels);
    const zone = nodeLabels[labelTopologyZone];
    clusterEndpoints = endpoints.filter((ep) => ep.ready && (!useTopology || (ep.zoneHints ?? []).includes(zone)));
    // No ready endpoint anywhere: fall back to serving terminating ones, ignoring
    // topology, as a best effort not to drop connections (KEP-1669).
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }

  if (!usesLocalEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints ?? [], hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (isLocal(ep, nodeName)) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (isLocal(ep, nodeName)) hasLocalServingTerminating = true;
    }
  }
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => isLocal(ep, nodeName) && ep.ready);
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true;
    localEndpoints = endpoints.filter((ep) => isLocal(ep, nodeName) && ep.serving && ep.terminating);
  } else {
    localEndpoints = [];
  }

  if (!clusterEndpoints) return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  // Without topology and with only ready local endpoints, the cluster set already
  // contains every local one.
  if (!useTopology && !useServingTerminating) return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  const merged = new Map<string, EndpointInfo>();
  for (const ep of clusterEndpoints) merged.set(ep.key, ep);
  for (const ep of localEndpoints) merged.set(ep.key, ep);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: [...merged.values()], hasAnyEndpoints };
}

/** Endpoints for traffic to ClusterIPs (internalTrafficPolicy). */
export function internalEndpoints(c: CategorizedEndpoints, svc: ServicePortInfo): EndpointInfo[] {
  return (svc.internalPolicyLocal ? c.localEndpoints : c.clusterEndpoints) ?? [];
}

/** Endpoints for traffic to NodePorts, externalIPs and LoadBalancer IPs (externalTrafficPolicy). */
export function externalEndpoints(c: CategorizedEndpoints, svc: ServicePortInfo): EndpointInfo[] {
  return (svc.externalPolicyLocal ? c.localEndpoints : c.clusterEndpoints) ?? [];
}

/** What a backend programs for one Service port on this node: the endpoints each kind of traffic may use. */
export function servicePortProgram(
  info: ServicePortInfo,
  endpoints: readonly EndpointInfo[],
  nodeName: string,
  nodeLabels: Record<string, string> = {},
): ServicePortProgram {
  const c = categorizeEndpoints(endpoints, info, nodeName, nodeLabels);
  const serving = new Set<string>();
  for (const ep of endpoints) if (ep.serving) serving.add(ep.key);
  return { info, internal: internalEndpoints(c, info), external: externalEndpoints(c, info), hasAnyEndpoints: c.hasAnyEndpoints, serving };
}
