import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiServiceColumns, apiServiceRow } from './apiservice-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('APIService rows: Local or namespace/name, the Available status with its reason when not True', () => {
  assert.deepEqual(apiServiceColumns.map((c) => c.name), ['Name', 'Service', 'Available', 'Age']);
  const local = { metadata: { name: 'v1.apps', creationTimestamp: '2025-01-01T11:00:00Z' }, spec: { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 }, status: { conditions: [{ type: 'Available', status: 'True' as const, reason: 'Local' }] } };
  assert.deepEqual(apiServiceRow(local, now).cells, ['v1.apps', 'Local', 'True', '60m']);
  const remote = {
    metadata: { name: 'v1beta1.metrics.k8s.io', creationTimestamp: '2025-01-01T11:59:00Z' },
    spec: { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'metrics-server' }, groupPriorityMinimum: 100, versionPriority: 100 },
    status: { conditions: [{ type: 'Available', status: 'False' as const, reason: 'MissingEndpoints' }] },
  };
  assert.deepEqual(apiServiceRow(remote, now).cells, ['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'False (MissingEndpoints)', '60s']);
  assert.deepEqual(apiServiceRow({ ...remote, status: {} }, now).cells.slice(2, 3), ['Unknown']);
});
