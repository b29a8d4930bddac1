import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { newScheduler } from '../scheduler.js';
import { newDaemonSetsController } from './daemonset-controller.js';

const nodesInfo = resourceFor('nodes');
const podsInfo = resourceFor('pods');
const daemonSetsInfo = resourceFor('daemonsets', 'apps');
const revisionsInfo = resourceFor('controllerrevisions', 'apps');

function node(name: string, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

function daemonSet(spec: Partial<DaemonSet['spec']> = {}, podSpec: Partial<Pod['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }], ...podSpec } },
      ...spec,
    },
  };
}

/** The DaemonSet controller, the default scheduler and a kubelet that runs whatever the scheduler binds. */
async function setup(): Promise<{ h: ControllerHarness; idle: () => Promise<void> }> {
  let dsc: ReturnType<typeof newDaemonSetsController> | undefined;
  const h = await startControllerHarness({ controllers: [(ctx) => (dsc = newDaemonSetsController(ctx)), newScheduler], kubelet: true });
  h.kubelet!.bindsPods = false;
  return { h, idle: () => dsc!.idle() };
}

const live = (h: ControllerHarness) => h.pods().filter((p) => !p.metadata.deletionTimestamp);
const byNode = (pods: Pod[]) => Object.fromEntries(pods.map((p) => [p.spec.nodeName ?? '', p.spec.containers[0].image]));

test('one pod per node that should run it, pinned by node-name affinity; nodes coming and going', async () => {
  const { h } = await setup();
  try {
    const { client } = h;
    for (const n of ['node-1', 'node-2']) await client.create(nodesInfo, undefined, node(n, { role: 'worker' }));
    await client.create(nodesInfo, undefined, node('node-3'));
    await client.create(daemonSetsInfo, 'default', daemonSet({}, { nodeSelector: { role: 'worker' } }));
    const pods = await waitFor(() => {
      const ps = live(h);
      return ps.length === 2 && ps.every((p) => p.status?.phase === 'Running') && ps;
    });
    assert.deepEqual(Object.keys(byNode(pods)).sort(), ['node-1', 'node-2']);
    for (const p of pods) {
      assert.deepEqual(p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName!] }] },
      ]);
      assert.equal(p.metadata.labels?.['pod-template-generation'], '1');
      assert.ok(p.metadata.labels?.['controller-revision-hash']);
      assert.equal(p.metadata.ownerReferences?.[0].kind, 'DaemonSet');
      assert.ok(p.spec.tolerations?.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'));
      assert.ok(p.metadata.name?.startsWith('agent-'));
    }
    const ds = await waitFor(async () => {
      const d = await client.get<DaemonSet>(daemonSetsInfo, 'default', 'agent');
      return d.status?.numberAvailable === 2 && d.status.observedGeneration === 1 && d;
    });
    assert.deepEqual(ds.status, {
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      desiredNumberScheduled: 2,
      numberReady: 2,
      observedGeneration: 1,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
    });
    const revisions = (await client.list<ControllerRevision>(revisionsInfo, 'default')).items;
    assert.equal(revisions.length, 1);
    assert.equal(revisions[0].revision, 1);
    assert.equal(revisions[0].metadata.name, `agent-${pods[0].metadata.labels?.['controller-revision-hash']}`);
    const data = revisions[0].data as { spec: { template: Record<string, unknown> } };
    assert.equal(data.spec.template.$patch, 'replace');
    assert.deepEqual(Object.keys(data.spec.template), ['$patch', 'metadata', 'spec']);
    const events = await h.events();
    assert.deepEqual(
      events.filter((e) => e.involvedObject.kind === 'DaemonSet' && e.reason === 'SuccessfulCreate').map((e) => e.message).sort(),
      pods.map((p) => `Created pod: ${p.metadata.name}`).sort(),
    );

    // A node gaining the label gets a pod; one losing it loses its pod; an untolerated NoExecute taint evicts.
    await client.patch(nodesInfo, undefined, 'node-3', 'merge', { metadata: { labels: { role: 'worker' } } });
    await waitFor(() => live(h).some((p) => p.spec.nodeName === 'node-3'));
    await client.patch(nodesInfo, undefined, 'node-1', 'merge', { metadata: { labels: { role: null } } });
    await waitFor(() => !h.pods().some((p) => p.spec.nodeName === 'node-1'));
    await client.patch(nodesInfo, undefined, 'node-2', 'merge', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
    await waitFor(() => !h.pods().some((p) => p.spec.nodeName === 'node-2'));
    await waitFor(async () => (await client.get<DaemonSet>(daemonSetsInfo, 'default', 'agent')).status?.desiredNumberScheduled === 1);
    assert.deepEqual(Object.keys(byNode(live(h))), ['node-3']);
    // A new node gets its pod; a removed one no longer counts (its pod is PodGC's to delete).
    await client.create(nodesInfo, undefined, node('node-4', { role: 'worker' }));
    await waitFor(() => live(h).some((p) => p.spec.nodeName === 'node-4' && p.status?.phase === 'Running'));
    await waitFor(async () => (await client.get<DaemonSet>(daemonSetsInfo, 'default', 'agent')).status?.numberAvailable === 2);
    await client.delete(nodesInfo, undefined, 'node-4');
    const after = await waitFor(async () => {
      const d = await client.get<DaemonSet>(daemonSetsInfo, 'default', 'agent');
      return d.status?.desiredNumberScheduled === 1 && d;
    });
    assert.equal(after.status?.numberMisscheduled, 0);
  } finally {
    await h.stop();
  }
});

