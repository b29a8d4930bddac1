import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicaSet } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { waitFor } from '../testing/wait.js';
import { newReplicaSetController } from './replicaset-controller.js';

const rsResource = resourceFor('replicasets', 'apps');
const podsResource = resourceFor('pods');

/** The ReplicaSet controller, with a kubelet that runs its pods unless kubelet is false. */
function startHarness(kubelet = true): Promise<ControllerHarness> {
  return startControllerHarness({ controllers: [newReplicaSetController], kubelet });
}

function replicaSet(name: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...extra,
    },
  };
}

async function scaleTo(h: ControllerHarness, name: string, replicas: number): Promise<void> {
  await h.client.patch(rsResource, 'default', name, 'merge', { spec: { replicas } });
}

function live(h: ControllerHarness, app: string): Pod[] {
  return h.pods().filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);
}

test('creates pods from the template with generateName, labels and a controller reference, and reports status', async () => {
  const h = await startHarness();
  try {
    const rs = await h.client.create<ReplicaSet>(rsResource, 'default', replicaSet('web', 3));
    const pods = await waitFor(() => (live(h, 'web').length === 3 ? live(h, 'web') : undefined));
    for (const p of pods) {
      assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'web' });
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const status = await waitFor(async () => {
      const cur = await h.client.get<ReplicaSet>(rsResource, 'default', 'web');
      return cur.status?.readyReplicas === 3 && cur.status?.availableReplicas === 3 ? cur.status : undefined;
    });
    assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const events = await h.events();
    const created = events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message).sort();
    assert.deepEqual(created, pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    assert.ok(events.every((e) => e.source?.component === 'replicaset-controller'));
  } finally {
    await h.stop();
  }
});

test('never creates more pods than replicas, even across many syncs (expectations)', async () => {
  const h = await startHarness();
  try {
    await h.client.create<ReplicaSet>(rsResource, 'default', replicaSet('burst', 20));
    await waitFor(async () => {
      const cur = await h.client.get<ReplicaSet>(rsResource, 'default', 'burst');
      return cur.status?.availableReplicas === 20;
    });
    // Every pod ever created is still there: none was created and deleted as surplus.
    const all = (await h.client.list<Pod>(podsResource, 'default')).items.filter((p) => p.metadata.labels?.app === 'burst');
    assert.equal(all.length, 20);
    const events = await h.events();
    assert.equal(events.filter((e) => e.reason === 'SuccessfulCreate').reduce((n, e) => n + (e.count ?? 1), 0), 20);
    assert.equal(events.filter((e) => e.reason === 'SuccessfulDelete').length, 0);
  } finally {
    await h.stop();
  }
});

test('scales down unscheduled pods first, then not-ready ones', async () => {
  const h = await startHarness(false);
  try {
    await h.client.create<ReplicaSet>(rsResource, 'default', replicaSet('rank', 3));
    const [ready, notReady, unscheduled] = await waitFor(() => (live(h, 'rank').length === 3 ? live(h, 'rank') : undefined));
    const bind = (p: Pod) => h.client.post(podsResource, 'default', p.metadata.name!, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name }, target: { kind: 'Node', name: 'node-1' } });
    await bind(ready);
    await bind(notReady);
    const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const setRunning = async (p: Pod, isReady: boolean) => {
      const cur = await h.client.get<Pod>(podsResource, 'default', p.metadata.name!);
      await h.client.updateStatus(podsResource, { ...cur, status: { ...cur.status, phase: 'Running', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False', lastTransitionTime: t }] } });
    };
    await setRunning(ready, true);
    await setRunning(notReady, false);
    await waitFor(async () => (await h.client.get<ReplicaSet>(rsResource, 'default', 'rank')).status?.readyReplicas === 1);

    await scaleTo(h, 'rank', 2);
    await waitFor(() => !h.pods().some((p) => p.metadata.name === unscheduled.metadata.name), 10_000, 'unscheduled pod deleted');
    assert.deepEqual(live(h, 'rank').map((p) => p.metadata.name).sort(), [ready.metadata.name, notReady.metadata.name].sort());

    await scaleTo(h, 'rank', 1);
    // A scheduled pod is deleted gracefully: it stays with a deletionTimestamp until its node confirms.
    await waitFor(() => h.pods().find((p) => p.metadata.name === notReady.metadata.name)?.metadata.deletionTimestamp, 10_000, 'not-ready pod terminating');
    assert.deepEqual(live(h, 'rank').map((p) => p.metadata.name), [ready.metadata.name]);
    const status = await waitFor(async () => {
      const cur = await h.client.get<ReplicaSet>(rsResource, 'default', 'rank');
      return cur.status?.replicas === 1 ? cur.status : undefined;
    });
    // A terminating pod is not counted.
    assert.equal(status.readyReplicas, 1);
    const deleted = (await h.events()).filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
    assert.deepEqual(deleted.sort(), [`Deleted pod: ${notReady.metadata.name}`, `Deleted pod: ${unscheduled.metadata.name}`].sort());
  } finally {
    await h.stop();
  }
});

test('adopts matching orphans and releases pods whose labels stop matching', async () => {
  const h = await startHarness();
  try {
    const orphan = await h.client.create<Pod>(podsResource, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    const rs = await h.client.create<ReplicaSet>(rsResource, 'default', replicaSet('adopt', 2));
    const adopted = await waitFor(async () => {
      const p = await h.client.get<Pod>(podsResource, 'default', 'orphan');
      return p.metadata.ownerReferences?.length ? p : undefined;
    });
    assert.equal(adopted.metadata.uid, orphan.metadata.uid);
    assert.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'adopt', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    await waitFor(() => live(h, 'adopt').length === 2);
    // The orphan counts, but it lacks the template's tier label.
    const st = await waitFor(async () => {
      const cur = await h.client.get<ReplicaSet>(rsResource, 'default', 'adopt');
      return cur.status?.availableReplicas === 2 ? cur.status : undefined;
    });
    assert.equal(st.fullyLabeledReplicas, 1);

    await h.client.patch(podsResource, 'default', 'orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    const released = await waitFor(async () => {
      const p = await h.client.get<Pod>(podsResource, 'default', 'orphan');
      return (p.metadata.ownerReferences ?? []).length === 0 ? p : undefined;
    });
    assert.equal(released.metadata.labels?.app, 'elsewhere');
    // A replacement brings the ReplicaSet back to 2.
    await waitFor(() => live(h, 'adopt').length === 2 && live(h, 'adopt').every((p) => p.metadata.name !== 'orphan'));
  } finally {
    await h.stop();
  }
});

test('availableReplicas waits for minReadySeconds', async () => {
  const h = await startHarness();
  try {
    await h.client.create<ReplicaSet>(rsResource, 'default', replicaSet('slow', 1, { minReadySeconds: 1 }));
    const ready = await waitFor(async () => {
      const cur = await h.client.get<ReplicaSet>(rsResource, 'default', 'slow');
      return cur.status?.readyReplicas === 1 ? cur : undefined;
    });
    assert.equal(ready.status?.availableReplicas, undefined);
    await waitFor(async () => (await h.client.get<ReplicaSet>(rsResource, 'default', 'slow')).status?.availableReplicas === 1, 10_000, 'available after minReadySeconds');
  } finally {
    await h.stop();
  }
});
