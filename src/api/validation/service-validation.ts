// Service validation: pkg/apis/core/validation ValidateService, validateServicePort,
// ValidateServiceClusterIPsRelatedFields, validateServiceExternalTrafficPolicy,
// ValidateServiceUpdate and friends, with upstream's messages, paths and order.
// NodePort range and allocation errors belong to the allocators, not here.
import { field, type FieldError } from '../errors.js';
import type { Service, ServicePort, ServiceSpec } from '../types.js';
import { goServicePortKey } from './go-literal.js';
import {
  ipFamilyOf,
  isValidCIDR,
  isValidIP,
  isValidPortNum,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validatePortNumOrName,
  validateNonSpecialIP,
  validateQualifiedName,
  nameIsDNS1035Label,
} from './names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const supportedServiceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const supportedSessionAffinity = ['ClientIP', 'None'];
const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];
const supportedInternalTrafficPolicies = ['Cluster', 'Local'];
const supportedExternalTrafficPolicies = ['Cluster', 'Local'];
const supportedIPFamilies = ['IPv4', 'IPv6'];
const supportedIPFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
/** core.MaxClientIPServiceAffinitySeconds */
const maxClientIPServiceAffinitySeconds = 86400;
const annotationLoadBalancerSourceRanges = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const annotationTopologyMode = 'service.kubernetes.io/topology-mode';
const deprecatedAnnotationTopologyAwareHints = 'service.kubernetes.io/topology-aware-hints';

export function isHeadlessService(spec: ServiceSpec): boolean {
  return spec.clusterIPs?.length === 1 && spec.clusterIPs[0] === 'None';
}

/** apiservice.ExternallyAccessible */
function externallyAccessible(spec: ServiceSpec): boolean {
  return (
    spec.type === 'LoadBalancer' ||
    spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0)
  );
}

