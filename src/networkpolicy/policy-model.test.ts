import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy, NetworkPolicySpec } from '../api/types.js';
import type { PolicyCluster, PolicyPod } from './policy-cluster.js';
import { judgeConnection } from './policy-model.js';

// Cyclonus' cluster: namespaces x and y, pods a and b in each, labelled pod=<name>, ns=<name>.
function pod(namespace: string, name: string, ip: string): PolicyPod {
  return { namespace, name, labels: { pod: name }, ip, namedPorts: [{ name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' }, { name: 'serve-81-udp', containerPort: 81, protocol: 'UDP' }] };
}
const xa = pod('x', 'a', '10.244.1.2');
const xb = pod('x', 'b', '10.244.1.3');
const ya = pod('y', 'a', '10.244.2.2');
const yb = pod('y', 'b', '10.244.2.3');

function cluster(...specs: [string, NetworkPolicySpec][]): PolicyCluster {
  const policies: NetworkPolicy[] = specs.map(([ns, spec], i) => ({ metadata: { namespace: ns, name: `p${i}` }, spec }));
  return { pods: [xa, xb, ya, yb], namespaceLabels: new Map([['x', { ns: 'x' }], ['y', { ns: 'y' }]]), policies };
}
const allowed = (c: PolicyCluster, from: PolicyPod | string, to: PolicyPod | string, port = 80, protocol = 'TCP') =>
  judgeConnection(c, { from: typeof from === 'string' ? { ip: from } : { pod: from }, to: typeof to === 'string' ? { ip: to } : { pod: to }, port, protocol }).allowed;

describe('NetworkPolicy model', () => {
  test('no policy: everything is allowed', () => {
    const c = cluster();
    assert.equal(allowed(c, xa, yb), true);
    assert.equal(allowed(c, '192.0.2.1', xa, 9999, 'UDP'), true);
  });

  test('deny-all ingress isolates only the selected namespace, and only for ingress', () => {
    const c = cluster(['x', { podSelector: {}, policyTypes: ['Ingress'] }]);
    assert.equal(allowed(c, ya, xa), false);
    assert.equal(allowed(c, xb, xa), false);
    assert.equal(allowed(c, xa, ya), true, 'egress of x is not isolated');
    assert.equal(allowed(c, xa, xa), true, 'a pod reaching itself never leaves it');
  });

  test('policyTypes default: Ingress, plus Egress when egress rules exist', () => {
    const c = cluster(['x', { podSelector: { matchLabels: { pod: 'a' } }, egress: [{ to: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }]);
    assert.equal(allowed(c, xa, xb), true);
    assert.equal(allowed(c, xa, ya), false, 'egress isolated, x/b only');
    assert.equal(allowed(c, xb, xa), false, 'ingress isolated with no ingress rules');
  });

  test('egress rules of a policy whose policyTypes lacks Egress are ignored', () => {
    const c = cluster(['x', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] }]);
    assert.equal(allowed(c, xa, ya), true);
  });

  test('namespaceSelector alone, podSelector alone, and both in one peer (AND) versus two peers (OR)', () => {
    const fromNs = cluster(['x', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }]);
    assert.equal(allowed(fromNs, ya, xa), true);
    assert.equal(allowed(fromNs, yb, xa), true);
    assert.equal(allowed(fromNs, xb, xa), false, 'own namespace is not labelled ns=y');

    const fromPod = cluster(['x', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }]);
    assert.equal(allowed(fromPod, xb, xa), true);
    assert.equal(allowed(fromPod, yb, xa), false, 'podSelector alone means the policy namespace');

    const and = cluster(['x', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] }]);
    assert.equal(allowed(and, yb, xa), true);
    assert.equal(allowed(and, ya, xa), false);
    assert.equal(allowed(and, xb, xa), false);

    const or = cluster(['x', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }] }]);
    assert.equal(allowed(or, ya, xa), true);
    assert.equal(allowed(or, xb, xa), true);
    assert.equal(allowed(or, xa, xb), false, 'x/a is neither in y nor pod=b');
  });

  test('empty namespaceSelector: every namespace', () => {
    const c = cluster(['x', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }]);
    assert.equal(allowed(c, yb, xa), true);
    assert.equal(allowed(c, '192.0.2.7', xa), false, 'an address outside the cluster is no pod of any namespace');
  });

  test('ipBlock with except matches addresses, pod IPs included', () => {
    const c = cluster(['x', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.2.0/24', except: ['10.244.2.3/32'] } }] }] }]);
    assert.equal(allowed(c, ya, xa), true);
    assert.equal(allowed(c, yb, xa), false, 'excepted');
    assert.equal(allowed(c, '10.244.2.200', xa), true);
    assert.equal(allowed(c, '10.244.3.1', xa), false);
  });

  test('ports: number, protocol, endPort, named port resolved on the destination', () => {
    const c = cluster(
      ['x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 81, protocol: 'UDP' }, { port: 8000, endPort: 8010 }] }] }],
      ['y', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] }],
    );
    assert.equal(allowed(c, xb, xa, 81, 'UDP'), true);
    assert.equal(allowed(c, xb, xa, 81, 'TCP'), false, 'TCP is the default protocol, the rule said UDP');
    assert.equal(allowed(c, xb, xa, 8010), true);
    assert.equal(allowed(c, xb, xa, 8011), false);
    assert.equal(allowed(c, ya, yb, 80), true, 'serve-80-tcp resolves on y/b');
    assert.equal(allowed(c, ya, yb, 81), false);
    assert.equal(allowed(c, ya, '192.0.2.1', 80), false, 'a named port never matches an address that is no pod');
  });

  test('both directions must allow; policies are a union', () => {
    const c = cluster(
      ['x', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }],
      ['y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [] }],
      ['y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } }] }] }],
    );
    assert.equal(allowed(c, xb, ya), true, 'x egress to y, and the second y policy allows pod=b');
    assert.equal(allowed(c, xa, ya), false, 'y/a ingress allows only pod=b');
    assert.equal(allowed(c, xa, yb), true);
    assert.equal(allowed(c, xa, xb), false, 'x egress goes to y only');
    const v = judgeConnection(c, { from: { pod: xa }, to: { pod: ya }, port: 80, protocol: 'TCP' });
    assert.deepEqual(v, { egress: true, ingress: false, allowed: false });
  });
});
