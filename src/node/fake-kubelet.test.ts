import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Pod } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { startControllerHarness } from '../testing/controller-harness.js';
import { newJobController } from '../controllers/job/job-controller.js';
import { newScheduler } from '../controllers/scheduler.js';
import { silentLogger } from '../util/logger.js';
import { FakeKubelet, fakeImageID, normalizeImage, runningPodStatus } from './fake-kubelet.js';

const pods = resourceFor('pods');

async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function podOn(name: string, nodeName: string, extra: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' }, ...(annotations ? { annotations } : {}) },
    spec: { nodeName, containers: [{ name: 'nginx', image: 'nginx' }], ...extra },
  };
}

async function getPod(client: ApiClient, name: string): Promise<Pod | undefined> {
  try {
    return await client.get<Pod>(pods, 'default', name);
  } catch {
    return undefined;
  }
}

const running = (client: ApiClient, name: string) => waitFor(async () => {
  const p = await getPod(client, name);
  return p?.status?.phase === 'Running' && p;
});

const readyStatus = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

async function setup(t: { after(fn: () => Promise<void> | void): void }, opts: { deletionGraceCapMs?: number } = {}) {
  const api = await startApiFixture();
  const client = api.client('kubelet');
  const kubelets: FakeKubelet[] = [];
  const startKubelet = async (n: number) => {
    const k = new FakeKubelet({ client, nodeName: `node-${n}`, nodeIP: `172.18.0.${n + 1}`, podCIDR: `10.244.${n}.0/24`, logger: silentLogger, ...opts });
    kubelets.push(k);
    await k.start();
    return k;
  };
  t.after(async () => {
    for (const k of kubelets) await k.stop();
    await api.stop();
  });
  return { api, client, startKubelet, user: api.client('kubectl') };
}

test('image references and IDs look like containerd reports them', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('nginx:1.27'), 'docker.io/library/nginx:1.27');
  assert.equal(normalizeImage('curlimages/curl'), 'docker.io/curlimages/curl:latest');
  assert.equal(normalizeImage('registry.k8s.io/e2e-test-images/agnhost:2.39'), 'registry.k8s.io/e2e-test-images/agnhost:2.39');
  assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.match(fakeImageID('nginx'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
});

