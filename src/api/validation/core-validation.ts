// Validation for the smaller core, discovery and coordination kinds: ConfigMap, Secret,
// Namespace, Node, Endpoints, EndpointSlice, Event, Lease (pkg/apis/core/validation,
// pkg/apis/discovery/validation, pkg/apis/coordination/validation), reduced to the
// rules kanzen's clients can trip over.
import { field, type FieldError } from '../errors.js';
import type { ConfigMap, EndpointPort, EndpointSlice, Endpoints, Event, KubeObject, Lease, Namespace, Node, Secret } from '../types.js';
import {
  cidrFamilyOf,
  isConfigMapKey,
  isValidCIDR,
  isValidIP,
  isValidIPForLegacyField,
  isValidPortNum,
  ipFamilyOf,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateNonSpecialIP,
  validateQualifiedName,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  type NameValidator,
} from './names.js';
import { validateImmutableField, validateObjectMeta } from './object-meta.js';

/** core.MaxSecretSize, also the ConfigMap limit. */
export const maxSecretSize = 1024 * 1024;

function meta(obj: KubeObject, namespaced: boolean, nameValidator: NameValidator = nameIsDNSSubdomain): FieldError[] {
  return validateObjectMeta(obj.metadata, namespaced, nameValidator);
}

// ---- ConfigMap ----

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = meta(cm, true);
  let total = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    total += Buffer.byteLength(value);
    errs.push(...isConfigMapKey(key).map((m) => field.invalid(`data[${key}]`, key, m)));
    if (cm.binaryData && key in cm.binaryData) errs.push(field.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    total += Buffer.from(value, 'base64').length;
    errs.push(...isConfigMapKey(key).map((m) => field.invalid(`binaryData[${key}]`, key, m)));
    if (cm.data && key in cm.data) errs.push(field.invalid(`binaryData[${key}]`, key, 'duplicate of key present in data'));
  }
  // Upstream passes an empty path, which field.Error prints as "[]".
  if (total > maxSecretSize) errs.push(field.tooLong('[]', '', maxSecretSize));
  return errs;
}

