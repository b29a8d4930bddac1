import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, Pod, ResourceQuota } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { startControllerHarness } from '../testing/controller-harness.js';
import { waitFor } from '../testing/wait.js';
import { newResourceQuotaController } from './resourcequota-controller.js';

const quotas = resourceFor('resourcequotas');
const pods = resourceFor('pods');

const pod = (name: string, cpu?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: cpu ? { requests: { cpu }, limits: { cpu } } : undefined }] },
});

test('the controller fills status from the namespace; admission refuses past it with upstream messages and charges what it admits', async (t) => {
  const h = await startControllerHarness({ controllers: [newResourceQuotaController] });
  t.after(() => h.stop());
  const { client } = h;
  await client.create(pods, 'default', pod('before'));
  await client.create<ResourceQuota>(quotas, 'default', {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'q' },
    spec: { hard: { pods: '2', 'count/deployments.apps': '1' } },
  });
  const counted = await waitFor(async () => {
    const q = await client.get<ResourceQuota>(quotas, 'default', 'q');
    return q.status?.used && q;
  });
  assert.deepEqual(counted.status, { hard: { 'count/deployments.apps': '1', pods: '2' }, used: { 'count/deployments.apps': '0', pods: '1' } });

  await client.create(pods, 'default', pod('second'));
  const charged = await client.get<ResourceQuota>(quotas, 'default', 'q');
  assert.equal(charged.status?.used?.pods, '2', 'admission charges the quota at once');
  const refused = await client.transport.request('POST', '/api/v1/namespaces/default/pods', pod('third'));
  assert.equal(refused.status, 403);
  assert.equal(JSON.parse(refused.body.toString()).message, 'pods "third" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');

  // A deletion gives the unit back (the controller recounts).
  await client.delete(pods, 'default', 'before', { gracePeriodSeconds: 0 });
  await waitFor(async () => (await client.get<ResourceQuota>(quotas, 'default', 'q')).status?.used?.pods === '1');
  await client.create(pods, 'default', pod('third'));

  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  await client.create(resourceFor('deployments', 'apps'), 'default', deployment);
  const second = await client.transport.request('POST', '/apis/apps/v1/namespaces/default/deployments', { ...deployment, metadata: { name: 'e' } });
  assert.equal(
    JSON.parse(second.body.toString()).message,
    'deployments.apps "e" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
  );
});

test('a quota on requests.cpu wants every container to set it', async (t) => {
  const h = await startControllerHarness({ controllers: [newResourceQuotaController] });
  t.after(() => h.stop());
  const { client } = h;
  await client.create<ResourceQuota>(quotas, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'cpu' }, spec: { hard: { 'requests.cpu': '1', 'limits.cpu': '2' } } });
  await waitFor(async () => (await client.get<ResourceQuota>(quotas, 'default', 'cpu')).status?.used);
  const bare = await client.transport.request('POST', '/api/v1/namespaces/default/pods', pod('bare'));
  assert.equal(JSON.parse(bare.body.toString()).message, 'pods "bare" is forbidden: failed quota: cpu: must specify limits.cpu for: c; requests.cpu for: c');
  await client.create(pods, 'default', pod('half', '600m'));
  // A server-side dry run is checked but charges nothing.
  const dry = await client.transport.request('POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('dry', '300m'));
  assert.equal(dry.status, 201);
  assert.equal((await client.get<ResourceQuota>(quotas, 'default', 'cpu')).status?.used?.['requests.cpu'], '600m');
  const over = await client.transport.request('POST', '/api/v1/namespaces/default/pods', pod('more', '600m'));
  assert.equal(JSON.parse(over.body.toString()).message, 'pods "more" is forbidden: exceeded quota: cpu, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
  const q = await waitFor(async () => {
    const cur = await client.get<ResourceQuota>(quotas, 'default', 'cpu');
    return cur.status?.used?.['limits.cpu'] === '600m' && cur;
  });
  assert.deepEqual(q.status?.used, { 'limits.cpu': '600m', 'requests.cpu': '600m' });
});
