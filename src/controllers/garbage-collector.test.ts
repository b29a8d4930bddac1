import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { ConfigMap, Deployment, KubeObject, OwnerReference, Pod, ReplicaSet } from '../api/types.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { isGone, waitFor } from '../testing/wait.js';
import { AbsentOwnerCache, newGarbageCollector } from './garbage-collector.js';

const deployments = resourceFor('deployments', 'apps');
const replicasets = resourceFor('replicasets', 'apps');
const pods = resourceFor('pods');
const configmaps = resourceFor('configmaps');
const secrets = resourceFor('secrets');

/** The garbage collector against a fresh API server; the test stops it. */
function setup(): Promise<ControllerHarness> {
  return startControllerHarness({ controllers: [newGarbageCollector] });
}

function controllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } };

/** A Deployment → ReplicaSet → 2 Pods chain, created directly with ownerReferences. */
async function createChain(client: ApiClient, name: string): Promise<{ d: Deployment; rs: ReplicaSet; pods: Pod[] }> {
  const d = await client.create<Deployment>(deployments, 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
  });
  const rs = await client.create<ReplicaSet>(replicasets, 'default', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${name}-abc`, ownerReferences: [controllerRef(d)] },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
  });
  const ps: Pod[] = [];
  for (const suffix of ['x1', 'x2']) {
    ps.push(
      await client.create<Pod>(pods, 'default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${name}-abc-${suffix}`, labels: { app: 'web' }, ownerReferences: [controllerRef(rs)] },
        spec: template.spec,
      }),
    );
  }
  return { d, rs, pods: ps };
}

test('background: dependents of a deleted owner are collected down the chain', async () => {
  const { client, stop } = await setup();
  try {
    const { rs, pods: ps } = await createChain(client, 'web');
    await client.delete(deployments, 'default', 'web', { propagationPolicy: 'Background' });
    await waitFor(() => isGone(client, replicasets, 'default', rs.metadata.name!));
    for (const p of ps) await waitFor(() => isGone(client, pods, 'default', p.metadata.name!));
  } finally {
    await stop();
  }
});

test('foreground: the owner waits for its blocking dependents, then goes', async () => {
  const { client, stop } = await setup();
  try {
    const { rs } = await createChain(client, 'web');
    const deleting = (await client.delete(deployments, 'default', 'web', { propagationPolicy: 'Foreground' })) as Deployment;
    assert.deepEqual(deleting.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(deleting.metadata.deletionTimestamp);
    await waitFor(() => isGone(client, deployments, 'default', 'web'));
    // By the time the owner is gone, everything that blocked it is gone too.
    assert.equal(await isGone(client, replicasets, 'default', rs.metadata.name!), true);
    assert.deepEqual((await client.list(pods, 'default')).items, []);
  } finally {
    await stop();
  }
});

test('orphan: dependents lose their ownerReferences and stay', async () => {
  const { client, stop } = await setup();
  try {
    const { rs, pods: ps } = await createChain(client, 'web');
    await client.delete(deployments, 'default', 'web', { propagationPolicy: 'Orphan' });
    await waitFor(() => isGone(client, deployments, 'default', 'web'));
    const orphan = await client.get<ReplicaSet>(replicasets, 'default', rs.metadata.name!);
    assert.equal(orphan.metadata.ownerReferences, undefined);
    assert.equal(orphan.metadata.deletionTimestamp, undefined);
    // The pods still belong to the (live) ReplicaSet.
    const p = await client.get<Pod>(pods, 'default', ps[0].metadata.name!);
    assert.equal(p.metadata.ownerReferences?.[0].uid, rs.metadata.uid);
  } finally {
    await stop();
  }
});

test('an owner that never existed, or has another uid, counts as absent; a live one keeps its dependent', async () => {
  const { client, stop } = await setup();
  try {
    const secret = await client.create<KubeObject>(secrets, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'owner' } });
    const cm = (name: string, refs: OwnerReference[]): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: refs } });
    const live = { apiVersion: 'v1', kind: 'Secret', name: 'owner', uid: secret.metadata.uid! };
    await client.create(configmaps, 'default', cm('kept', [live]));
    await client.create(configmaps, 'default', cm('never', [{ apiVersion: 'v1', kind: 'Secret', name: 'nobody', uid: '7f0e5a1c-0000-4000-8000-000000000001' }]));
    await client.create(configmaps, 'default', cm('wrong-uid', [{ ...live, uid: '7f0e5a1c-0000-4000-8000-000000000002' }]));
    await client.create(configmaps, 'default', cm('mixed', [live, { apiVersion: 'v1', kind: 'Secret', name: 'nobody', uid: '7f0e5a1c-0000-4000-8000-000000000003' }]));
    await waitFor(() => isGone(client, configmaps, 'default', 'never'));
    await waitFor(() => isGone(client, configmaps, 'default', 'wrong-uid'));
    const mixed = await waitFor(async () => {
      const got = await client.get<ConfigMap>(configmaps, 'default', 'mixed');
      return got.metadata.ownerReferences?.length === 1 && got;
    });
    assert.deepEqual(mixed.metadata.ownerReferences, [live]);
    assert.equal(await isGone(client, configmaps, 'default', 'kept'), false);
    // Deleting the owner collects what is left.
    await client.delete(secrets, 'default', 'owner');
    await waitFor(() => isGone(client, configmaps, 'default', 'kept'));
    await waitFor(() => isGone(client, configmaps, 'default', 'mixed'));
  } finally {
    await stop();
  }
});

test('AbsentOwnerCache remembers owners found gone, per namespace, forgetting the oldest beyond its size', () => {
  const cache = new AbsentOwnerCache(2);
  cache.add('a', 'u1');
  cache.add('a', 'u2');
  assert.equal(cache.has('a', 'u1'), true);
  assert.equal(cache.has('b', 'u1'), false);
  cache.add(undefined, 'u3');
  assert.equal(cache.has('a', 'u1'), false);
  assert.equal(cache.has('a', 'u2'), true);
  assert.equal(cache.has(undefined, 'u3'), true);
});
