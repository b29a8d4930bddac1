import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, Deployment, Pod, ReplicaSet } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { testDeployment } from '../../testing/workload-objects.js';
import { newReplicaSetController } from '../replicaset-controller.js';
import { newDeploymentController } from './deployment-controller.js';
import { computeHash } from './pod-template-hash.js';

const deployments = resourceFor('deployments', 'apps');
const replicaSets = resourceFor('replicasets', 'apps');

/** Deployments over the real ReplicaSet controller, with a kubelet that runs their pods. */
function startHarness(): Promise<ControllerHarness> {
  return startControllerHarness({ controllers: [newReplicaSetController, newDeploymentController], kubelet: true });
}

const deployment = testDeployment;

async function getD(h: ControllerHarness, name: string): Promise<Deployment> {
  return h.client.get<Deployment>(deployments, 'default', name);
}

async function rsOf(h: ControllerHarness, d: string): Promise<ReplicaSet[]> {
  return (await h.client.list<ReplicaSet>(replicaSets, 'default')).items.filter((rs) => rs.metadata.labels?.app === d);
}

function cond(d: Deployment, type: string): Condition | undefined {
  return d.status?.conditions?.find((c) => c.type === type);
}

/** kubectl rollout status's notion of done. */
async function rolledOut(h: ControllerHarness, name: string): Promise<Deployment | undefined> {
  const d = await getD(h, name);
  const s = d.status ?? {};
  const r = d.spec.replicas ?? 1;
  const done = (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.updatedReplicas === r && s.replicas === r && s.availableReplicas === r;
  return done && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? d : undefined;
}

function setImage(h: ControllerHarness, name: string, image: string): Promise<unknown> {
  return h.client.patch(deployments, 'default', name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image }] } } } });
}

const livePods = (h: ControllerHarness, app: string) => h.pods().filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);

