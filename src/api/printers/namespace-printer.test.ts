import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceColumns, namespaceRow } from './namespace-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

// TestPrintNamespace: a creation time 1.9s ahead of the clock still prints 0s.
test('printNamespace', () => {
  assert.deepEqual(namespaceColumns.map((c) => c.name), ['Name', 'Status', 'Age']);
  assert.deepEqual(
    namespaceRow({ metadata: { name: 'namespace1', creationTimestamp: '2025-01-01T12:00:01.900Z' }, status: { phase: 'FooStatus' as never } }, now).cells,
    ['namespace1', 'FooStatus', '0s'],
  );
  assert.deepEqual(namespaceRow({ metadata: { name: 'namespace2' } }, now).cells, ['namespace2', '', '<unknown>']);
  assert.deepEqual(
    namespaceRow({ metadata: { name: 'dev', creationTimestamp: '2024-11-17T12:00:00Z', deletionTimestamp: '2025-01-01T11:59:00Z' }, status: { phase: 'Terminating' } }, now).cells,
    ['dev', 'Terminating', '45d'],
  );
});
