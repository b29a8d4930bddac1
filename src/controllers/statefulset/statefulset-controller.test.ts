import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, Event, KubeObject, Pod, StatefulSet } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { newStatefulSetController } from './statefulset-controller.js';

const sets = resourceFor('statefulsets', 'apps');
const revisions = resourceFor('controllerrevisions', 'apps');
const claims = resourceFor('persistentvolumeclaims');
const pods = resourceFor('pods');

function startHarness(): Promise<ControllerHarness> {
  return startControllerHarness({ controllers: [newStatefulSetController], kubelet: true });
}

function webSet(replicas: number, spec: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      replicas,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

const getSet = (h: ControllerHarness) => h.client.get<StatefulSet>(sets, 'default', 'web');
const livePods = (h: ControllerHarness) =>
  h
    .pods()
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
const names = (list: KubeObject[]) => list.map((o) => o.metadata.name).sort();
const messages = (events: Event[], prefix: string) =>
  events
    .filter((e) => (e.message as string).startsWith(prefix))
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => e.message as string);

/** All replicas ready at one revision: what `kubectl rollout status` waits for. */
async function settled(h: ControllerHarness, replicas: number): Promise<StatefulSet | undefined> {
  const set = await getSet(h);
  const s = set.status;
  const done =
    s &&
    (s.observedGeneration ?? 0) >= (set.metadata.generation ?? 0) &&
    s.replicas === replicas &&
    s.readyReplicas === replicas &&
    s.updatedReplicas === replicas &&
    s.currentRevision === s.updateRevision &&
    livePods(h).length === replicas;
  return done ? set : undefined;
}

/** Pod names in the order their deletion was seen (repeated event messages are aggregated, so events cannot say). */
function deletionOrder(h: ControllerHarness): string[] {
  const order: string[] = [];
  const seen = (p: Pod) => {
    if (order[order.length - 1] !== p.metadata.name) order.push(p.metadata.name!);
  };
  h.informers.for<Pod>(pods).addHandlers({ update: (o, p) => (p.metadata.deletionTimestamp && !o.metadata.deletionTimestamp ? seen(p) : undefined), delete: (p) => (p.metadata.deletionTimestamp ? undefined : seen(p)) });
  return order;
}

function markReady(h: ControllerHarness, pod: Pod): Promise<unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'True' as const, lastTransitionTime: now } : c));
  return h.client.updateStatus(pods, { ...pod, status: { ...pod.status, conditions } });
}

