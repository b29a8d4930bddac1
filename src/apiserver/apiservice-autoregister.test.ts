import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAPIService } from '../api/validation/apiregistration-validation.js';
import { autoregisteredAPIServices, localAPIService } from './apiservice-autoregister.js';

test('a Local APIService per served group/version with upstream\'s priorities, and metrics-server\'s', () => {
  const all = autoregisteredAPIServices();
  const names = all.map((s) => s.metadata.name);
  for (const n of ['v1.', 'v1.apps', 'v1.apiregistration.k8s.io', 'v1.batch', 'v1.discovery.k8s.io', 'v1beta1.metrics.k8s.io']) assert.ok(names.includes(n), n);
  for (const s of all) assert.deepEqual(validateAPIService(s), [], s.metadata.name);
  assert.deepEqual(localAPIService('apps', 'v1')?.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
  assert.deepEqual(localAPIService('', 'v1')?.spec, { group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 });
  const metrics = all.find((s) => s.metadata.name === 'v1beta1.metrics.k8s.io')!;
  assert.deepEqual(metrics.spec.service, { namespace: 'kube-system', name: 'metrics-server', port: 443 });
});
