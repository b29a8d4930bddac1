import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget } from '../types.js';
import { printTable } from './index.js';
import { podDisruptionBudgetColumns, podDisruptionBudgetRow } from './poddisruptionbudget-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('poddisruptionbudget columns: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE', () => {
  assert.deepEqual(
    podDisruptionBudgetColumns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Min Available', 'string', 0],
      ['Max Unavailable', 'string', 0],
      ['Allowed Disruptions', 'integer', 0],
      ['Age', 'string', 0],
    ],
  );
  assert.equal(printTable('PodDisruptionBudget', [], now).columnDefinitions, podDisruptionBudgetColumns);
});

// TestPrintPodDisruptionBudget.
test('printPodDisruptionBudget: an unset bound prints N/A, a percentage as written', () => {
  const min: PodDisruptionBudget = {
    metadata: { name: 'pdb1', namespace: 'ns1', creationTimestamp: '2025-01-01T11:59:50Z' },
    spec: { minAvailable: 22, selector: { matchLabels: { app: 'x' } } },
    status: { disruptionsAllowed: 5, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  };
  assert.deepEqual(podDisruptionBudgetRow(min, now).cells, ['pdb1', '22', 'N/A', 5, '10s']);
  const max: PodDisruptionBudget = {
    metadata: { name: 'pdb2', creationTimestamp: '2025-01-01T11:59:50Z' },
    spec: { maxUnavailable: '11%' },
    status: { disruptionsAllowed: 5, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  };
  assert.deepEqual(podDisruptionBudgetRow(max, now).cells, ['pdb2', 'N/A', '11%', 5, '10s']);
});
