// networking.k8s.io validation (pkg/apis/networking/validation/validation.go, as in 1.33):
// Ingress, IngressClass and NetworkPolicy, with upstream's messages and field paths.
import { goQuote, field, type FieldError } from '../errors.js';
import type {
  HTTPIngressPath,
  IPBlock,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressClassParametersReference,
  IngressRule,
  IngressSpec,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
} from '../types.js';
import { GoLiteral } from './go-literal.js';
import {
  isDNS1123Subdomain,
  isDomainPrefixedPath,
  isStrictCIDRSubset,
  isValidCIDRForLegacyField,
  isValidIPForLegacyField,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  parseIPSloppy,
} from './names.js';
import { validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

/** The legacy annotation that named an Ingress's class before spec.ingressClassName. */
export const annotationIngressClass = 'kubernetes.io/ingress.class';
/** The annotation that makes an IngressClass the default one (networking/v1 AnnotationIsDefaultIngressClass). */
export const annotationIsDefaultIngressClass = 'ingressclass.kubernetes.io/is-default-class';

const maxLenIngressClassController = 250;
const supportedPathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];
const supportedParametersScopes = ['Cluster', 'Namespace'];
const supportedPolicyTypes = ['Ingress', 'Egress'];
const supportedPortProtocols = ['TCP', 'UDP', 'SCTP'];

const invalidAll = (path: string, value: unknown, msgs: string[]): FieldError[] => msgs.map((m) => field.invalid(path, value, m));

// ---- NetworkPolicy ----

/** ValidateNetworkPolicyPort: protocol, a port number or name, and endPort only after a numeric port. */
export function validateNetworkPolicyPort(port: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol !== undefined && !supportedPortProtocols.includes(port.protocol)) {
    errs.push(field.notSupported(`${path}.protocol`, port.protocol, supportedPortProtocols));
  }
  const endPort = port.endPort;
  if (port.port === undefined || port.port === null) {
    if (endPort !== undefined) errs.push(field.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is not specified'));
  } else if (typeof port.port === 'number') {
    errs.push(...invalidAll(`${path}.port`, port.port, isValidPortNum(port.port)));
    if (endPort !== undefined) {
      if (endPort < port.port) errs.push(field.invalid(`${path}.endPort`, endPort, 'must be greater than or equal to `port`'));
      errs.push(...invalidAll(`${path}.endPort`, endPort, isValidPortNum(endPort)));
    }
  } else {
    if (endPort !== undefined) errs.push(field.invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...invalidAll(`${path}.port`, port.port, isValidPortName(port.port)));
  }
  return errs;
}

/** ValidateIPBlock: cidr required and parseable, each except a strict subset of it. */
export function validateIPBlock(ipb: IPBlock, path: string, validOldCIDRs: readonly string[] = []): FieldError[] {
  if (!ipb.cidr) return [field.required(`${path}.cidr`, '')];
  const errs = isValidCIDRForLegacyField(`${path}.cidr`, ipb.cidr, validOldCIDRs);
  if (errs.length) return errs;
  (ipb.except ?? []).forEach((except, i) => {
    const exceptPath = `${path}.except[${i}]`;
    const exceptErrs = isValidCIDRForLegacyField(exceptPath, except, validOldCIDRs);
    errs.push(...exceptErrs);
    if (exceptErrs.length === 0 && !isStrictCIDRSubset(except, ipb.cidr)) {
      errs.push(field.invalid(exceptPath, except, 'must be a strict subset of `cidr`'));
    }
  });
  return errs;
}

