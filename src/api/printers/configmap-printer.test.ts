import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapColumns, configMapRow } from './configmap-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('printConfigMap counts data and binaryData keys', () => {
  assert.deepEqual(configMapColumns.map((c) => c.name), ['Name', 'Data', 'Age']);
  assert.deepEqual(
    configMapRow({ metadata: { name: 'coredns', creationTimestamp: '2024-12-22T12:00:00Z' }, data: { Corefile: '.:53 {}' }, binaryData: { blob: 'AA==' } }, now).cells,
    ['coredns', 2, '10d'],
  );
  assert.deepEqual(configMapRow({ metadata: { name: 'empty' } }, now).cells, ['empty', 0, '<unknown>']);
});
