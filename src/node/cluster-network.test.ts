import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressInCIDR } from '../api/ipv4.js';
import {
  assertClusterName,
  clusterBridgeName,
  clusterNetnsKind,
  nodeNetnsName,
  planClusterNetwork,
  podNetnsName,
  podVethName,
  routerNetnsName,
  routerVethName,
} from './cluster-network.js';

test('namespace names carry the cluster name', () => {
  assert.equal(routerNetnsName('kanzen'), 'kz-kanzen-net');
  assert.equal(nodeNetnsName('kanzen', 2), 'kz-kanzen-node-2');
  assert.match(podNetnsName('kanzen', '6f1c2a4e-0000-4000-8000-000000000001'), /^kz-kanzen-pod-[0-9a-f]{12}$/);
  // Stable: the same pod always maps to the same namespace (a restarted agent finds it).
  assert.equal(podNetnsName('kanzen', 'u1'), podNetnsName('kanzen', 'u1'));
  assert.notEqual(podNetnsName('kanzen', 'u1'), podNetnsName('kanzen', 'u2'));
});

test('interface names fit IFNAMSIZ and differ between clusters', () => {
  for (const name of [clusterBridgeName('a'), routerVethName('a', 250), podVethName('a', 'some-uid')]) {
    assert.ok(name.length <= 15, name);
  }
  assert.notEqual(clusterBridgeName('a'), clusterBridgeName('b'));
  assert.notEqual(podVethName('a', 'u'), podVethName('b', 'u'));
  assert.match(routerVethName('kanzen', 1), /^kz[0-9a-f]{6}n1$/);
});

test('clusterNetnsKind recognises only its own cluster', () => {
  assert.deepEqual(clusterNetnsKind('a', 'kz-a-net'), { kind: 'router' });
  assert.deepEqual(clusterNetnsKind('a', 'kz-a-node-3'), { kind: 'node', index: 3 });
  assert.deepEqual(clusterNetnsKind('a', podNetnsName('a', 'x')), { kind: 'pod', shortID: podNetnsName('a', 'x').slice('kz-a-pod-'.length) });
  // Names of clusters whose names extend "a" never match "a".
  for (const other of ['a-node', 'a-pod', 'a-net', 'a-node-1']) {
    for (const name of [routerNetnsName(other), nodeNetnsName(other, 1), podNetnsName(other, 'x')]) {
      assert.equal(clusterNetnsKind('a', name), undefined, `${name} must not belong to cluster a`);
    }
  }
  assert.equal(clusterNetnsKind('a', 'kz-a-node-0'), undefined);
  assert.equal(clusterNetnsKind('a', 'kz-a-pod-XYZ'), undefined);
  assert.equal(clusterNetnsKind('a', 'other'), undefined);
});

test('cluster names must be DNS labels', () => {
  assertClusterName('kanzen');
  assertClusterName('my-cluster-2');
  for (const bad of ['', 'Kanzen', 'a_b', '-a', 'a-', 'a b', 'a/b', 'x'.repeat(41)]) {
    assert.throws(() => assertClusterName(bad), /invalid cluster name/);
  }
});

test('planClusterNetwork: kind-like node network, one /24 of pods per node', () => {
  const net = planClusterNetwork({ cluster: 'kanzen', nodes: 2 });
  assert.equal(net.apiServerAddress, '172.18.0.1');
  assert.equal(net.serviceCIDR, '10.96.0.0/12');
  assert.deepEqual(
    net.nodes.map((n) => [n.nodeName, n.netns, n.nodeIP, n.podCIDR, n.podGateway, n.podBridge]),
    [
      ['node-1', 'kz-kanzen-node-1', '172.18.0.2', '10.244.1.0/24', '10.244.1.1', 'kzbr0'],
      ['node-2', 'kz-kanzen-node-2', '172.18.0.3', '10.244.2.0/24', '10.244.2.1', 'kzbr0'],
    ],
  );
  assert.equal(addressInCIDR('10.96.0.0/12', 10), '10.96.0.10');
  assert.throws(() => planClusterNetwork({ cluster: 'kanzen', nodes: 0 }), /invalid node count/);
});
