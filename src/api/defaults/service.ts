// Service defaults: SetDefaults_Service (pkg/apis/core/v1/defaults.go) plus what the
// service registry does before validation on create (clusterIP/clusterIPs
// normalisation, ipFamilyPolicy/ipFamilies in storage/alloc.go) for a single-stack
// IPv4 cluster.
import type { Service, ServiceSpec } from '../types.js';

/** core.DefaultClientIPServiceAffinitySeconds */
export const defaultClientIPServiceAffinitySeconds = 10800;

export function defaultService(svc: Service): void {
  svc.spec ??= {};
  const spec = svc.spec;
  spec.sessionAffinity ||= 'None';
  spec.type ||= 'ClusterIP';
  for (const port of spec.ports ?? []) {
    port.protocol ||= 'TCP';
    // targetPort defaults to port when absent or 0 / "".
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  // Externally accessible: NodePort, LoadBalancer, or ClusterIP with externalIPs.
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
  if (external) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= defaultClientIPServiceAffinitySeconds;
  }
  normalizeClusterIPs(spec);
  defaultIPFamilies(spec);
}

/** The strategy keeps clusterIP and clusterIPs[0] in step whichever one the user set. */
function normalizeClusterIPs(spec: ServiceSpec): void {
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP && !(spec.clusterIPs && spec.clusterIPs.length)) spec.clusterIPs = [spec.clusterIP];
  else if (!spec.clusterIP && spec.clusterIPs && spec.clusterIPs.length) spec.clusterIP = spec.clusterIPs[0];
}

/**
 * initIPFamilyFields for a single-stack IPv4 cluster: SingleStack/[IPv4] unless the
 * user chose otherwise; headless services without a selector get RequireDualStack
 * (as a real cluster shows), with the cluster's one family.
 */
function defaultIPFamilies(spec: ServiceSpec): void {
  if (spec.type === 'ExternalName') return;
  const headless = spec.clusterIPs?.length === 1 && spec.clusterIPs[0] === 'None';
  const noSelector = !spec.selector || Object.keys(spec.selector).length === 0;
  if (headless && noSelector) {
    spec.ipFamilyPolicy ??= 'RequireDualStack';
  } else {
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (!spec.ipFamilies || spec.ipFamilies.length === 0) {
    const fromIP = spec.clusterIPs?.[0]?.includes(':') ? 'IPv6' : 'IPv4';
    spec.ipFamilies = [fromIP];
  }
}

/**
 * What the service strategy does to an update before validation (PrepareForUpdate:
 * normalizeClusterIPs + dropTypeDependentFields): fields the user left unchanged but
 * that the new type cannot carry are cleared instead of rejected, e.g. the allocated
 * nodePorts when going NodePort → ClusterIP, or clusterIP(s) when going to ExternalName.
 */
export function prepareServiceForUpdate(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const oldSpec = old.spec ?? {};
  const sameArr = (a?: string[], b?: string[]) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
  // A user who cleared clusterIP (e.g. apply of a manifest without it) keeps the old one.
  if (!spec.clusterIP && sameArr(spec.clusterIPs, oldSpec.clusterIPs) && oldSpec.clusterIP && spec.type !== 'ExternalName') {
    spec.clusterIP = oldSpec.clusterIP;
  }
  if (spec.clusterIP && spec.clusterIP !== oldSpec.clusterIP && sameArr(spec.clusterIPs, oldSpec.clusterIPs)) {
    spec.clusterIPs = [spec.clusterIP];
  }
  if (spec.type === oldSpec.type) return;
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP === oldSpec.clusterIP) delete spec.clusterIP;
    if (sameArr(spec.clusterIPs, oldSpec.clusterIPs)) delete spec.clusterIPs;
    if (sameArr(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === oldSpec.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
  const needsNodePorts = (s: ServiceSpec) => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
  if (!needsNodePorts(spec)) {
    for (const p of spec.ports ?? []) {
      const oldPort = (oldSpec.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (oldPort && oldPort.nodePort === p.nodePort) delete p.nodePort;
    }
  }
  const externallyAccessible = (s: ServiceSpec) => s.type === 'NodePort' || s.type === 'LoadBalancer' || (s.externalIPs?.length ?? 0) > 0;
  if (!externallyAccessible(spec) && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  const needsHealthCheck = (s: ServiceSpec) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck(spec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === oldSpec.loadBalancerClass) delete spec.loadBalancerClass;
  }
}
