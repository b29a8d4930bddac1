import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { fileApiFixture } from '../testing/api-fixture.js';
import { createRunningPod } from '../testing/service-objects.js';

const api = fileApiFixture();

const pdbs = resourceFor('poddisruptionbudgets', 'policy');

function budget(name: string, labels: Record<string, string>): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { maxUnavailable: 5, selector: { matchLabels: labels } } };
}

function evict(name: string) {
  return api.client.transport.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`, {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace: 'default' },
  });
}

// Upstream's EvictionREST.Create returns a Failure Status with code 500 and no reason; the
// create handler's finisher turns a non-Success Status into its error, so the answer is HTTP
// 500 with that Status (no Retry-After: client-go does not retry it, and kubectl drain gives
// up on the pod with "error when evicting pods/...: <message>").
test('a pod under two PodDisruptionBudgets is refused with a 500 Failure Status and stays', async () => {
  await createRunningPod(api.client, 'shared', { app: 'shared', tier: 'web' }, '10.244.1.5', true);
  await api.client.create(pdbs, 'default', budget('by-app', { app: 'shared' }));
  await api.client.create(pdbs, 'default', budget('by-tier', { tier: 'web' }));

  const r = await evict('shared');
  assert.equal(r.status, 500);
  assert.equal(r.headers['retry-after'], undefined);
  assert.equal(
    r.body.toString('utf8'),
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      code: 500,
    }) + '\n',
  );
  const pod = await api.client.get(resourceFor('pods'), 'default', 'shared');
  assert.equal(pod.metadata.deletionTimestamp, undefined);
});