/** apiservice.NeedsHealthCheck */
function needsHealthCheck(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const annotations = svc.metadata?.annotations ?? {};
  const spec: ServiceSpec = svc.spec ?? {};

  const hints = annotations[deprecatedAnnotationTopologyAwareHints];
  const mode = annotations[annotationTopologyMode];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    errs.push(
      field.invalid(
        `metadata.annotations[${annotationTopologyMode}]`,
        mode,
        `must match annotations[${deprecatedAnnotationTopologyAwareHints}] when both are specified`,
      ),
    );
  }

  const ports = spec.ports ?? [];
  if (ports.length === 0 && !isHeadlessService(spec) && spec.type !== 'ExternalName') errs.push(field.required('spec.ports'));

  switch (spec.type) {
    case 'LoadBalancer':
      if (isHeadlessService(spec)) errs.push(field.invalid('spec.clusterIPs[0]', spec.clusterIPs?.[0], "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (isHeadlessService(spec)) errs.push(field.invalid('spec.clusterIPs[0]', spec.clusterIPs?.[0], "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs?.length ?? 0) > 0) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if ((spec.ipFamilies?.length ?? 0) > 0) errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) {
        errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      }
      // The CNAME may carry a trailing dot to mark it fully qualified.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname.length > 0) errs.push(...validateDNS1123Subdomain(cname, 'spec.externalName'));
      else errs.push(field.required('spec.externalName'));
      break;
    }
    default:
      break;
  }

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));

  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));

  if (!spec.sessionAffinity) errs.push(field.required('spec.sessionAffinity'));
  else if (!supportedSessionAffinity.includes(spec.sessionAffinity)) {
    errs.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, supportedSessionAffinity));
  }
  if (spec.sessionAffinity === 'ClientIP') errs.push(...validateClientIPAffinityConfig(spec));
  else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }

  errs.push(...validateServiceClusterIPsRelatedFields(spec));

  (spec.externalIPs ?? []).forEach((ip, i) => {
    const p = `spec.externalIPs[${i}]`;
    const ipErrs = isValidIP(p, ip);
    errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(p, ip)));
  });

  if (!spec.type) errs.push(field.required('spec.type'));
  else if (!supportedServiceTypes.includes(spec.type)) errs.push(field.notSupported('spec.type', spec.type, supportedServiceTypes));

  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(field.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }

  // Duplicate nodePorts and ports, keyed by (protocol, port).
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol ?? ''}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(field.duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ''}/${p.port}`;
    if (seenPorts.has(key)) errs.push(field.duplicate(`spec.ports[${i}]`, goServicePortKey(p.protocol ?? '', p.port)));
    seenPorts.add(key);
  });

  errs.push(...validateSourceRanges(spec, annotations));

  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && spec.type !== 'LoadBalancer') {
    errs.push(field.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  // Upstream reports this one without the "spec." prefix.
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    errs.push(field.required('allocateLoadBalancerNodePorts'));
  }

  errs.push(...validateLoadBalancerClassField(undefined, spec));
  errs.push(...validateServiceExternalTrafficPolicy(spec));
  errs.push(...validateServiceInternalTrafficFieldsValue(spec));
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== null && spec.trafficDistribution !== 'PreferClose') {
    errs.push(field.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) {
    errs.push(field.required(`${path}.name`));
  } else if (sp.name) {
    errs.push(...validateDNS1123Label(sp.name, `${path}.name`));
    if (names.has(sp.name)) errs.push(field.duplicate(`${path}.name`, sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port ?? 0).map((m) => field.invalid(`${path}.port`, sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(field.required(`${path}.protocol`));
  else if (!supportedPortProtocols.includes(sp.protocol)) errs.push(field.notSupported(`${path}.protocol`, sp.protocol, supportedPortProtocols));
  errs.push(...validatePortNumOrName(sp.targetPort, `${path}.targetPort`));
  if (sp.appProtocol !== undefined && sp.appProtocol !== null) errs.push(...validateQualifiedName(sp.appProtocol, `${path}.appProtocol`));
  return errs;
}

function validateClientIPAffinityConfig(spec: ServiceSpec): FieldError[] {
  const path = 'spec.sessionAffinityConfig';
  const detail = 'when session affinity type is ClientIP';
  const config = spec.sessionAffinityConfig;
  if (!config) return [field.required(path, detail)];
  if (!config.clientIP) return [field.required(`${path}.clientIP`, detail)];
  const timeout = config.clientIP.timeoutSeconds;
  if (timeout === undefined || timeout === null) return [field.required(`${path}.clientIP.timeoutSeconds`, detail)];
  if (timeout <= 0 || timeout > maxClientIPServiceAffinitySeconds) {
    return [field.invalid(`${path}.clientIP.timeoutSeconds`, timeout, `must be greater than 0 and less than ${maxClientIPServiceAffinitySeconds}`)];
  }
  return [];
}

function validateSourceRanges(spec: ServiceSpec, annotations: Record<string, string>): FieldError[] {
  const errs: FieldError[] = [];
  const ranges = spec.loadBalancerSourceRanges ?? [];
  if (ranges.length > 0) {
    // Upstream's path really is "spec.LoadBalancerSourceRanges".
    const path = 'spec.LoadBalancerSourceRanges';
    if (spec.type !== 'LoadBalancer') errs.push(field.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...isValidCIDR(`${path}[${i}]`, r.trim())));
  } else if (annotations[annotationLoadBalancerSourceRanges] !== undefined) {
    const path = `metadata.annotations[${annotationLoadBalancerSourceRanges}]`;
    if (spec.type !== 'LoadBalancer') errs.push(field.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const val = annotations[annotationLoadBalancerSourceRanges].trim();
    if (val !== '') for (const cidr of val.split(',')) errs.push(...isValidCIDR(path, cidr.trim()));
  }
  return errs;
}

function validateServiceExternalTrafficPolicy(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy) {
      errs.push(field.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    }
  } else if (!spec.externalTrafficPolicy) {
    errs.push(field.required('spec.externalTrafficPolicy'));
  } else if (!supportedExternalTrafficPolicies.includes(spec.externalTrafficPolicy)) {
    errs.push(field.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, supportedExternalTrafficPolicies));
  }
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hc !== 0) {
      errs.push(field.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (hc === 0) {
    // On create the allocator assigns it before validation, as the registry does.
    errs.push(field.required('spec.healthCheckNodePort'));
  } else {
    errs.push(...isValidPortNum(hc).map((m) => field.invalid('spec.healthCheckNodePort', hc, m)));
  }
  return errs;
}

function validateServiceInternalTrafficFieldsValue(spec: ServiceSpec): FieldError[] {
  const itp = spec.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    // Not required for ExternalName for historical reasons.
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') return [field.required('spec.internalTrafficPolicy')];
    return [];
  }
  if (!supportedInternalTrafficPolicies.includes(itp)) return [field.notSupported('spec.internalTrafficPolicy', itp, supportedInternalTrafficPolicies)];
  return [];
}

export function validateServiceClusterIPsRelatedFields(spec: ServiceSpec): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIPs = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (clusterIPs.length === 0) errs.push(field.required('spec.clusterIPs'));
    else if (clusterIPs[0] !== spec.clusterIP) errs.push(field.invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length !== 0) {
    errs.push(field.invalid('spec.clusterIPs', clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }

  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((fam, i) => {
    if (!supportedIPFamilies.includes(fam)) errs.push(field.notSupported(`spec.ipFamilies[${i}]`, fam, supportedIPFamilies));
    if (seen.has(fam)) errs.push(field.duplicate(`spec.ipFamilies[${i}]`, fam));
    seen.add(fam);
  });
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !supportedIPFamilyPolicies.includes(spec.ipFamilyPolicy)) {
    errs.push(field.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, supportedIPFamilyPolicies));
  }

  let hasInvalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        hasInvalidIPs = true;
        errs.push(field.invalid('spec.clusterIPs', clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = isValidIP(`spec.clusterIPs[${i}]`, ip);
    if (ipErrs.length) hasInvalidIPs = true;
    errs.push(...ipErrs);
  });
  if (clusterIPs.length > 2) errs.push(field.invalid('spec.clusterIPs', clusterIPs, 'may only hold up to 2 values'));
  if (hasInvalidIPs) return errs;

  if (clusterIPs.length > 1) {
    const families = clusterIPs.map(ipFamilyOf);
    const dualStack = clusterIPs.length === 2 && families[0] !== families[1];
    if (!dualStack) errs.push(field.invalid('spec.clusterIPs', clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  const ipFamilies = spec.ipFamilies ?? [];
  if (!isHeadlessService(spec) && clusterIPs.length > 0 && ipFamilies.length > 0) {
    clusterIPs.forEach((ip, i) => {
      if (i > ipFamilies.length - 1) return;
      const isV6 = ipFamilyOf(ip) === 'IPv6';
      if (ipFamilies[i] === 'IPv4' && isV6) {
        errs.push(field.invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      }
      if (ipFamilies[i] === 'IPv6' && !isV6) {
        errs.push(field.invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
      }
    });
  }
  return errs;
}

function validateLoadBalancerClassField(oldSpec: ServiceSpec | undefined, spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (oldSpec && oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && (oldSpec.loadBalancerClass ?? null) !== (spec.loadBalancerClass ?? null)) {
    errs.push(field.invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) errs.push(...validateQualifiedName(spec.loadBalancerClass, 'spec.loadBalancerClass'));
  } else if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) {
    errs.push(field.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

function validateUpgradeDowngradeClusterIPs(oldSpec: ServiceSpec, spec: ServiceSpec): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (isHeadlessService(oldSpec) && isHeadlessService(spec)) return [];
  const errs: FieldError[] = [];
  const oldIPs = oldSpec.clusterIPs ?? [];
  const newIPs = spec.clusterIPs ?? [];
  if (oldIPs.length === newIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== newIPs[i]) errs.push(field.invalid(`spec.clusterIPs[${i}]`, newIPs, 'may not change once set'));
    });
  } else if (oldIPs.length > newIPs.length) {
    if (newIPs.length === 0) errs.push(field.invalid('spec.clusterIPs[0]', newIPs, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) errs.push(field.invalid('spec.clusterIPs[0]', newIPs, 'may not change once set'));
    if (newIPs.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(field.invalid('spec.clusterIPs[0]', newIPs, 'may not change once set'));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(oldSpec: ServiceSpec, spec: ServiceSpec): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (isHeadlessService(oldSpec) !== isHeadlessService(spec) || isHeadlessService(spec)) return [];
  const errs: FieldError[] = [];
  const oldFams = oldSpec.ipFamilies ?? [];
  const newFams = spec.ipFamilies ?? [];
  if (oldFams.length === newFams.length) {
    oldFams.forEach((fam, i) => {
      if (fam !== newFams[i]) errs.push(field.invalid('spec.ipFamilies[0]', newFams, 'may not change once set'));
    });
  } else if (oldFams.length > newFams.length) {
    if ((spec.clusterIPs ?? []).length === 0) errs.push(field.invalid('spec.ipFamilies[0]', newFams, 'primary ipFamily can not be unset'));
    if (newFams.length > 0 && newFams[0] !== oldFams[0]) errs.push(field.invalid('spec.ipFamilies[0]', spec.clusterIPs ?? [], 'may not change once set'));
    if (newFams.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldFams.length > 0 && newFams.length > 0 && newFams[0] !== oldFams[0]) {
    errs.push(field.invalid('spec.ipFamilies[0]', spec.clusterIPs ?? [], 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const spec = svc.spec ?? {};
  const oldSpec = old.spec ?? {};
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  errs.push(...validateUpgradeDowngradeClusterIPs(oldSpec, spec));
  errs.push(...validateUpgradeDowngradeIPFamilies(oldSpec, spec));
  errs.push(...validateLoadBalancerClassField(oldSpec, spec));
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && spec.healthCheckNodePort !== oldSpec.healthCheckNodePort) {
    errs.push(field.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  errs.push(...validateService(svc));
  return errs;
}

/** ValidateServiceStatusUpdate: metadata plus load-balancer ingress. */
export function validateServiceStatusUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  ingress.forEach((ing, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    if (ing.ip) errs.push(...isValidIP(`${p}.ip`, ing.ip));
    if (ing.ipMode !== undefined && ing.ipMode !== null) {
      if (!ing.ip) errs.push(field.forbidden(`${p}.ipMode`, 'may not be set when `ip` is empty'));
      else if (!['Proxy', 'VIP'].includes(ing.ipMode)) errs.push(field.notSupported(`${p}.ipMode`, ing.ipMode, ['Proxy', 'VIP']));
    }
    if (ing.hostname) {
      errs.push(...validateDNS1123Subdomain(ing.hostname, `${p}.hostname`));
      if (ipFamilyOf(ing.hostname)) errs.push(field.invalid(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
