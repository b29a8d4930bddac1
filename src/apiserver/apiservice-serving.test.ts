import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../api/resources.js';
import type { APIService, Service } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { fileApiFixture } from '../testing/api-fixture.js';
import { waitFor } from '../testing/wait.js';

const api = fileApiFixture();
const apiServices = resourceFor('apiservices', 'apiregistration.k8s.io');
const available = async (name: string) => {
  const svc = await api.client.get<APIService>(apiServices, undefined, name);
  const c = svc.status?.conditions?.find((x) => x.type === 'Available');
  return c && [c.status, c.reason];
};
const status = async (path: string) => (await api.client.transport.request('GET', path)).status;

test('the built-in groups are Local and Available; metrics.k8s.io is served behind metrics-server\'s Service', async () => {
  await waitFor(async () => (await available('v1.apps'))?.[0] === 'True');
  assert.deepEqual(await available('v1.apps'), ['True', 'Local']);
  await waitFor(async () => (await available('v1beta1.metrics.k8s.io'))?.[1] === 'Passed');
  assert.ok(findResource('metrics.k8s.io', 'v1beta1', 'pods'));
  assert.equal(await status('/apis/metrics.k8s.io/v1beta1/nodes'), 200);
});

test('without its Service the metrics APIService is not Available and its group answers 503; with it again, 200', async () => {
  const services = resourceFor('services');
  const saved = await api.client.get<Service>(services, 'kube-system', 'metrics-server');
  await api.client.delete(services, 'kube-system', 'metrics-server');
  await waitFor(async () => (await available('v1beta1.metrics.k8s.io'))?.[1] === 'ServiceNotFound');
  assert.equal(await status('/apis/metrics.k8s.io/v1beta1/nodes'), 503);
  assert.equal(await status('/apis/metrics.k8s.io/v1beta1'), 503);
  await api.client.create(services, 'kube-system', { ...saved, metadata: { name: saved.metadata.name, namespace: 'kube-system', labels: saved.metadata.labels } });
  await waitFor(async () => (await available('v1beta1.metrics.k8s.io'))?.[1] === 'Passed');
  assert.equal(await status('/apis/metrics.k8s.io/v1beta1/nodes'), 200);
});

test('deleting the APIService takes the group out of discovery and routing; creating it brings it back', async () => {
  const saved = await api.client.get<APIService>(apiServices, undefined, 'v1beta1.metrics.k8s.io');
  await api.client.delete(apiServices, undefined, 'v1beta1.metrics.k8s.io');
  await waitFor(() => !findResource('metrics.k8s.io', 'v1beta1', 'nodes'));
  assert.equal(await status('/apis/metrics.k8s.io/v1beta1/nodes'), 404);
  assert.equal(await status('/apis/metrics.k8s.io'), 404);
  await api.client.create(apiServices, undefined, { ...saved, metadata: { name: saved.metadata.name, labels: saved.metadata.labels }, status: undefined });
  await waitFor(async () => (await available('v1beta1.metrics.k8s.io'))?.[0] === 'True');
  assert.equal(await status('/apis/metrics.k8s.io/v1beta1/nodes'), 200);
});
