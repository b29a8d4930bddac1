import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { Ingress, IngressClass, IngressSpec, NetworkPolicy, NetworkPolicySpec } from '../types.js';
import { defaultIngressClass, defaultNetworkPolicy } from '../defaults/networking.js';
import {
  validateIngress,
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressStatusUpdate,
  validateIngressUpdate,
  validateNetworkPolicy,
  validateNetworkPolicyUpdate,
} from './networking-validation.js';

const ingress = (spec: IngressSpec, annotations?: Record<string, string>): Ingress => ({ metadata: { name: 'web', namespace: 'default', annotations }, spec });
const policy = (spec: NetworkPolicySpec): NetworkPolicy => ({ metadata: { name: 'np', namespace: 'default' }, spec });
const ingressMessages = (i: Ingress) => validateIngress(i).map(fieldErrorString);
const policyMessages = (p: NetworkPolicy) => validateNetworkPolicy(p).map(fieldErrorString);
const svc = (name: string, port: { name?: string; number?: number }) => ({ service: { name, port } });

test('an Ingress with rules, a default backend, TLS and a wildcard host is valid', () => {
  const spec: IngressSpec = {
    ingressClassName: 'kanzen',
    defaultBackend: svc('default-http', { number: 80 }),
    tls: [{ hosts: ['foo.example.com', '*.example.com'], secretName: 'tls-cert' }],
    rules: [
      { host: 'foo.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('web', { name: 'http' }) }] } },
      { host: '*.example.com', http: { paths: [{ pathType: 'ImplementationSpecific', backend: svc('web', { number: 8080 }) }] } },
    ],
  };
  assert.deepEqual(ingressMessages(ingress(spec)), []);
});

test('neither rules nor a default backend: spec is invalid, with the rules as Go prints them', () => {
  assert.deepEqual(ingressMessages(ingress({})), ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
  assert.deepEqual(ingressMessages(ingress({ rules: [] })), ['spec: Invalid value: []networking.IngressRule{}: either `defaultBackend` or `rules` must be specified']);
});

test('pathType has no default in v1: it is required, and decides what the path may be', () => {
  const paths = (p: object) => ingress({ rules: [{ http: { paths: [{ backend: svc('web', { number: 80 }), ...p } as never] } }] });
  assert.deepEqual(ingressMessages(paths({ path: '/' })), ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  assert.deepEqual(ingressMessages(paths({ path: 'foo', pathType: 'Prefix' })), ['spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path']);
  assert.deepEqual(ingressMessages(paths({ path: '/a//b/..', pathType: 'Exact' })), [
    `spec.rules[0].http.paths[0].path: Invalid value: "/a//b/..": must not contain '//'`,
    `spec.rules[0].http.paths[0].path: Invalid value: "/a//b/..": cannot end with '/..'`,
  ]);
  assert.deepEqual(ingressMessages(paths({ path: 'x', pathType: 'ImplementationSpecific' })), ['spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path']);
  assert.deepEqual(ingressMessages(paths({ path: '/', pathType: 'Regex' })), [
    'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
  ]);
  assert.deepEqual(ingressMessages(ingress({ rules: [{ host: 'a.com', http: { paths: [] } }] })), ['spec.rules[0].http.paths: Required value']);
});

test('hosts: DNS names, a leading wildcard label, never IP addresses', () => {
  const host = (h: string) => ingressMessages(ingress({ rules: [{ host: h }] }));
  assert.deepEqual(host('1.2.3.4'), [
    'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
  ]);
  assert.deepEqual(host('*.*.example.com'), [
    `spec.rules[0].host: Invalid value: "*.*.example.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(host('Foo.com'), [
    `spec.rules[0].host: Invalid value: "Foo.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
});

test('backends: one of service or resource, a DNS-1035 service name, one of port name or number', () => {
  const backend = (b: object) => ingressMessages(ingress({ defaultBackend: b as never }));
  assert.deepEqual(backend({}), ['spec.defaultBackend: Invalid value: "": resource or service backend is required']);
  assert.deepEqual(backend({ ...svc('web', { number: 80 }), resource: { kind: 'Bucket', name: 'b' } }), ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends']);
  assert.deepEqual(backend(svc('web', { name: 'http', number: 80 })), ['spec.defaultBackend: Invalid value: "": cannot set both port name & port number']);
  assert.deepEqual(backend(svc('web', {})), ['spec.defaultBackend: Required value: port name or number is required']);
  assert.deepEqual(backend(svc('1web', { number: 70000 })), [
    `spec.defaultBackend.service.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    'spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(backend({ resource: { apiGroup: 'k8s.example.com', kind: 'Storage/Bucket', name: '' } }), [
    `spec.defaultBackend.resource.kind: Invalid value: "Storage/Bucket": may not contain '/'`,
    'spec.defaultBackend.resource.name: Required value',
  ]);
});

test('TLS secret names, the class name, and the legacy class annotation that must agree with it', () => {
  assert.deepEqual(ingressMessages(ingress({ defaultBackend: svc('web', { number: 80 }), tls: [{ secretName: 'Bad_Name' }] })), [
    `spec.tls[0].secretName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(ingressMessages(ingress({ ingressClassName: 'nginx', defaultBackend: svc('web', { number: 80 }) }, { 'kubernetes.io/ingress.class': 'traefik' })), [
    'annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified',
  ]);
});

test('an update keeps what the old Ingress already had (invalid TLS secret names); status IPs and hostnames', () => {
  const old = ingress({ defaultBackend: svc('web', { number: 80 }), tls: [{ secretName: 'Bad_Name' }] });
  old.metadata.resourceVersion = '1';
  const updated = structuredClone(old);
  assert.deepEqual(validateIngressUpdate(updated, old).map(fieldErrorString), []);
  updated.status = { loadBalancer: { ingress: [{ ip: '127.0.100.1' }, { hostname: '10.0.0.1' }, { ip: 'nope' }] } };
  assert.deepEqual(validateIngressStatusUpdate(updated, old).map(fieldErrorString), [
    'status.loadBalancer.ingress[1].hostname: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    'status.loadBalancer.ingress[2].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
});

test('IngressClass: a domain-prefixed controller, fixed once created; parameters with a scope', () => {
  const ic = (spec: IngressClass['spec']): IngressClass => ({ metadata: { name: 'kanzen' }, spec });
  assert.deepEqual(validateIngressClass(ic({ controller: 'kanzen.io/ingress-controller' })).map(fieldErrorString), []);
  assert.deepEqual(validateIngressClass(ic({})).map(fieldErrorString), ['spec.controller: Required value']);
  assert.deepEqual(validateIngressClass(ic({ controller: 'nginx' })).map(fieldErrorString), ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']);
  assert.deepEqual(validateIngressClass(ic({ controller: `k8s.io/${'a'.repeat(250)}` })).map(fieldErrorString), ['spec.controller: Too long: may not be more than 250 bytes']);
  const withParams = ic({ controller: 'k8s.io/x', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } });
  defaultIngressClass(withParams);
  assert.equal(withParams.spec.parameters?.scope, 'Cluster');
  assert.deepEqual(validateIngressClass(withParams).map(fieldErrorString), []);
  const namespaced = ic({ controller: 'k8s.io/x', parameters: { kind: 'P', name: 'p', scope: 'Namespace' } });
  assert.deepEqual(validateIngressClass(namespaced).map(fieldErrorString), ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]);
  const cluster = ic({ controller: 'k8s.io/x', parameters: { kind: 'P', name: 'p', scope: 'Cluster', namespace: 'default' } });
  assert.deepEqual(validateIngressClass(cluster).map(fieldErrorString), ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"]);
  const bad = ic({ controller: 'k8s.io/x', parameters: { kind: 'P', name: 'p', scope: 'Global' } });
  assert.deepEqual(validateIngressClass(bad).map(fieldErrorString), ['spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"']);
  const old = ic({ controller: 'k8s.io/x' });
  old.metadata.resourceVersion = '1';
  const changed = { ...structuredClone(old), spec: { controller: 'k8s.io/y' } };
  assert.deepEqual(validateIngressClassUpdate(changed, old).map(fieldErrorString), ['spec.controller: Invalid value: "k8s.io/y": field is immutable']);
});

test('NetworkPolicy defaults: policyTypes from the rules, port protocol TCP, an empty podSelector', () => {
  const ingressOnly = { metadata: { name: 'a' }, spec: { ingress: [{ ports: [{ port: 80 }] }] } } as unknown as NetworkPolicy;
  defaultNetworkPolicy(ingressOnly);
  assert.deepEqual(ingressOnly.spec, { ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }], podSelector: {}, policyTypes: ['Ingress'] });
  const egress = policy({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }] });
  defaultNetworkPolicy(egress);
  assert.deepEqual(egress.spec.policyTypes, ['Ingress', 'Egress']);
  const explicit = policy({ podSelector: {}, egress: [{}], policyTypes: ['Egress'] });
  defaultNetworkPolicy(explicit);
  assert.deepEqual(explicit.spec.policyTypes, ['Egress']);
});

test('NetworkPolicy ports: protocol, numbers, names, endPort', () => {
  const port = (p: object) => policyMessages(policy({ podSelector: {}, ingress: [{ ports: [p as never] }] }));
  assert.deepEqual(port({ protocol: 'TCP', port: 32000, endPort: 32768 }), []);
  assert.deepEqual(port({ protocol: 'ICMP', port: 80 }), ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']);
  assert.deepEqual(port({ port: 80, endPort: 70 }), ['spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`']);
  assert.deepEqual(port({ port: 'http', endPort: 90 }), ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric']);
  assert.deepEqual(port({ endPort: 90 }), ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified']);
  assert.deepEqual(port({ port: 'a-very-long-port-name' }), ['spec.ingress[0].ports[0].port: Invalid value: "a-very-long-port-name": must be no more than 15 characters']);
  assert.deepEqual(port({ port: 0 }), ['spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']);
});

test('NetworkPolicy peers: at least one, ipBlock alone, except strictly inside cidr', () => {
  const from = (peer: object) => policyMessages(policy({ podSelector: {}, ingress: [{ from: [peer as never] }] }));
  assert.deepEqual(from({ podSelector: {}, namespaceSelector: { matchLabels: { team: 'a' } } }), []);
  assert.deepEqual(from({}), ['spec.ingress[0].from[0]: Required value: must specify a peer']);
  assert.deepEqual(from({ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }), ['spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer']);
  assert.deepEqual(from({ ipBlock: { cidr: '' } }), ['spec.ingress[0].from[0].ipBlock.cidr: Required value']);
  assert.deepEqual(from({ ipBlock: { cidr: '10.0.0.0' } }), ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  assert.deepEqual(from({ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24', '172.18.0.0/24', '172.17.0.0/16'] } }), [
    'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "172.18.0.0/24": must be a strict subset of `cidr`',
    'spec.ingress[0].from[0].ipBlock.except[2]: Invalid value: "172.17.0.0/16": must be a strict subset of `cidr`',
  ]);
  assert.deepEqual(from({ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48', '2001:db9::/48', '10.0.0.0/8'] } }), [
    'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "2001:db9::/48": must be a strict subset of `cidr`',
    'spec.ingress[0].from[0].ipBlock.except[2]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
  ]);
  // Legacy CIDR parsing: host bits set are allowed in 1.33 (StrictIPCIDRValidation is off).
  assert.deepEqual(from({ ipBlock: { cidr: '10.1.2.3/8', except: ['10.1.2.0/24'] } }), []);
  const egress = policyMessages(policy({ podSelector: {}, egress: [{ to: [{}] }] }));
  assert.deepEqual(egress, ['spec.egress[0].to[0]: Required value: must specify a peer']);
});

test('NetworkPolicy policyTypes: Ingress and Egress only, at most two', () => {
  assert.deepEqual(policyMessages(policy({ podSelector: {}, policyTypes: ['Foo' as never] })), [
    'spec.policyTypes[0]: Unsupported value: "Foo": supported values: "Ingress", "Egress"',
  ]);
  assert.deepEqual(policyMessages(policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] })), [
    'spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes',
  ]);
});

test('NetworkPolicy update: CIDRs the old policy held stay allowed', () => {
  const old = policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] });
  old.metadata.resourceVersion = '1';
  const updated = structuredClone(old);
  updated.spec.ingress?.push({ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] });
  assert.deepEqual(validateNetworkPolicyUpdate(updated, old).map(fieldErrorString), []);
  updated.spec.ingress?.push({ from: [{ ipBlock: { cidr: '10.0.0.0/34' } }] });
  assert.deepEqual(validateNetworkPolicyUpdate(updated, old).map(fieldErrorString), [
    'spec.ingress[2].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/34": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  ]);
});
