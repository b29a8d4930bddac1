import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceAccountColumns, serviceAccountRow } from './serviceaccount-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

// TestPrintServiceAccount.
test('printServiceAccount counts secrets', () => {
  assert.deepEqual(serviceAccountColumns.map((c) => c.name), ['Name', 'Secrets', 'Age']);
  const created = '2025-01-01T12:00:01.900Z';
  assert.deepEqual(serviceAccountRow({ metadata: { name: 'sa1', creationTimestamp: created }, secrets: [] }, now).cells, ['sa1', 0, '0s']);
  assert.deepEqual(
    serviceAccountRow({ metadata: { name: 'sa1', creationTimestamp: created }, secrets: [{ name: 'Secret1' }, { name: 'Secret2' }] }, now).cells,
    ['sa1', 2, '0s'],
  );
  assert.deepEqual(serviceAccountRow({ metadata: { name: 'default' } }, now).cells, ['default', 0, '<unknown>']);
});