test('readiness waits for the probes initialDelaySeconds', () => {
  const pod = podOn('p', 'node-1', { containers: [{ name: 'app', image: 'nginx', readinessProbe: { httpGet: { port: 80 }, initialDelaySeconds: 5 } }] });
  pod.metadata.uid = 'u1';
  const t0 = new Date('2025-01-01T00:00:00Z');
  const first = runningPodStatus(pod, { nodeIP: '172.18.0.2', podIP: '10.244.1.2', now: t0 });
  assert.equal(first.status.containerStatuses?.[0].ready, false);
  assert.equal(first.nextChangeMs, 5000);
  const ready = first.status.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual(ready, { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
  const later = runningPodStatus({ ...pod, status: first.status }, { nodeIP: '172.18.0.2', podIP: '10.244.1.2', now: new Date('2025-01-01T00:00:05Z') });
  assert.equal(later.status.containerStatuses?.[0].ready, true);
  assert.equal(later.nextChangeMs, undefined);
  assert.equal(later.status.startTime, '2025-01-01T00:00:00Z');
  assert.equal(later.status.containerStatuses?.[0].state?.running?.startedAt, '2025-01-01T00:00:00Z');
  const readyLater = later.status.conditions?.find((c) => c.type === 'Ready');
  assert.deepEqual(readyLater, { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:05Z' });
});

test('ephemeral containers run from when they are added, never ready, with no startup state', () => {
  const pod = podOn('p', 'node-1', { containers: [{ name: 'app', image: 'nginx' }] });
  pod.metadata.uid = 'u1';
  const t0 = new Date('2025-01-01T00:00:00Z');
  const first = runningPodStatus(pod, { nodeIP: '172.18.0.2', podIP: '10.244.1.2', now: t0 }).status;
  assert.equal(first.ephemeralContainerStatuses, undefined);
  pod.spec.ephemeralContainers = [{ name: 'debugger-abcde', image: 'busybox', targetContainerName: 'app' }];
  const s = runningPodStatus({ ...pod, status: first }, { nodeIP: '172.18.0.2', podIP: '10.244.1.2', now: new Date('2025-01-01T00:00:07Z') }).status;
  assert.deepEqual(s.ephemeralContainerStatuses, [
    {
      name: 'debugger-abcde',
      state: { running: { startedAt: '2025-01-01T00:00:07Z' } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: 'docker.io/library/busybox:latest',
      imageID: fakeImageID('busybox'),
      containerID: s.ephemeralContainerStatuses?.[0].containerID,
    },
  ]);
  assert.match(s.ephemeralContainerStatuses?.[0].containerID ?? '', /^fake:\/\//);
  // Ready is the regular containers' alone.
  assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
});

test('readiness gates hold Ready with upstream messages', () => {
  const pod = podOn('p', 'node-1', { readinessGates: [{ conditionType: 'example.com/lb' }] });
  const s = runningPodStatus(pod, { nodeIP: '172.18.0.2', podIP: '10.244.1.2', now: new Date() }).status;
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'ReadinessGatesNotReady');
  assert.equal(ready?.message, 'corresponding condition of pod readiness gate "example.com/lb" does not exist.');
  assert.equal(s.conditions?.find((c) => c.type === 'ContainersReady')?.status, 'True');
});

test('a bound pod goes Running with an IP from its node, as a kubelet reports it', async (t) => {
  const { client, startKubelet, user } = await setup(t);
  await startKubelet(1);
  await startKubelet(2);
  const created = await user.create<Pod>(pods, 'default', podOn('web', 'node-1', { initContainers: [{ name: 'init', image: 'busybox' }] }));
  const pod = await running(client, 'web');
  const s = pod.status!;
  assert.equal(s.hostIP, '172.18.0.2');
  assert.deepEqual(s.hostIPs, [{ ip: '172.18.0.2' }]);
  assert.equal(s.podIP, '10.244.1.2');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.1.2' }]);
  assert.ok(s.startTime);
  assert.equal(s.qosClass, 'BestEffort', 'fields the kubelet does not own are kept');
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status]),
    [
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ],
  );
  for (const c of s.conditions ?? []) assert.ok(c.lastTransitionTime, `${c.type} has a transition time`);
  const cs = s.containerStatuses?.[0];
  assert.equal(cs?.name, 'nginx');
  assert.equal(cs?.image, 'docker.io/library/nginx:latest');
  assert.match(cs?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:/);
  assert.match(cs?.containerID ?? '', /^fake:\/\/[0-9a-f]{64}$/);
  assert.equal(cs?.ready, true);
  assert.equal(cs?.started, true);
  assert.equal(cs?.restartCount, 0);
  assert.equal(cs?.state?.running?.startedAt, s.startTime);
  const init = s.initContainerStatuses?.[0];
  assert.equal(init?.state?.terminated?.reason, 'Completed');
  assert.equal(init?.state?.terminated?.exitCode, 0);
  assert.equal(init?.ready, true);

  await user.create<Pod>(pods, 'default', podOn('other', 'node-2'));
  assert.equal((await running(client, 'other')).status?.podIP, '10.244.2.2');

  // Steady state: nothing rewrites the status once it is reported.
  const rv = (await getPod(client, 'web'))!.metadata.resourceVersion;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await getPod(client, 'web'))!.metadata.resourceVersion, rv);
  assert.equal(created.metadata.uid, pod.metadata.uid);
});

test('pod IPs are unique and a recreated pod gets a new one', async (t) => {
  const { client, startKubelet, user } = await setup(t, { deletionGraceCapMs: 50 });
  await startKubelet(1);
  for (let i = 0; i < 5; i++) await user.create<Pod>(pods, 'default', podOn(`p${i}`, 'node-1'));
  const ips = [];
  for (let i = 0; i < 5; i++) ips.push((await running(client, `p${i}`)).status!.podIP);
  assert.equal(new Set(ips).size, 5);
  for (const ip of ips) assert.match(ip!, /^10\.244\.1\.([2-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])$/);

  const old = ips[0];
  await user.delete(pods, 'default', 'p0');
  await waitFor(async () => !(await getPod(client, 'p0')));
  await user.create<Pod>(pods, 'default', podOn('p0', 'node-1'));
  const again = await running(client, 'p0');
  assert.notEqual(again.status?.podIP, old);
  assert.ok(!ips.includes(again.status?.podIP));
});

