import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourceMetrics, renderResourceMetrics } from '../../api/resource-metrics-text.js';
import type { NodeResourceUsage } from '../../api/node-resource-usage.js';
import { cpuQuantity, memoryQuantity, nodeMetrics, podMetrics } from './resource-metrics.js';

const reading = (sec: number, cpu: number, containers: [string, string, number, number][]): NodeResourceUsage => ({
  time: new Date(Date.UTC(2025, 0, 1, 0, 0, sec)),
  node: { cpuCoreSeconds: cpu, memoryWorkingSetBytes: 1 << 30 },
  containers: containers.map(([pod, container, c, m]) => ({ namespace: 'ns', pod, container, cpuCoreSeconds: c, memoryWorkingSetBytes: m })),
});

test('quantities as metrics-server writes them: nanocores, BinarySI bytes', () => {
  assert.equal(cpuQuantity(0.0012345678), '1234568n');
  assert.equal(cpuQuantity(-1), '0');
  assert.equal(cpuQuantity(0.002), '2m');
  assert.equal(cpuQuantity(0.2), '200m');
  assert.equal(memoryQuantity(1000000), '1000000');
  assert.equal(memoryQuantity(4 * 1024 * 1024), '4Mi');
  assert.equal(memoryQuantity(1635148 * 1024), '1635148Ki');
  assert.equal(memoryQuantity(1000), '1000');
  assert.equal(memoryQuantity(0), '0');
});

test('usage over the window between two readings; a container seen once keeps its pod out', () => {
  const prev = reading(0, 100, [['a', 'app', 10, 1], ['a', 'side', 1, 1], ['b', 'app', 5, 1]]);
  const cur = reading(15, 103, [['a', 'app', 10.75, 8192], ['a', 'side', 1, 4096], ['b', 'app', 5.15, 4096], ['c', 'app', 1, 4096]]);
  const now = new Date('2025-01-01T00:00:20Z');
  const node = nodeMetrics({ node: 'node-1', labels: { a: 'b' }, prev, cur }, now)!;
  assert.deepEqual([node.usage, node.window, node.timestamp, node.metadata.labels], [{ cpu: '200m', memory: '1Gi' }, '15s', '2025-01-01T00:00:15Z', { a: 'b' }]);
  const pods = podMetrics({ node: 'node-1', prev, cur }, now);
  assert.deepEqual(pods.map((p) => p.metadata.name), ['a', 'b']);
  assert.deepEqual(pods[0].containers, [
    { name: 'app', usage: { cpu: '50m', memory: '8Ki' } },
    { name: 'side', usage: { cpu: '0', memory: '4Ki' } },
  ]);
  assert.equal(pods[1].containers[0].usage.cpu, '10m');
  // A restarted container's counter went back: no rate, no pod this window.
  assert.deepEqual(podMetrics({ node: 'n', prev: cur, cur: reading(30, 104, [['b', 'app', 0.1, 1]]) }, now), []);
});

test('/metrics/resource text reads back as it was written', () => {
  const usage = reading(7, 12.5, [['web-1', 'nginx', 1.25, 4096], ['q"x', 'c', 2, 8]]);
  const text = renderResourceMetrics(usage);
  assert.match(text, /^container_cpu_usage_seconds_total\{container="nginx",namespace="ns",pod="web-1"\} 1.25 1735689607000$/m);
  assert.match(text, /^node_memory_working_set_bytes 1073741824 1735689607000$/m);
  assert.deepEqual(parseResourceMetrics(text), usage);
});