test('rolling update replaces one node at a time (maxUnavailable 1), records revisions; OnDelete waits for deletions', async () => {
  const { h, idle } = await setup();
  try {
    const { client, kubelet } = h;
    for (const n of ['node-1', 'node-2', 'node-3']) await client.create(nodesInfo, undefined, node(n));
    await client.create(daemonSetsInfo, 'default', daemonSet({ revisionHistoryLimit: 1 }));
    await waitFor(async () => (await client.get<DaemonSet>(daemonSetsInfo, 'default', 'agent')).status?.numberAvailable === 3);

    // New pods stay unready: the update stops after the first node.
    kubelet!.holdReady = true;
    await client.patch(daemonSetsInfo, 'default', 'agent', 'strategic', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } } });
    await waitFor(() => live(h).some((p) => p.spec.containers[0].image === 'agent:2' && p.status?.phase === 'Running'));
    await idle();
    let images = live(h).map((p) => p.spec.containers[0].image).sort();
    assert.deepEqual(images, ['agent:1', 'agent:1', 'agent:2']);
    const updated = live(h).find((p) => p.spec.containers[0].image === 'agent:2')!;
    assert.equal(updated.metadata.labels?.['pod-template-generation'], '2');

    // Once new pods are ready, the rollout goes on to every node.
    kubelet!.holdReady = false;
    await client.patch(podsInfo, 'default', updated.metadata.name!, 'merge', { metadata: { annotations: { nudge: '1' } } });
    await waitFor(() => {
      const ps = live(h);
      return ps.length === 3 && ps.every((p) => p.spec.containers[0].image === 'agent:2' && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    });
    const ds = await waitFor(async () => {
      const d = await client.get<DaemonSet>(daemonSetsInfo, 'default', 'agent');
      return d.status?.updatedNumberScheduled === 3 && d.status.numberAvailable === 3 && d.status.observedGeneration === 2 && d;
    });
    assert.equal(ds.metadata.generation, 2);
    const revisions = (await client.list<ControllerRevision>(revisionsInfo, 'default')).items.sort((a, b) => a.revision - b.revision);
    assert.deepEqual(revisions.map((r) => r.revision), [1, 2]);

    // OnDelete: a new template touches no pod until one is deleted.
    await client.patch(daemonSetsInfo, 'default', 'agent', 'strategic', {
      spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null }, template: { spec: { containers: [{ name: 'agent', image: 'agent:3' }] } } },
    });
    await waitFor(async () => (await client.get<DaemonSet>(daemonSetsInfo, 'default', 'agent')).status?.observedGeneration === 3);
    await idle();
    images = live(h).map((p) => p.spec.containers[0].image).sort();
    assert.deepEqual(images, ['agent:2', 'agent:2', 'agent:2']);
    // revisionHistoryLimit 1: of the two old revisions, the one no pod runs any more (revision 1) is gone.
    assert.deepEqual((await client.list<ControllerRevision>(revisionsInfo, 'default')).items.map((r) => r.revision).sort(), [2, 3]);
    const victim = live(h).find((p) => p.spec.nodeName === 'node-2')!;
    await client.delete(podsInfo, 'default', victim.metadata.name!);
    const replaced = await waitFor(() => live(h).find((p) => p.spec.nodeName === 'node-2' && p.metadata.name !== victim.metadata.name));
    assert.equal(replaced.spec.containers[0].image, 'agent:3');
    await idle();
    assert.deepEqual(byNode(live(h)), { 'node-1': 'agent:2', 'node-2': 'agent:3', 'node-3': 'agent:2' });
  } finally {
    await h.stop();
  }
});
