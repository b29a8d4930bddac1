import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from '../types.js';
import { daemonSetColumns, daemonSetRow } from './daemonset-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('daemonset columns as upstream: NODE SELECTOR before AGE, wide CONTAINERS IMAGES SELECTOR', () => {
  assert.deepEqual(
    daemonSetColumns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Up-to-date', 'integer', 0],
      ['Available', 'integer', 0],
      ['Node Selector', 'string', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ],
  );
  assert.ok(daemonSetColumns[1].description.startsWith('The total number of nodes that should be running the daemon pod'));
});

// TestPrintDaemonSet.
test('printDaemonSet', () => {
  const ds: DaemonSet = {
    metadata: { name: 'test1', creationTimestamp: '2025-01-01T11:59:50Z' },
    spec: {
      selector: { matchLabels: { foo: 'bar' } },
      template: { spec: { nodeSelector: { 'disk': 'ssd', 'kubernetes.io/os': 'linux' }, containers: [{ name: 'fake-container1', image: 'fake-image1' }, { name: 'fake-container2', image: 'fake-image2' }] } },
    },
    status: { currentNumberScheduled: 2, desiredNumberScheduled: 3, numberReady: 1, numberMisscheduled: 0, updatedNumberScheduled: 2, numberAvailable: 0 },
  };
  assert.deepEqual(daemonSetRow(ds, now).cells, [
    'test1', 3, 2, 1, 2, 0, 'disk=ssd,kubernetes.io/os=linux', '10s',
    'fake-container1,fake-container2', 'fake-image1,fake-image2', 'foo=bar',
  ]);
});

test('daemonset: no node selector prints <none>, a new status is zero', () => {
  const ds: DaemonSet = { metadata: { name: 'fluentd' }, spec: { selector: { matchLabels: { app: 'f' } }, template: { spec: { containers: [] } } } };
  assert.deepEqual(daemonSetRow(ds, now).cells.slice(0, 7), ['fluentd', 0, 0, 0, 0, 0, '<none>']);
});