test('the fake-ready annotation flips readiness both ways', async (t) => {
  const { client, startKubelet, user } = await setup(t);
  await startKubelet(1);
  await user.create<Pod>(pods, 'default', podOn('flip', 'node-1', {}, { 'kanzen.io/fake-ready': 'false' }));
  const notReady = await running(client, 'flip');
  assert.equal(readyStatus(notReady), 'False');
  const cond = notReady.status?.conditions?.find((c) => c.type === 'ContainersReady');
  assert.equal(cond?.reason, 'ContainersNotReady');
  assert.equal(cond?.message, 'containers with unready status: [nginx]');
  assert.equal(notReady.status?.containerStatuses?.[0].ready, false);

  await user.patch(pods, 'default', 'flip', 'merge', { metadata: { annotations: { 'kanzen.io/fake-ready': null } } });
  await waitFor(async () => readyStatus((await getPod(client, 'flip'))!) === 'True');
  await user.patch(pods, 'default', 'flip', 'merge', { metadata: { annotations: { 'kanzen.io/fake-ready': 'false' } } });
  await waitFor(async () => readyStatus((await getPod(client, 'flip'))!) === 'False');
});

test('a readinessProbe delays Ready by its initialDelaySeconds', async (t) => {
  const { client, startKubelet, user } = await setup(t);
  await startKubelet(1);
  await user.create<Pod>(pods, 'default', podOn('slow', 'node-1', { containers: [{ name: 'app', image: 'nginx', readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 1 } }] }));
  const first = await running(client, 'slow');
  assert.equal(readyStatus(first), 'False');
  await waitFor(async () => readyStatus((await getPod(client, 'slow'))!) === 'True', 5000);
});

