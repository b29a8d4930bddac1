import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress, IngressClass, NetworkPolicy } from '../types.js';
import { formatHosts, ingressPrinter } from './ingress-printer.js';
import { ingressClassPrinter } from './ingressclass-printer.js';
import { networkPolicyPrinter } from './networkpolicy-printer.js';

const now = new Date('2026-12-07T12:00:00Z');
const created = '2026-12-07T11:55:00Z';

test('Ingress columns: NAME CLASS HOSTS ADDRESS PORTS AGE, as kubectl get ingress prints them', () => {
  assert.deepEqual(ingressPrinter.columns.map((c) => c.name), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  const ing: Ingress = {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: created },
    spec: { rules: [{ host: 'foo.example.com' }, { host: 'bar.example.com' }], tls: [{ hosts: ['foo.example.com'] }] },
    status: { loadBalancer: { ingress: [{ ip: '127.0.100.2' }, { ip: '127.0.100.1' }, { ip: '127.0.100.1' }] } },
  };
  assert.deepEqual(ingressPrinter.row(ing, now).cells, ['web', '<none>', 'foo.example.com,bar.example.com', '127.0.100.1,127.0.100.2', '80, 443', '5m']);
  const plain: Ingress = { metadata: { name: 'd', creationTimestamp: created }, spec: { ingressClassName: 'kanzen', defaultBackend: { service: { name: 'web', port: { number: 80 } } } } };
  assert.deepEqual(ingressPrinter.row(plain, now).cells, ['d', 'kanzen', '*', '', '80', '5m']);
});

test('formatHosts: three hosts, then "+ N more..." counting every rule', () => {
  const rules = ['a', '', 'b', 'c', 'd', 'e'].map((host) => ({ host }));
  assert.equal(formatHosts(rules), 'a,b,c + 3 more...');
  assert.equal(formatHosts([{ host: '' }]), '*');
});

test('IngressClass columns: NAME CONTROLLER PARAMETERS AGE; parameters as Kind.group/name', () => {
  assert.deepEqual(ingressClassPrinter.columns.map((c) => c.name), ['Name', 'Controller', 'Parameters', 'Age']);
  const ic: IngressClass = {
    metadata: { name: 'external-lb', creationTimestamp: created },
    spec: { controller: 'example.com/ingress-controller', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } },
  };
  assert.deepEqual(ingressClassPrinter.row(ic, now).cells, ['external-lb', 'example.com/ingress-controller', 'IngressParameters.k8s.example.com/external-lb', '5m']);
  const core: IngressClass = { metadata: { name: 'k', creationTimestamp: created }, spec: { controller: 'k8s.io/k', parameters: { kind: 'ConfigMap', name: 'cfg', scope: 'Namespace', namespace: 'x' } } };
  assert.equal(ingressClassPrinter.row(core, now).cells[2], 'ConfigMap/cfg');
  assert.equal(ingressClassPrinter.row({ metadata: { name: 'n' }, spec: { controller: 'k8s.io/n' } }, now).cells[2], '<none>');
});

test('NetworkPolicy columns: NAME POD-SELECTOR AGE; an empty selector is <none>', () => {
  assert.deepEqual(networkPolicyPrinter.columns.map((c) => c.name), ['Name', 'Pod-Selector', 'Age']);
  const np: NetworkPolicy = { metadata: { name: 'db', creationTimestamp: created }, spec: { podSelector: { matchLabels: { role: 'db' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] } } };
  assert.deepEqual(networkPolicyPrinter.row(np, now).cells, ['db', 'role=db,tier in (a,b)', '5m']);
  assert.equal(networkPolicyPrinter.row({ metadata: { name: 'all' }, spec: { podSelector: {} } }, now).cells[1], '<none>');
});
