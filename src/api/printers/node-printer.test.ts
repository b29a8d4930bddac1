import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../types.js';
import { nodeColumns, nodeRow } from './node-printer.js';

const now = new Date('2025-01-01T12:00:00Z');
const node = (n: Partial<Node> & { name?: string }): Node => ({ metadata: { name: n.name ?? 'foo' , ...n.metadata }, spec: n.spec, status: n.status });

test('node columns', () => {
  assert.deepEqual(
    nodeColumns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0], ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1]],
  );
});

// TestPrintNodeStatus.
test('printNode status', () => {
  const status = (n: Node) => nodeRow(n, now).cells.slice(0, 5);
  const ready = { conditions: [{ type: 'Ready', status: 'True' as const }] };
  const notReady = { conditions: [{ type: 'Ready', status: 'False' as const }] };
  assert.deepEqual(status(node({ name: 'foo1', status: ready })), ['foo1', 'Ready', '<none>', '<unknown>', '']);
  assert.deepEqual(status(node({ name: 'foo2', spec: { unschedulable: true }, status: ready })), ['foo2', 'Ready,SchedulingDisabled', '<none>', '<unknown>', '']);
  assert.deepEqual(status(node({ name: 'foo4', status: notReady })), ['foo4', 'NotReady', '<none>', '<unknown>', '']);
  assert.deepEqual(status(node({ name: 'foo5', spec: { unschedulable: true }, status: notReady })), ['foo5', 'NotReady,SchedulingDisabled', '<none>', '<unknown>', '']);
  assert.deepEqual(status(node({ name: 'foo7', status: { conditions: [{ type: 'MemoryPressure', status: 'True' }] } })), ['foo7', 'Unknown', '<none>', '<unknown>', '']);
  assert.deepEqual(status(node({ name: 'foo9', spec: { unschedulable: true } })), ['foo9', 'Unknown,SchedulingDisabled', '<none>', '<unknown>', '']);
});

test('printNode roles and wide cells', () => {
  const n = node({
    name: 'node-1',
    metadata: {
      name: 'node-1',
      creationTimestamp: '2024-12-22T12:00:00Z',
      labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': '' },
    },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '172.18.0.2' }],
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
        kubeletVersion: 'v1.33.0',
        osImage: 'Ubuntu 24.04 LTS',
        kernelVersion: '6.8.0',
        containerRuntimeVersion: 'kanzen://0.1.0',
      },
    },
  });
  assert.deepEqual(nodeRow(n, now).cells, [
    'node-1', 'Ready', 'control-plane,edge,worker', '10d', 'v1.33.0', '172.18.0.2', '<none>', 'Ubuntu 24.04 LTS', '6.8.0', 'kanzen://0.1.0',
  ]);
  assert.deepEqual(nodeRow(node({ name: 'bare' }), now).cells.slice(5), ['<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});
