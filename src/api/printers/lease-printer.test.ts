import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseColumns, leaseRow } from './lease-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('printLease shows the holder, empty when nobody holds it', () => {
  assert.deepEqual(leaseColumns.map((c) => c.name), ['Name', 'Holder', 'Age']);
  assert.deepEqual(
    leaseRow({ metadata: { name: 'node-1', creationTimestamp: '2025-01-01T06:50:00Z' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }, now).cells,
    ['node-1', 'node-1', '5h10m'],
  );
  assert.deepEqual(leaseRow({ metadata: { name: 'free' }, spec: {} }, now).cells, ['free', '', '<unknown>']);
});