test('a deleted pod is stopped after its (capped) grace period and removed', async (t) => {
  const { client, startKubelet, user } = await setup(t, { deletionGraceCapMs: 300 });
  const kubelet = await startKubelet(1);
  await user.create<Pod>(pods, 'default', podOn('bye', 'node-1'));
  const pod = await running(client, 'bye');
  const seen: { type: string; pod: Pod }[] = [];
  const w = client.watch<Pod>(pods, 'default', { resourceVersion: pod.metadata.resourceVersion, fieldSelector: 'metadata.name=bye' }, (ev) => seen.push({ type: ev.type, pod: ev.object as Pod }), () => {});
  t.after(() => w.stop());
  await user.delete(pods, 'default', 'bye');
  const terminating = await getPod(client, 'bye');
  assert.ok(terminating?.metadata.deletionTimestamp, 'a pod with a node is deleted gracefully');
  assert.equal(terminating?.metadata.deletionGracePeriodSeconds, 30);
  await waitFor(async () => !(await getPod(client, 'bye')));
  assert.equal(kubelet.ipAllocator.ipOf(pod.metadata.uid!), undefined, 'its IP is released');
  // Before it goes, the kubelet reports the pod stopped, as upstream's status manager does.
  await waitFor(() => seen.some((e) => e.type === 'DELETED'));
  const last = seen.filter((e) => e.type === 'MODIFIED').at(-1)!.pod;
  assert.equal(last.status?.phase, 'Succeeded');
  assert.equal(readyStatus(last), 'False');
  assert.equal(last.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  assert.equal(last.status?.containerStatuses?.[0].state?.terminated?.exitCode, 0);
  assert.ok(Date.parse(seen.find((e) => e.type === 'DELETED')!.pod.metadata.deletionTimestamp!) > 0);
});

test('pods this node cannot run are left alone', async (t) => {
  const { client, startKubelet, user } = await setup(t);
  await startKubelet(1);
  await user.create<Pod>(pods, 'default', podOn('elsewhere', 'node-1', { nodeSelector: { disk: 'ssd' } }));
  await user.create<Pod>(pods, 'default', podOn('marker', 'node-1'));
  await running(client, 'marker');
  assert.equal((await getPod(client, 'elsewhere'))?.status?.phase, 'Pending');
});

test('a restarted kubelet re-adopts its pods without changing their IPs', async (t) => {
  const { client, startKubelet, user } = await setup(t);
  const first = await startKubelet(1);
  await user.create<Pod>(pods, 'default', podOn('a', 'node-1'));
  await user.create<Pod>(pods, 'default', podOn('b', 'node-1'));
  const a = await running(client, 'a');
  const b = await running(client, 'b');
  await first.stop();

  // Pods created while the kubelet is down wait for it.
  await user.create<Pod>(pods, 'default', podOn('c', 'node-1'));
  const second = await startKubelet(1);
  const c = await running(client, 'c');
  await second.idle();
  const a2 = await getPod(client, 'a');
  const b2 = await getPod(client, 'b');
  assert.equal(a2?.status?.podIP, a.status?.podIP);
  assert.equal(b2?.status?.podIP, b.status?.podIP);
  assert.equal(a2?.metadata.resourceVersion, a.metadata.resourceVersion, 'nothing to rewrite');
  assert.ok(![a.status?.podIP, b.status?.podIP].includes(c.status?.podIP));
  assert.equal(second.ipAllocator.ipOf(a.metadata.uid!), a.status?.podIP);
});

const phase = (client: ApiClient, name: string, want: string) =>
  waitFor(async () => {
    const p = await getPod(client, name);
    return p?.status?.phase === want && p;
  });

test('a command that ends (true, sh -c "sleep 1; exit 2") under Never terminates the container and finishes the pod', async (t) => {
  const { client, startKubelet, user } = await setup(t);
  await startKubelet(1);
  const job = (name: string, command: string[], restartPolicy: Pod['spec']['restartPolicy']) =>
    user.create<Pod>(pods, 'default', podOn(name, 'node-1', { restartPolicy, containers: [{ name: 'main', image: 'busybox', command }] }));
  await job('done', ['true'], 'Never');
  await job('fails', ['sh', '-c', 'sleep 1; exit 2'], 'Never');
  await job('retried', ['sh', '-c', 'exit 1'], 'OnFailure');
  await job('served', ['true'], 'Always');

  const done = await phase(client, 'done', 'Succeeded');
  const doneState = done.status!.containerStatuses![0];
  assert.deepEqual([doneState.state?.terminated?.exitCode, doneState.state?.terminated?.reason, doneState.ready, doneState.started], [0, 'Completed', false, false]);
  assert.deepEqual(
    done.status!.conditions!.map((c) => [c.type, c.status, c.reason]),
    [
      ['PodReadyToStartContainers', 'False', undefined],
      ['Initialized', 'True', undefined],
      ['Ready', 'False', 'PodCompleted'],
      ['ContainersReady', 'False', 'PodCompleted'],
      ['PodScheduled', 'True', undefined],
    ],
  );

  // Running for its second, then Error with the script's exit code.
  assert.equal((await running(client, 'fails')).status?.containerStatuses?.[0].state?.running !== undefined, true);
  const failed = await phase(client, 'fails', 'Failed');
  const t0 = failed.status!.containerStatuses![0].state!.terminated!;
  assert.deepEqual([t0.exitCode, t0.reason], [2, 'Error']);
  assert.equal(Date.parse(t0.finishedAt!) - Date.parse(t0.startedAt!), 1000);

  // Containers the restartPolicy would start again (a crash loop) are not modelled: they keep running.
  for (const name of ['retried', 'served']) assert.equal((await running(client, name)).status?.containerStatuses?.[0].state?.running !== undefined, true);
});

test('Jobs run to completion on fake nodes: a succeeding Job completes, a failing one reaches its backoffLimit', async (t) => {
  const h = await startControllerHarness({ controllers: [newScheduler, newJobController] });
  const kubelet = new FakeKubelet({ client: h.fixture.client('kubelet'), nodeName: 'node-1', nodeIP: '172.18.0.2', podCIDR: '10.244.1.0/24', logger: silentLogger });
  t.after(async () => {
    await kubelet.stop();
    await h.stop();
  });
  await kubelet.start();
  const jobs = resourceFor('jobs', 'batch');
  const job = (name: string, script: string, extra: Record<string, unknown>) =>
    h.client.create<Job>(jobs, 'default', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name },
      spec: { ...extra, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }] } } } as Job['spec'],
    });
  await job('ok', 'sleep 1', { completions: 2, parallelism: 2 });
  await job('broken', 'exit 1', { backoffLimit: 1 });
  const finished = (name: string, type: string) =>
    waitFor(async () => (await h.client.get<Job>(jobs, 'default', name)).status?.conditions?.find((c) => c.type === type && c.status === 'True'), 60_000);
  await finished('ok', 'Complete');
  assert.equal((await h.client.get<Job>(jobs, 'default', 'ok')).status?.succeeded, 2);
  const failed = await finished('broken', 'Failed');
  assert.equal(failed.reason, 'BackoffLimitExceeded');
  assert.equal((await h.client.get<Job>(jobs, 'default', 'broken')).status?.failed, 2);
});