test('a new deployment gets a hashed ReplicaSet, annotations, pods, status, conditions and events', async () => {
  const h = await startHarness();
  try {
    const created = await h.client.create<Deployment>(deployments, 'default', deployment('nginx', 3));
    const d = await waitFor(() => rolledOut(h, 'nginx'), 10_000, 'rollout');
    const [rs] = await rsOf(h, 'nginx');
    const hash = computeHash(created.spec.template);
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(rs.metadata.name, `nginx-${hash}`);
    assert.deepEqual(rs.metadata.labels, { app: 'nginx', 'pod-template-hash': hash });
    assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'nginx', 'pod-template-hash': hash } });
    assert.equal(rs.spec.template?.metadata?.labels?.['pod-template-hash'], hash);
    assert.deepEqual(rs.metadata.annotations, {
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'deployment.kubernetes.io/revision': '1',
    });
    assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    for (const p of livePods(h, 'nginx')) assert.match(p.metadata.name!, new RegExp(`^nginx-${hash}-[a-z0-9]{5}$`));
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const { conditions, ...counts } = d.status!;
    assert.deepEqual(counts, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    assert.deepEqual(
      conditions!.map(({ type, status, reason, message }) => ({ type, status, reason, message })),
      [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "nginx-${hash}" has successfully progressed.` },
      ],
    );
    const events = (await h.events()).filter((e) => e.involvedObject.kind === 'Deployment');
    assert.deepEqual(events.map((e) => [e.reason, e.message, e.source?.component]), [['ScalingReplicaSet', `Scaled up replica set nginx-${hash} from 0 to 3`, 'deployment-controller']]);
  } finally {
    await h.stop();
  }
});

test('rolling update respects maxSurge and maxUnavailable at every observed step', async () => {
  const h = await startHarness();
  const violations: string[] = [];
  try {
    await h.client.create<Deployment>(deployments, 'default', deployment('roll', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await waitFor(() => rolledOut(h, 'roll'), 10_000, 'first rollout');
    const rsInformer = h.informers.for<ReplicaSet>(replicaSets);
    const podInformer = h.informers.for<Pod>(resourceFor('pods'));
    const check = () => {
      const specSum = rsInformer.list('default').filter((r) => r.metadata.labels?.app === 'roll').reduce((n, r) => n + (r.spec.replicas ?? 0), 0);
      if (specSum > 5) violations.push(`replica sets sum to ${specSum} > 4 + maxSurge 1`);
      const ready = podInformer.list('default').filter((p) => p.metadata.labels?.app === 'roll' && !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      if (ready.length < 4) violations.push(`${ready.length} ready pods < 4 - maxUnavailable 0`);
    };
    rsInformer.addHandlers({ update: check, add: check });
    podInformer.addHandlers({ update: check, delete: check });
    await setImage(h, 'roll', 'nginx:1.26');
    const d = await waitFor(async () => {
      const done = await rolledOut(h, 'roll');
      return done && done.metadata.generation === 2 ? done : undefined;
    }, 20_000, 'second rollout');
    assert.deepEqual(violations, []);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const rss = await rsOf(h, 'roll');
    const byRev = Object.fromEntries(rss.map((r) => [r.metadata.annotations?.['deployment.kubernetes.io/revision'], r]));
    assert.equal(byRev['1'].spec.replicas, 0);
    assert.equal(byRev['2'].spec.replicas, 4);
    assert.ok(livePods(h, 'roll').every((p) => p.spec.containers[0].image === 'nginx:1.26'));
    const msgs = (await h.events()).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(msgs.includes(`Scaled up replica set ${byRev['2'].metadata.name} from 0 to 1`), msgs.join('\n'));
    assert.ok(msgs.includes(`Scaled down replica set ${byRev['1'].metadata.name} from 4 to 3`), msgs.join('\n'));
    assert.ok(msgs.includes(`Scaled down replica set ${byRev['1'].metadata.name} from 1 to 0`), msgs.join('\n'));
  } finally {
    await h.stop();
  }
});

test('scaling mid-rollout is proportional across the active ReplicaSets', async () => {
  const h = await startHarness();
  try {
    await h.client.create<Deployment>(deployments, 'default', deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await waitFor(() => rolledOut(h, 'prop'), 15_000, 'first rollout');
    h.kubelet!.holdReady = true;
    await setImage(h, 'prop', 'nginx:broken');
    const sizes = async () => {
      const rss = await rsOf(h, 'prop');
      const rev = (n: string) => rss.find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === n);
      return { old: rev('1')?.spec.replicas, new: rev('2')?.spec.replicas, desired: rss.map((r) => r.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']) };
    };
    // Stuck: 8 old (10 - maxUnavailable) and 5 new (13 in all = 10 + maxSurge).
    await waitFor(async () => {
      const s = await sizes();
      return s.old === 8 && s.new === 5;
    }, 10_000, 'stalled rollout 8/5');
    await h.client.patch(deployments, 'default', 'prop', 'merge', { spec: { replicas: 20 } });
    // 23 allowed: old gets round(8*23/13)-8 = 6 more, new round(5*23/13)-5 = 4 more.
    const s = await waitFor(async () => {
      const cur = await sizes();
      return cur.desired.every((x) => x === '20') ? cur : undefined;
    }, 10_000, 'proportional scale');
    assert.equal(s.old, 14);
    assert.equal(s.new, 9);
    const msgs = (await h.events()).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(msgs.some((m) => /^Scaled up replica set prop-\w+ from 8 to 14$/.test(m ?? "")), msgs.join('\n'));
    assert.ok(msgs.some((m) => /^Scaled up replica set prop-\w+ from 5 to 9$/.test(m ?? "")), msgs.join('\n'));
  } finally {
    await h.stop();
  }
});

test('scale down a complete deployment removes pods from its only ReplicaSet', async () => {
  const h = await startHarness();
  try {
    await h.client.create<Deployment>(deployments, 'default', deployment('sc', 3));
    await waitFor(() => rolledOut(h, 'sc'));
    await h.client.patch(deployments, 'default', 'sc', 'merge', { spec: { replicas: 1 } });
    await waitFor(async () => (await rolledOut(h, 'sc'))?.status?.replicas === 1, 10_000, 'scaled to 1');
    const [rs] = await rsOf(h, 'sc');
    assert.equal(rs.spec.replicas, 1);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '1');
    const msgs = (await h.events()).filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(msgs.includes(`Scaled down replica set ${rs.metadata.name} from 3 to 1`));
  } finally {
    await h.stop();
  }
});

test('Recreate: no new pod exists until every old pod is gone', async () => {
  const h = await startHarness();
  const violations: string[] = [];
  try {
    const created = await h.client.create<Deployment>(deployments, 'default', deployment('rec', 3, { strategy: { type: 'Recreate' } }));
    await waitFor(() => rolledOut(h, 'rec'));
    const oldHash = computeHash(created.spec.template);
    const podInformer = h.informers.for<Pod>(resourceFor('pods'));
    const check = () => {
      const pods = podInformer.list('default').filter((p) => p.metadata.labels?.app === 'rec');
      const old = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === oldHash);
      const fresh = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] !== oldHash);
      if (old.length && fresh.length) violations.push(`${old.length} old and ${fresh.length} new pods together`);
    };
    podInformer.addHandlers({ add: check, update: check });
    await setImage(h, 'rec', 'nginx:1.26');
    await waitFor(async () => {
      const d = await rolledOut(h, 'rec');
      return d && d.metadata.generation === 2;
    }, 15_000, 'recreate rollout');
    assert.deepEqual(violations, []);
    assert.equal(livePods(h, 'rec').length, 3);
    assert.ok(livePods(h, 'rec').every((p) => p.metadata.labels?.['pod-template-hash'] !== oldHash));
    // The ReplicaSet is annotated without surge for Recreate.
    const rss = await rsOf(h, 'rec');
    assert.ok(rss.every((r) => r.metadata.annotations?.['deployment.kubernetes.io/max-replicas'] === '3'));
  } finally {
    await h.stop();
  }
});

test('rollout undo (template of an old ReplicaSet) reuses that ReplicaSet and bumps its revision', async () => {
  const h = await startHarness();
  try {
    await h.client.create<Deployment>(deployments, 'default', deployment('undo', 2));
    await waitFor(() => rolledOut(h, 'undo'));
    const [first] = await rsOf(h, 'undo');
    await setImage(h, 'undo', 'nginx:1.26');
    await waitFor(async () => (await rolledOut(h, 'undo'))?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2', 15_000, 'revision 2');
    // What kubectl rollout undo sends: the old template without pod-template-hash (JSON patch).
    const template = structuredClone(first.spec.template!);
    delete template.metadata!.labels!['pod-template-hash'];
    await h.client.patch(deployments, 'default', 'undo', 'json', [{ op: 'replace', path: '/spec/template', value: template }]);
    const d = await waitFor(async () => {
      const cur = await rolledOut(h, 'undo');
      return cur?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3' ? cur : undefined;
    }, 15_000, 'revision 3');
    const rss = await rsOf(h, 'undo');
    assert.equal(rss.length, 2);
    const reused = rss.find((r) => r.metadata.uid === first.metadata.uid)!;
    assert.equal(reused.spec.replicas, 2);
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
  } finally {
    await h.stop();
  }
});

test('rollout restart (template annotation) makes a new ReplicaSet; history beyond revisionHistoryLimit is deleted', async () => {
  const h = await startHarness();
  try {
    await h.client.create<Deployment>(deployments, 'default', deployment('hist', 1, { revisionHistoryLimit: 1 }));
    await waitFor(() => rolledOut(h, 'hist'));
    for (let i = 1; i <= 3; i++) {
      await h.client.patch(deployments, 'default', 'hist', 'strategic', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': `2024-01-01T00:00:0${i}Z` } } } } });
      const rev = String(i + 1);
      await waitFor(async () => (await rolledOut(h, 'hist'))?.metadata.annotations?.['deployment.kubernetes.io/revision'] === rev, 15_000, `revision ${rev}`);
    }
    const rss = await waitFor(async () => {
      const cur = await rsOf(h, 'hist');
      return cur.length === 2 ? cur : undefined;
    }, 10_000, 'history trimmed to 1 old ReplicaSet');
    assert.deepEqual(rss.map((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
  } finally {
    await h.stop();
  }
});

test('a paused deployment does not roll out but still scales; resuming rolls out', async () => {
  const h = await startHarness();
  try {
    await h.client.create<Deployment>(deployments, 'default', deployment('pz', 2));
    await waitFor(() => rolledOut(h, 'pz'));
    await h.client.patch(deployments, 'default', 'pz', 'merge', { spec: { paused: true } });
    await setImage(h, 'pz', 'nginx:1.26');
    await h.client.patch(deployments, 'default', 'pz', 'merge', { spec: { replicas: 3 } });
    const paused = await waitFor(async () => {
      const d = await getD(h, 'pz');
      return d.status?.observedGeneration === d.metadata.generation && d.status?.availableReplicas === 3 ? d : undefined;
    }, 10_000, 'paused deployment scaled');
    const p = cond(paused, 'Progressing')!;
    assert.deepEqual([p.status, p.reason, p.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    assert.equal((await rsOf(h, 'pz')).length, 1);
    assert.ok(livePods(h, 'pz').every((x) => x.spec.containers[0].image === 'nginx:1.25'));

    await h.client.patch(deployments, 'default', 'pz', 'merge', { spec: { paused: false } });
    const d = await waitFor(async () => {
      const cur = await rolledOut(h, 'pz');
      return cur?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2' ? cur : undefined;
    }, 15_000, 'rollout after resume');
    assert.equal(d.status?.replicas, 3);
    assert.ok(livePods(h, 'pz').every((x) => x.spec.containers[0].image === 'nginx:1.26'));
  } finally {
    await h.stop();
  }
});

test('progressDeadlineSeconds: a rollout with no progress is marked ProgressDeadlineExceeded', async () => {
  const h = await startHarness();
  try {
    h.kubelet!.holdReady = true;
    await h.client.create<Deployment>(deployments, 'default', deployment('stuck', 1, { progressDeadlineSeconds: 1 }));
    const d = await waitFor(async () => {
      const cur = await getD(h, 'stuck');
      return cond(cur, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? cur : undefined;
    }, 15_000, 'deadline exceeded');
    const [rs] = await rsOf(h, 'stuck');
    const p = cond(d, 'Progressing')!;
    assert.deepEqual([p.status, p.message], ['False', `ReplicaSet "${rs.metadata.name}" has timed out progressing.`]);
    const a = cond(d, 'Available')!;
    assert.deepEqual([a.status, a.reason, a.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
    assert.equal(d.status?.unavailableReplicas, 1);
  } finally {
    await h.stop();
  }
});