/** ValidateNetworkPolicyPeer: at least one of the three, and ipBlock alone. */
export function validateNetworkPolicyPeer(peer: NetworkPolicyPeer, path: string, validOldCIDRs: readonly string[] = []): FieldError[] {
  const errs: FieldError[] = [];
  let peers = 0;
  if (peer.podSelector) {
    peers++;
    errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (peer.namespaceSelector) {
    peers++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock) {
    peers++;
    errs.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`, validOldCIDRs));
  }
  if (peers === 0) errs.push(field.required(path, 'must specify a peer'));
  else if (peers > 1 && peer.ipBlock) errs.push(field.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

/** ValidateNetworkPolicySpec */
export function validateNetworkPolicySpec(spec: NetworkPolicySpec, path = 'spec', validOldCIDRs: readonly string[] = []): FieldError[] {
  const errs = validateLabelSelector(spec.podSelector, `${path}.podSelector`);
  const rules = (kind: 'ingress' | 'egress', peersField: 'from' | 'to') =>
    (spec[kind] ?? []).forEach((rule, i) => {
      const rulePath = `${path}.${kind}[${i}]`;
      (rule.ports ?? []).forEach((port, j) => errs.push(...validateNetworkPolicyPort(port, `${rulePath}.ports[${j}]`)));
      const peers = ((rule as Record<string, NetworkPolicyPeer[] | undefined>)[peersField] ?? []);
      peers.forEach((peer, j) => errs.push(...validateNetworkPolicyPeer(peer, `${rulePath}.${peersField}[${j}]`, validOldCIDRs)));
    });
  rules('ingress', 'from');
  rules('egress', 'to');
  const types = spec.policyTypes ?? [];
  if (types.length > supportedPolicyTypes.length) {
    errs.push(field.invalid(`${path}.policyTypes`, new GoLiteral(`[]networking.PolicyType{${types.map(goQuote).join(', ')}}`), 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (!supportedPolicyTypes.includes(t)) errs.push(field.notSupported(`${path}.policyTypes[${i}]`, t, supportedPolicyTypes));
  });
  return errs;
}

export function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  return [...validateObjectMeta(np.metadata, true, nameIsDNSSubdomain), ...validateNetworkPolicySpec(np.spec ?? { podSelector: {} })];
}

/** Every CIDR the old policy held: an update may keep them even where they no longer validate. */
function existingCIDRs(np: NetworkPolicy): string[] {
  const peers = [...(np.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec?.egress ?? []).flatMap((r) => r.to ?? [])];
  return peers.flatMap((p) => (p.ipBlock ? [p.ipBlock.cidr, ...(p.ipBlock.except ?? [])] : []));
}

export function validateNetworkPolicyUpdate(np: NetworkPolicy, old: NetworkPolicy): FieldError[] {
  return [...validateObjectMetaUpdate(np.metadata, old.metadata), ...validateNetworkPolicySpec(np.spec ?? { podSelector: {} }, 'spec', existingCIDRs(old))];
}

// ---- Ingress ----

interface IngressValidationOptions {
  /** The old object already had a TLS secretName that is not a valid Secret name. */
  allowInvalidSecretName: boolean;
  /** The old object already had a wildcard-host rule whose paths do not validate. */
  allowInvalidWildcardHostRule: boolean;
}

const strictIngressOptions: IngressValidationOptions = { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false };

/** validateIngressBackend: a service (name and one of port name or number) or a resource, not both. */
function validateIngressBackend(backend: IngressBackend, path: string): FieldError[] {
  if (backend.resource && backend.service) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (backend.resource) return validateTypedLocalObjectReference(backend.resource, `${path}.resource`);
  if (!backend.service) return [field.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const svc = backend.service;
  // apivalidation.ValidateServiceName: Services are named as DNS-1035 labels.
  if (!svc.name) errs.push(field.required(`${path}.service.name`, ''));
  else errs.push(...invalidAll(`${path}.service.name`, svc.name, nameIsDNS1035Label(svc.name, false)));
  const name = svc.port?.name ?? '';
  const number = svc.port?.number ?? 0;
  if (name && number) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (name) errs.push(...invalidAll(`${path}.service.port.name`, name, isValidPortName(name)));
  else if (number) errs.push(...invalidAll(`${path}.service.port.number`, number, isValidPortNum(number)));
  else errs.push(field.required(path, 'port name or number is required'));
  return errs;
}

/** validateIngressTypedLocalObjectReference: a resource backend's apiGroup, kind and name. */
function validateTypedLocalObjectReference(ref: { apiGroup?: string; kind: string; name: string }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) errs.push(...invalidAll(`${path}.apiGroup`, ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)));
  for (const key of ['kind', 'name'] as const) {
    if (!ref[key]) errs.push(field.required(`${path}.${key}`, ''));
    else errs.push(...invalidAll(`${path}.${key}`, ref[key], isValidPathSegmentName(ref[key])));
  }
  return errs;
}

/** validateHTTPIngressPath: pathType is required (v1 has no default) and decides what path may be. */
function validateHTTPIngressPath(p: HTTPIngressPath, path: string): FieldError[] {
  if (p.pathType === undefined || p.pathType === null) return [field.required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
      if (value.length > 0) {
        for (const seq of invalidPathSequences) if (value.includes(seq)) errs.push(field.invalid(`${path}.path`, value, `must not contain '${seq}'`));
        for (const suffix of invalidPathSuffixes) if (value.endsWith(suffix)) errs.push(field.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value.length > 0 && !value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      errs.push(field.notSupported(`${path}.pathType`, p.pathType, supportedPathTypes));
  }
  errs.push(...validateIngressBackend(p.backend, `${path}.backend`));
  return errs;
}

/** validateIngressRuleValue: an http rule needs at least one path. */
function validateIngressRuleValue(rule: IngressRule, path: string): FieldError[] {
  if (!rule.http) return [];
  const errs: FieldError[] = [];
  const paths = rule.http.paths ?? [];
  if (paths.length === 0) errs.push(field.required(`${path}.http.paths`, ''));
  paths.forEach((p, i) => errs.push(...validateHTTPIngressPath(p, `${path}.http.paths[${i}]`)));
  return errs;
}

/** validateIngressRules: hosts are DNS names (a leading "*." allowed), never IP addresses. */
function validateIngressRules(rules: IngressRule[], path: string, opts: IngressValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => {
    const host = rule.host ?? '';
    let wildcard = false;
    if (host.length > 0) {
      if (parseIPSloppy(host)) errs.push(field.invalid(`${path}[${i}].host`, host, 'must be a DNS name, not an IP address'));
      wildcard = host.includes('*');
      errs.push(...invalidAll(`${path}[${i}].host`, host, wildcard ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)));
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) errs.push(...validateIngressRuleValue(rule, `${path}[${i}]`));
  });
  return errs;
}

/** validateIngressTLS: hosts as rule hosts (without the IP check), secretName a Secret name. */
function validateIngressTLS(spec: IngressSpec, path: string, opts: IngressValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  (spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((host, j) => {
      errs.push(...invalidAll(`${path}[${i}].hosts[${j}]`, host, host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)));
    });
    if (!opts.allowInvalidSecretName) errs.push(...invalidAll(`${path}[${i}].secretName`, tls.secretName, tlsSecretNameErrors(tls.secretName)));
  });
  return errs;
}

function tlsSecretNameErrors(name: string | undefined): string[] {
  return name ? nameIsDNSSubdomain(name, false) : [];
}

/** The Go %#v of spec.rules when neither rules nor a default backend is given. */
function goIngressRules(rules: IngressRule[] | undefined): GoLiteral {
  return new GoLiteral(rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)');
}

/** ValidateIngressSpec */
export function validateIngressSpec(spec: IngressSpec, path = 'spec', opts = strictIngressOptions): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) errs.push(field.invalid(path, goIngressRules(spec.rules), 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateIngressBackend(spec.defaultBackend, `${path}.defaultBackend`));
  if (rules.length > 0) errs.push(...validateIngressRules(rules, `${path}.rules`, opts));
  if ((spec.tls ?? []).length > 0) errs.push(...validateIngressTLS(spec, `${path}.tls`, opts));
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    errs.push(...invalidAll(`${path}.ingressClassName`, spec.ingressClassName, nameIsDNSSubdomain(spec.ingressClassName, false)));
  }
  return errs;
}

/** ValidateIngressCreate: the legacy class annotation must agree with ingressClassName. */
export function validateIngress(ing: Ingress): FieldError[] {
  const errs = [...validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain), ...validateIngressSpec(ing.spec ?? {})];
  const annotation = ing.metadata.annotations?.[annotationIngressClass];
  const className = ing.spec?.ingressClassName;
  if (annotation !== undefined && className !== undefined && className !== null && annotation !== className) {
    errs.push(field.invalid(`annotations.${annotationIngressClass}`, annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

/** ValidateIngressUpdate: what the old object already got away with stays allowed. */
export function validateIngressUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const opts: IngressValidationOptions = {
    allowInvalidSecretName: (old.spec?.tls ?? []).some((t) => tlsSecretNameErrors(t.secretName).length > 0),
    allowInvalidWildcardHostRule: (old.spec?.rules ?? []).some((r) => (r.host ?? '').includes('*') && validateIngressRuleValue(r, '').length > 0),
  };
  return [
    ...validateObjectMetaUpdate(ing.metadata, old.metadata),
    ...validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain),
    ...validateIngressSpec(ing.spec ?? {}, 'spec', opts),
  ];
}

/** ValidateIngressStatusUpdate: load-balancer IPs parse, hostnames are DNS names and not IPs. */
export function validateIngressStatusUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const errs = validateObjectMetaUpdate(ing.metadata, old.metadata);
  const oldIPs = (old.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  (ing.status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const path = `status.loadBalancer.ingress[${i}]`;
    if (lb.ip && !oldIPs.includes(lb.ip)) errs.push(...isValidIPForLegacyField(`${path}.ip`, lb.ip));
    if (lb.hostname) {
      errs.push(...invalidAll(`${path}.hostname`, lb.hostname, isDNS1123Subdomain(lb.hostname)));
      if (parseIPSloppy(lb.hostname)) errs.push(field.invalid(`${path}.hostname`, lb.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

// ---- IngressClass ----

/** validateIngressClassParametersReference: kind and name, and a scope that says whether namespace is wanted. */
function validateIngressClassParameters(params: IngressClassParametersReference | undefined, path: string): FieldError[] {
  if (!params) return [];
  const errs = validateTypedLocalObjectReference(params, path);
  if (params.scope === undefined || params.scope === null) return [...errs, field.required(`${path}.scope`, '')];
  if (!supportedParametersScopes.includes(params.scope)) {
    errs.push(field.notSupported(`${path}.scope`, params.scope, supportedParametersScopes));
  } else if (params.scope === 'Namespace') {
    if (params.namespace === undefined || params.namespace === null) errs.push(field.required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...invalidAll(`${path}.namespace`, params.namespace, nameIsDNSLabel(params.namespace, false)));
  } else if (params.namespace !== undefined && params.namespace !== null) {
    errs.push(field.forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

/** ValidateIngressClass */
export function validateIngressClass(ic: IngressClass): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain);
  const controller = ic.spec?.controller ?? '';
  if (!controller) errs.push(field.required('spec.controller', ''));
  else {
    if (controller.length > maxLenIngressClassController) errs.push(field.tooLong('spec.controller', '', maxLenIngressClassController));
    errs.push(...isDomainPrefixedPath('spec.controller', controller));
  }
  errs.push(...validateIngressClassParameters(ic.spec?.parameters, 'spec.parameters'));
  return errs;
}

/** ValidateIngressClassUpdate: the controller is fixed once set; parameters may change. */
export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ic.metadata, old.metadata),
    ...validateImmutableField(ic.spec?.controller, old.spec?.controller, 'spec.controller'),
    ...validateIngressClass(ic),
  ];
}
