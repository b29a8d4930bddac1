import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secretColumns, secretRow } from './secret-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

// TestPrintSecret.
test('printSecret', () => {
  assert.deepEqual(secretColumns.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  const created = '2025-01-01T12:00:01.900Z';
  assert.deepEqual(
    secretRow({ metadata: { name: 'secret1', creationTimestamp: created }, type: 'kubernetes.io/service-account-token', data: { token: 'c2VjcmV0IGRhdGE=' } }, now).cells,
    ['secret1', 'kubernetes.io/service-account-token', 1, '0s'],
  );
  assert.deepEqual(secretRow({ metadata: { name: 'secret1', creationTimestamp: created }, type: 'kubernetes.io/service-account-token' }, now).cells, [
    'secret1', 'kubernetes.io/service-account-token', 0, '0s',
  ]);
});
