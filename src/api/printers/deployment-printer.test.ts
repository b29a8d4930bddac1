import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from '../types.js';
import { deploymentColumns, deploymentRow } from './deployment-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

function deployment(status: Deployment['status'], selector: Deployment['spec']['selector'] = { matchLabels: { app: 'web-app' } }): Deployment {
  return {
    metadata: { name: 'web-app', creationTimestamp: '2025-01-01T11:58:00Z' },
    spec: {
      replicas: 3,
      selector,
      template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26-alpine' }, { name: 'sidecar', image: 'busybox' }] } },
    },
    status,
  };
}

test('deployment columns', () => {
  assert.deepEqual(
    deploymentColumns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Up-to-date', 'string', 0],
      ['Available', 'string', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ],
  );
});

test('deployment row: READY ready/desired, counts as integers, wide cells', () => {
  assert.deepEqual(deploymentRow(deployment({ replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 }), now).cells, [
    'web-app', '2/3', 3, 2, '2m', 'nginx,sidecar', 'nginx:1.26-alpine,busybox', 'app=web-app',
  ]);
  // A fresh Deployment without status.
  assert.deepEqual(deploymentRow(deployment(undefined), now).cells.slice(1, 4), ['0/3', 0, 0]);
});

test('deployment selector: expressions, empty prints "" (not <none>), invalid prints <invalid>', () => {
  assert.equal(
    deploymentRow(deployment({}, { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }), now).cells[7],
    'app=web,tier in (a,b)',
  );
  assert.equal(deploymentRow(deployment({}, {}), now).cells[7], '');
  assert.equal(deploymentRow(deployment({}, { matchExpressions: [{ key: 'x', operator: 'In', values: [] }] }), now).cells[7], '<invalid>');
});

test('selector cell is LabelSelectorAsSelector(...).String(): empty is "", invalid is <invalid>', () => {
  const selectorCell = (selector: Deployment['spec']['selector']) => deploymentRow(deployment({}, selector), now).cells[7];
  assert.equal(selectorCell({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(selectorCell({}), '');
  assert.equal(selectorCell({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), '<invalid>');
});