function validateImmutableData(obj: ConfigMap | Secret, old: ConfigMap | Secret): FieldError[] {
  if (!old.immutable) return [];
  const errs: FieldError[] = [];
  if (!obj.immutable) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
  if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) errs.push(field.forbidden('data', 'field is immutable when `immutable` is set'));
  const ob = (obj as ConfigMap).binaryData;
  const oldb = (old as ConfigMap).binaryData;
  if ((ob || oldb) && JSON.stringify(ob ?? {}) !== JSON.stringify(oldb ?? {})) errs.push(field.forbidden('binaryData', 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  return [...validateImmutableData(cm, old), ...validateConfigMap(cm).filter((e) => !e.field.startsWith('metadata.'))];
}

// ---- Secret ----

const secretTypeRequiredKeys: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(s: Secret): FieldError[] {
  const errs = meta(s, true);
  let total = 0;
  for (const [key, value] of Object.entries(s.data ?? {})) {
    errs.push(...isConfigMapKey(key).map((m) => field.invalid(`data[${key}]`, key, m)));
    total += Buffer.from(value, 'base64').length;
  }
  if (total > maxSecretSize) errs.push(field.tooLong('data', '', maxSecretSize));
  const required = secretTypeRequiredKeys[s.type ?? ''];
  for (const key of required ?? []) if (!(s.data && key in s.data)) errs.push(field.required(`data[${key}]`));
  if (s.type === 'kubernetes.io/service-account-token' && !s.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(field.required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return errs;
}

export function validateSecretUpdate(s: Secret, old: Secret): FieldError[] {
  const errs = validateImmutableField(s.type ?? '', old.type ?? '', 'type');
  errs.push(...validateImmutableData(s, old));
  errs.push(...validateSecret(s).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

// ---- Namespace ----

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = meta(ns, false, nameIsDNSLabel);
  (ns.spec?.finalizers ?? []).forEach((f, i) => errs.push(...validateFinalizerName(f, `spec.finalizers[${i}]`)));
  return errs;
}

function validateFinalizerName(f: string, path: string): FieldError[] {
  const errs = validateQualifiedName(f, path);
  if (!f.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(f)) {
    errs.push(field.invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

// ---- Node ----

export function validateNode(node: Node): FieldError[] {
  const errs = meta(node, false);
  const spec = node.spec ?? {};
  (spec.taints ?? []).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    errs.push(...validateQualifiedName(t.key ?? '', `${p}.key`));
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(field.notSupported(`${p}.effect`, t.effect ?? '', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  const cidrs = spec.podCIDRs ?? [];
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(`spec.podCIDRs[${i}]`, c)));
  if (cidrs.length > 1 && (cidrs.length > 2 || cidrFamilyOf(cidrs[0]) === cidrFamilyOf(cidrs[1]))) {
    errs.push(field.invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  }
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateNode(node).filter((e) => !e.field.startsWith('metadata.'));
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0 && JSON.stringify(node.spec?.podCIDRs ?? []) !== JSON.stringify(oldCIDRs)) {
    errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

// ---- Endpoints ----

function validateEndpointPort(p: EndpointPort, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(field.required(`${path}.name`));
  else if (p.name) errs.push(...validateDNS1123Label(p.name, `${path}.name`));
  errs.push(...isValidPortNum(p.port ?? 0).map((m) => field.invalid(`${path}.port`, p.port ?? 0, m)));
  if (!p.protocol) errs.push(field.required(`${path}.protocol`));
  else if (!['SCTP', 'TCP', 'UDP'].includes(p.protocol)) errs.push(field.notSupported(`${path}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  if (p.appProtocol) errs.push(...validateQualifiedName(p.appProtocol, `${path}.appProtocol`));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = meta(ep, true);
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if ((ss.addresses?.length ?? 0) === 0 && (ss.notReadyAddresses?.length ?? 0) === 0) {
      errs.push(field.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [list, key] of [[ss.addresses, 'addresses'], [ss.notReadyAddresses, 'notReadyAddresses']] as const) {
      (list ?? []).forEach((a, j) => {
        const ap = `${p}.${key}[${j}]`;
        const ipErrs = isValidIPForLegacyField(`${ap}.ip`, a.ip ?? '');
        errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(`${ap}.ip`, a.ip)));
        if (a.hostname) errs.push(...validateDNS1123Label(a.hostname, `${ap}.hostname`));
        if (a.nodeName) errs.push(...validateDNS1123Subdomain(a.nodeName, `${ap}.nodeName`));
      });
    }
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, `${p}.ports[${j}]`)));
  });
  return errs;
}

// ---- EndpointSlice (discovery/v1) ----

const maxEndpoints = 1000;
const maxPorts = 20000;
const maxAddresses = 100;
const supportedAddressTypes = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs = meta(slice, true);
  const addrType = slice.addressType;
  if (!addrType) errs.push(field.required('addressType'));
  else if (!supportedAddressTypes.includes(addrType)) errs.push(field.notSupported('addressType', addrType, supportedAddressTypes));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > maxEndpoints) errs.push(field.tooMany('endpoints', endpoints.length, maxEndpoints));
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(field.required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > maxAddresses) errs.push(field.tooMany(`${p}.addresses`, addrs.length, maxAddresses));
    addrs.forEach((a, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (addrType === 'IPv4' || addrType === 'IPv6') {
        const ipErrs = isValidIPForLegacyField(ap, a);
        if (ipErrs.length) errs.push(...ipErrs);
        else if (ipFamilyOf(a) !== addrType || (addrType === 'IPv4' && a.includes(':'))) {
          errs.push(field.invalid(ap, a, `must be a valid ${addrType} address`));
        }
      } else if (addrType === 'FQDN') {
        errs.push(...validateDNS1123Subdomain(a.replace(/\.$/, ''), ap));
      }
    });
    if (ep.hostname) errs.push(...validateDNS1123Label(ep.hostname, `${p}.hostname`));
    if (ep.nodeName) errs.push(...validateDNS1123Subdomain(ep.nodeName, `${p}.nodeName`));
  });
  const ports = slice.ports ?? [];
  if (ports.length > maxPorts) errs.push(field.tooMany('ports', ports.length, maxPorts));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? '';
    if (name) errs.push(...validateDNS1123Label(name, `${p}.name`));
    if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    else names.add(name);
    if (!port.protocol) errs.push(field.required(`${p}.protocol`));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(field.notSupported(`${p}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    if (port.port !== undefined && port.port !== null) errs.push(...isValidPortNum(port.port).map((m) => field.invalid(`${p}.port`, port.port, m)));
    if (port.appProtocol) errs.push(...validateQualifiedName(port.appProtocol, `${p}.appProtocol`));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = validateEndpointSlice(slice).filter((e) => !e.field.startsWith('metadata.'));
  errs.push(...validateImmutableField(slice.addressType, old.addressType, 'addressType'));
  return errs;
}

// ---- Event (core/v1, legacy shape) ----

export function validateEvent(ev: Event): FieldError[] {
  const errs = meta(ev, true);
  const ns = ev.metadata.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  // An event about a cluster-scoped object lives in "default" (or nowhere, for old clients).
  if (involvedNs === '') {
    if (ns !== '' && ns !== 'default') errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else if (ns !== involvedNs) {
    errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  if (ev.type && !['Normal', 'Warning'].includes(ev.type)) errs.push(field.notSupported('type', ev.type, ['Normal', 'Warning']));
  return errs;
}

// ---- Lease (coordination.k8s.io/v1) ----

export function validateLease(lease: Lease): FieldError[] {
  const errs = meta(lease, true);
  const spec = lease.spec ?? {};
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds !== null && spec.leaseDurationSeconds <= 0) {
    errs.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions !== null && spec.leaseTransitions < 0) {
    errs.push(field.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