test('OrderedReady: claims then pods, one ordinal at a time, each waiting for the previous to be Running and Ready', async () => {
  const h = await startHarness();
  try {
    h.kubelet!.holdReady = true;
    await h.client.create(sets, 'default', webSet(3));
    const web0 = await waitFor(() => livePods(h).find((p) => p.metadata.name === 'web-0' && p.status?.phase === 'Running'), 10_000, 'web-0 running');
    // web-0 is Running but not Ready: web-1 must not exist yet.
    await waitFor(async () => (await getSet(h)).status?.replicas === 1, 10_000, 'status replicas 1');
    assert.deepEqual(names(livePods(h)), ['web-0']);
    await markReady(h, web0);
    const web1 = await waitFor(() => livePods(h).find((p) => p.metadata.name === 'web-1' && p.status?.phase === 'Running'), 10_000, 'web-1 running');
    await waitFor(async () => (await getSet(h)).status?.readyReplicas === 1, 10_000, 'one ready');
    assert.deepEqual(names(livePods(h)), ['web-0', 'web-1']);
    h.kubelet!.holdReady = false;
    await markReady(h, web1);
    const set = await waitFor(() => settled(h, 3), 10_000, 'three ready');

    // Pods: stable identity, DNS names, claims, revision label, controller reference.
    const pod2 = livePods(h)[2];
    assert.equal(pod2.metadata.name, 'web-2');
    assert.equal(pod2.metadata.generateName, 'web-');
    assert.equal(pod2.spec.hostname, 'web-2');
    assert.equal(pod2.spec.subdomain, 'nginx');
    assert.deepEqual(pod2.metadata.labels, {
      app: 'nginx',
      'apps.kubernetes.io/pod-index': '2',
      'controller-revision-hash': set.status!.updateRevision!,
      'statefulset.kubernetes.io/pod-name': 'web-2',
    });
    assert.deepEqual(pod2.spec.volumes?.[0], { name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } });
    assert.deepEqual(pod2.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);

    // Claims: one per pod, the selector's labels, no owner under the default Retain policy.
    const pvcs = (await h.client.list(claims, 'default')).items;
    assert.deepEqual(names(pvcs), ['www-web-0', 'www-web-1', 'www-web-2']);
    for (const pvc of pvcs) {
      assert.deepEqual(pvc.metadata.labels, { app: 'nginx' });
      assert.equal(pvc.metadata.ownerReferences, undefined);
    }

    // Status and history.
    assert.equal(set.status!.currentRevision, set.status!.updateRevision);
    assert.equal(set.status!.collisionCount, 0);
    assert.equal(set.status!.availableReplicas, 3);
    assert.equal(set.status!.currentReplicas, 3);
    assert.equal(set.status!.observedGeneration, 1);
    const revs = (await h.client.list<ControllerRevision>(revisions, 'default')).items;
    assert.deepEqual(
      revs.map((r) => [r.metadata.name, r.revision]),
      [[set.status!.updateRevision, 1]],
    );
    assert.equal(revs[0].metadata.labels?.['controller.kubernetes.io/hash'], set.status!.updateRevision!.slice('web-'.length));
    assert.equal((revs[0].data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');

    const events = await h.events();
    assert.deepEqual(messages(events, 'create '), [
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
      'create Claim www-web-1 Pod web-1 in StatefulSet web success',
      'create Pod web-1 in StatefulSet web successful',
      'create Claim www-web-2 Pod web-2 in StatefulSet web success',
      'create Pod web-2 in StatefulSet web successful',
    ]);
    assert.ok(events.every((e) => e.reason === 'SuccessfulCreate' && e.type === 'Normal'));
  } finally {
    await h.stop();
  }
});

test('scale down removes the highest ordinal first and keeps the claims; a rolling update replaces pods from the highest ordinal down', async () => {
  const h = await startHarness();
  try {
    await h.client.create(sets, 'default', webSet(3));
    const first = await waitFor(() => settled(h, 3), 10_000, 'three ready');
    const deleted = deletionOrder(h);
    await h.client.patch(sets, 'default', 'web', 'merge', { spec: { replicas: 1 } });
    await waitFor(() => settled(h, 1), 10_000, 'one ready');
    assert.deepEqual(deleted, ['web-2', 'web-1']);
    assert.deepEqual(messages(await h.events(), 'delete '), ['delete Pod web-2 in StatefulSet web successful', 'delete Pod web-1 in StatefulSet web successful']);
    assert.deepEqual(names((await h.client.list(claims, 'default')).items), ['www-web-0', 'www-web-1', 'www-web-2']);

    await h.client.patch(sets, 'default', 'web', 'merge', { spec: { replicas: 3 } });
    await waitFor(() => settled(h, 3), 10_000, 'three ready again');
    await h.client.patch(sets, 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    const updated = await waitFor(async () => {
      const s = await settled(h, 3);
      return s && s.status!.updateRevision !== first.status!.updateRevision ? s : undefined;
    }, 10_000, 'rolled to the new revision');
    assert.deepEqual(deleted.slice(2), ['web-2', 'web-1', 'web-0']);
    for (const pod of livePods(h)) {
      assert.equal(pod.metadata.labels?.['controller-revision-hash'], updated.status!.updateRevision);
      assert.equal(pod.spec.containers[0].image, 'nginx:1.26');
    }
    const revs = (await h.client.list<ControllerRevision>(revisions, 'default')).items.map((r) => [r.metadata.name, r.revision]).sort((a, b) => Number(a[1]) - Number(b[1]));
    assert.deepEqual(revs, [
      [first.status!.updateRevision, 1],
      [updated.status!.updateRevision, 2],
    ]);

    // Undo (what `kubectl rollout undo` sends): the old revision is renumbered, not copied.
    const old = await h.client.get<ControllerRevision>(revisions, 'default', first.status!.updateRevision!);
    await h.client.patch(sets, 'default', 'web', 'strategic', old.data);
    const undone = await waitFor(async () => {
      const s = await settled(h, 3);
      return s && s.status!.updateRevision === first.status!.updateRevision ? s : undefined;
    }, 10_000, 'back at the first revision');
    assert.equal(livePods(h)[0].spec.containers[0].image, 'nginx:1.25');
    assert.equal((await h.client.get<ControllerRevision>(revisions, 'default', undone.status!.updateRevision!)).revision, 3);
    assert.equal((await h.client.list(revisions, 'default')).items.length, 2);
  } finally {
    await h.stop();
  }
});

test('a partition keeps the ordinals below it at the current revision', async () => {
  const h = await startHarness();
  try {
    await h.client.create(sets, 'default', webSet(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }));
    const first = await waitFor(() => settled(h, 3), 10_000, 'three ready');
    await h.client.patch(sets, 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    const set = await waitFor(async () => {
      const s = await getSet(h);
      const st = s.status;
      return st?.updatedReplicas === 1 && st.currentReplicas === 2 && st.readyReplicas === 3 && livePods(h).length === 3 ? s : undefined;
    }, 10_000, 'one updated');
    assert.equal(set.status!.currentRevision, first.status!.currentRevision);
    assert.notEqual(set.status!.updateRevision, set.status!.currentRevision);
    assert.deepEqual(
      livePods(h).map((p) => p.spec.containers[0].image),
      ['nginx:1.25', 'nginx:1.25', 'nginx:1.26'],
    );
    // Lowering the partition to 0 finishes the roll, and the update revision becomes current.
    await h.client.patch(sets, 'default', 'web', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    const done = await waitFor(() => settled(h, 3), 10_000, 'rolled out');
    assert.equal(done.status!.currentRevision, set.status!.updateRevision);
  } finally {
    await h.stop();
  }
});

test('Parallel creates every pod without waiting for readiness', async () => {
  const h = await startHarness();
  try {
    h.kubelet!.holdReady = true;
    await h.client.create(sets, 'default', webSet(3, { podManagementPolicy: 'Parallel' }));
    await waitFor(() => livePods(h).filter((p) => p.status?.phase === 'Running').length === 3, 10_000, 'three running, none ready');
    assert.equal((await getSet(h)).status?.readyReplicas ?? 0, 0);
  } finally {
    await h.stop();
  }
});

test('whenScaled: Delete gives a scaled-down pod ownership of its claim; whenDeleted: Delete gives the set ownership of the rest', async () => {
  const h = await startHarness();
  try {
    await h.client.create(sets, 'default', webSet(2, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    const set = await waitFor(() => settled(h, 2), 10_000, 'two ready');
    const owners = async (name: string) => ((await h.client.get(claims, 'default', name)).metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);
    await waitFor(async () => (await owners('www-web-1')).includes('StatefulSet/web'), 10_000, 'set owns claims');
    assert.deepEqual(await owners('www-web-0'), ['StatefulSet/web']);
    const web1 = livePods(h).find((p) => p.metadata.name === 'web-1')!;
    await h.client.patch(sets, 'default', 'web', 'merge', { spec: { replicas: 1 } });
    await waitFor(async () => (await owners('www-web-1')).join() === 'Pod/web-1', 10_000, 'scaled-down pod owns its claim');
    const claim = await h.client.get(claims, 'default', 'www-web-1');
    assert.equal(claim.metadata.ownerReferences?.[0].uid, web1.metadata.uid);
    assert.equal(set.metadata.name, 'web');
  } finally {
    await h.stop();
  }
});

test('OnDelete leaves pods alone until they are deleted; ordinals may start above 0', async () => {
  const h = await startHarness();
  try {
    await h.client.create(sets, 'default', webSet(2, { updateStrategy: { type: 'OnDelete' }, ordinals: { start: 1 } }));
    const first = await waitFor(() => settled(h, 2), 10_000, 'two ready');
    assert.deepEqual(names(livePods(h)), ['web-1', 'web-2']);
    await h.client.patch(sets, 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    const pending = await waitFor(async () => {
      const s = await getSet(h);
      return s.status?.updateRevision !== first.status!.updateRevision && s.status?.observedGeneration === 2 ? s : undefined;
    }, 10_000, 'new update revision');
    assert.equal(pending.status!.updatedReplicas ?? 0, 0);
    assert.deepEqual(
      livePods(h).map((p) => p.spec.containers[0].image),
      ['nginx:1.25', 'nginx:1.25'],
    );

    // The user deletes web-2: it comes back at the update revision.
    await h.client.delete(pods, 'default', 'web-2');
    await waitFor(() => livePods(h).find((p) => p.metadata.name === 'web-2' && p.spec.containers[0].image === 'nginx:1.26' && p.status?.phase === 'Running'), 10_000, 'web-2 updated');
    assert.equal(livePods(h).find((p) => p.metadata.name === 'web-1')!.spec.containers[0].image, 'nginx:1.25');

  } finally {
    await h.stop();
  }
});

test('Parallel with 2^31-1 replicas creates the lowest ordinals in bursts and counts only the pods that exist', async () => {
  const h = await startHarness();
  try {
    await h.client.create(sets, 'default', webSet(2 ** 31 - 1, { podManagementPolicy: 'Parallel' }));
    const status = await waitFor(async () => {
      const s = (await getSet(h)).status;
      return s && (s.replicas ?? 0) >= 500 ? s : undefined;
    }, 30_000, 'a burst of pods counted');
    // Whatever the number so far, the pods are the lowest ordinals, without gaps.
    const ordinals = livePods(h)
      .map((p) => Number(p.metadata.name!.slice('web-'.length)))
      .sort((a, b) => a - b);
    assert.deepEqual(ordinals, ordinals.map((_, i) => i));
    assert.ok((status.replicas ?? 0) <= ordinals.length + 500, `${status.replicas} counted, ${ordinals.length} seen`);
    // Scaling down to 0 removes them all.
    await h.client.patch(sets, 'default', 'web', 'merge', { spec: { replicas: 0 } });
    await waitFor(() => (livePods(h).length === 0 ? true : undefined), 30_000, 'no pod left');
  } finally {
    await h.stop();
  }
});
