import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from '../types.js';
import { replicaSetColumns, replicaSetRow } from './replicaset-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('replicaset columns: integer counts', () => {
  assert.deepEqual(
    replicaSetColumns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ],
  );
});

// TestPrintReplicaSet.
test('printReplicaSet', () => {
  const rs: ReplicaSet = {
    metadata: { name: 'test1', creationTimestamp: '2025-01-01T12:00:01.900Z' },
    spec: {
      replicas: 5,
      selector: { matchLabels: { foo: 'bar' } },
      template: { spec: { containers: [{ name: 'fake-container1', image: 'fake-image1' }, { name: 'fake-container2', image: 'fake-image2' }] } },
    },
    status: { replicas: 5, readyReplicas: 2 },
  };
  assert.deepEqual(replicaSetRow(rs, now).cells, ['test1', 5, 5, 2, '0s', 'fake-container1,fake-container2', 'fake-image1,fake-image2', 'foo=bar']);
});

test('replicaset: empty selector prints <none>, missing status is zero', () => {
  const rs: ReplicaSet = { metadata: { name: 'web-app-7b8c9d5f6b' }, spec: { replicas: 3, selector: {} } };
  assert.deepEqual(replicaSetRow(rs, now).cells, ['web-app-7b8c9d5f6b', 3, 0, 0, '<unknown>', '', '', '<none>']);
});
