import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '../types.js';
import { defaultPrinter, printTable } from './index.js';
import { podPrinter } from './pod-printer.js';
import { scalePrinter } from './scale-printer.js';
import { servicePrinter } from './service-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('printTable: the printer\'s columns, one row per object, all cells present', () => {
  const pods: Pod[] = ['a', 'b'].map((name) => ({
    metadata: { name, creationTimestamp: '2025-01-01T11:00:00Z' },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: 'Pending' },
  }));
  const t = printTable(podPrinter, pods, now);
  assert.equal(t.columnDefinitions.length, 9);
  assert.deepEqual(t.rows.map((r) => r.cells.length), [9, 9]);
  assert.deepEqual(t.rows.map((r) => r.cells[0]), ['a', 'b']);
  assert.equal(t.rows[1].object, pods[1]);
  assert.deepEqual(t.columnDefinitions[0], {
    name: 'Name',
    type: 'string',
    format: 'name',
    description:
      'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
    priority: 0,
  });
  assert.equal(printTable(servicePrinter, [], now).columnDefinitions[1].name, 'Type');
  assert.deepEqual(printTable(servicePrinter, [], now).rows, []);
});

test('the API server default printer: Name and Created At (RFC3339)', () => {
  const obj: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', creationTimestamp: '2024-06-01T08:30:00Z' } };
  const t = printTable(defaultPrinter, [obj], now);
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(t.rows[0].cells, ['w', '2024-06-01T08:30:00Z']);
});

test('Scale rows', () => {
  const t = printTable(scalePrinter, [{ metadata: { name: 'web' }, spec: { replicas: 5 }, status: { replicas: 3, selector: 'app=web' } } as KubeObject], now);
  assert.equal(t.columnDefinitions[0].format, '');
  assert.deepEqual(t.rows[0].cells, ['web', 5, 3, '<unknown>']);
});
