import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeMetrics, PodMetrics } from '../types.js';
import { nodeMetricsPrinter, podMetricsPrinter } from './resource-metrics-printer.js';

const now = new Date('2025-01-01T00:00:00Z');

test('metrics-server\'s columns: Name, cpu, memory (quantities), Window (a duration)', () => {
  assert.deepEqual(
    podMetricsPrinter.columns.map((c) => [c.name, c.format]),
    [['Name', 'name'], ['cpu', 'quantity'], ['memory', 'quantity'], ['Window', 'duration']],
  );
  assert.deepEqual(nodeMetricsPrinter.columns, podMetricsPrinter.columns);
});

test('a pod\'s row sums its containers as Quantity.Add does; a node\'s is its usage', () => {
  const pod = {
    metadata: { name: 'web', namespace: 'ns' },
    timestamp: '2025-01-01T00:00:00Z',
    window: '15.004s',
    containers: [
      { name: 'app', usage: { cpu: '1234568n', memory: '4Mi' } },
      { name: 'side', usage: { cpu: '1m', memory: '8Ki' } },
    ],
  } as PodMetrics;
  assert.deepEqual(podMetricsPrinter.row(pod, now).cells, ['web', '2234568n', '4104Ki', '15.004s']);
  const node = { metadata: { name: 'node-1' }, timestamp: '2025-01-01T00:00:00Z', window: '20s', usage: { cpu: '250m', memory: '1635148Ki' } } as NodeMetrics;
  assert.deepEqual(nodeMetricsPrinter.row(node, now).cells, ['node-1', '250m', '1635148Ki', '20s']);
});
