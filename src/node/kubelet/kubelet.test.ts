import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { ApiEventRecorder } from '../../client/event-recorder.js';
import { startApiFixture } from '../../testing/api-fixture.js';
import { silentLogger } from '../../util/logger.js';
import { HostProcessLauncher } from './container-launcher.js';
import type { ImageResolver } from './container-runtime.js';
import { readContainerLogText as readLogsText } from '../kubelet-server/container-logs.js';
import { DirectorySandboxProvider, hostExec, Kubelet } from './kubelet.js';

const pods = resourceFor('pods');

async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const images: ImageResolver = {
  resolve(_c: Container) {
    return {
      image: 'docker.io/library/node:script',
      imageID: 'docker.io/library/node@sha256:0',
      process: (container, env) => ({ argv: [process.execPath, '-e', container.command?.[0] ?? ''], env: { ...env, PATH: process.env.PATH ?? '' } }),
    };
  },
};

async function getPod(client: ApiClient, name: string): Promise<Pod | undefined> {
  try {
    return await client.get<Pod>(pods, 'default', name);
  } catch {
    return undefined;
  }
}

test('a bound pod runs as processes: env, status, logs, events; deletion stops it and confirms', async (t) => {
  const api = await startApiFixture();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-kubelet-'));
  const client = api.client('kubelet');
  const user = api.client('kubectl');
  const recorder = new ApiEventRecorder(client, 'kubelet', 'node-1');
  const mk = () =>
    new Kubelet({
      client,
      recorder,
      nodeName: 'node-1',
      nodeIP: '172.18.0.2',
      podCIDR: '10.244.1.0/24',
      logger: silentLogger,
      sandboxes: new DirectorySandboxProvider(home),
      launcher: new HostProcessLauncher(),
      images,
      exec: hostExec,
      backoffInitialMs: 200,
      backoffMaxMs: 800,
    });
  let kubelet = mk();
  t.after(async () => {
    await kubelet.shutdown(0);
    await api.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });
  await kubelet.start();
  await user.create(resourceFor('configmaps'), 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { mode: 'fast', 'index.html': 'hello' } });
  const script = 'console.log(process.env.MODE, process.env.KUBERNETES_SERVICE_HOST, process.env.MY_IP, (() => { const fs = require("fs"); const d = process.env.VOL; const uid = fs.readdirSync(d)[0]; return fs.readFileSync(d + "/" + uid + "/volumes/kubernetes.io~configmap/html/index.html", "utf8"); })()); process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000)';
  const created = await user.create<Pod>(pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      nodeName: 'node-1',
      terminationGracePeriodSeconds: 5,
      volumes: [{ name: 'html', configMap: { name: 'cfg' } }],
      containers: [
        {
          name: 'app',
          image: 'node:script',
          command: [script],
          env: [
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'VOL', value: path.join(home, 'pods') },
          ],
        },
      ],
    },
  });
  const uid = created.metadata.uid!;
  const running = await waitFor(async () => {
    const p = await getPod(client, 'web');
    return p?.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
  });
  const st = running.status!;
  assert.equal(st.podIP, '10.244.1.2');
  assert.equal(st.hostIP, '172.18.0.2');
  const cs = st.containerStatuses![0];
  assert.equal(cs.image, 'docker.io/library/node:script');
  assert.match(cs.containerID ?? '', /^kanzen:\/\//);
  assert.equal(cs.restartCount, 0);
  assert.ok(cs.state?.running?.startedAt);
  assert.deepEqual(st.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  const log = await waitFor(async () => (await readLogsText(kubelet.logPath(uid, 'app', 0))) || undefined);
  assert.equal(log, 'fast 10.96.0.1 10.244.1.2 hello\n', 'env from a ConfigMap, service links, the downward API; the configMap volume written');

  // A restarted kubelet re-adopts the running container: same containerID, no restart.
  await kubelet.stop();
  kubelet = mk();
  await kubelet.start();
  await new Promise((r) => setTimeout(r, 300));
  const after = (await getPod(client, 'web'))!;
  assert.equal(after.status?.containerStatuses?.[0].containerID, cs.containerID);
  assert.equal(after.status?.containerStatuses?.[0].restartCount, 0);
  assert.equal(after.status?.podIP, '10.244.1.2');

  await recorder.flush();
  const events = await client.list(resourceFor('events'), 'default');
  const reasons = events.items.map((e) => `${(e as { reason?: string }).reason}: ${(e as { message?: string }).message}`);
  assert.ok(reasons.includes('Created: Created container: app'), reasons.join('\n'));
  assert.ok(reasons.includes('Started: Started container app'));

  await user.delete(pods, 'default', 'web');
  await waitFor(async () => !(await getPod(client, 'web')));
  assert.equal(fs.existsSync(path.join(home, 'pods', uid)), false);
  assert.equal(kubelet.ipAllocator.allocated, 0);
});

test('zero-loss termination: the stop signal waits for the endpoint drain, bounded by the grace period', async (t) => {
  const api = await startApiFixture();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-kubelet-drain-'));
  const client = api.client('kubelet');
  const user = api.client('kubectl');
  const calls: { pod: Pod; timeoutMs: number; at: number }[] = [];
  let drainedAt = 0;
  const termFile = path.join(home, 'sigterm-at');
  const kubelet = new Kubelet({
    client,
    recorder: new ApiEventRecorder(client, 'kubelet', 'node-1'),
    nodeName: 'node-1',
    nodeIP: '172.18.0.2',
    podCIDR: '10.244.1.0/24',
    logger: silentLogger,
    sandboxes: new DirectorySandboxProvider(home),
    launcher: new HostProcessLauncher(),
    images,
    exec: hostExec,
    drainTimeoutMs: 5000,
    drainer: {
      async waitUntilUnrouted(pod, timeoutMs) {
        const at = Date.now();
        calls.push({ pod, timeoutMs, at });
        await new Promise((r) => setTimeout(r, 400));
        drainedAt = Date.now();
        return { outcome: 'drained', waitedMs: drainedAt - at };
      },
    },
  });
  t.after(async () => {
    await kubelet.shutdown(0);
    await api.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });
  await kubelet.start();
  const created = await user.create<Pod>(pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'quitter', namespace: 'default' },
    spec: {
      nodeName: 'node-1',
      terminationGracePeriodSeconds: 3,
      containers: [{ name: 'app', image: 'node:script', command: [`process.on("SIGTERM", () => { require("fs").writeFileSync(${JSON.stringify(termFile)}, String(Date.now())); process.exit(0); }); console.log("up"); setInterval(() => {}, 1000)`] }],
    },
  });
  const uid = created.metadata.uid!;
  await waitFor(async () => (await getPod(client, 'quitter'))?.status?.phase === 'Running');
  await waitFor(async () => (await readLogsText(kubelet.logPath(uid, 'app', 0))).includes('up'));
  await user.delete(pods, 'default', 'quitter');
  await waitFor(async () => !(await getPod(client, 'quitter')));
  assert.equal(calls.length, 1);
  assert.equal(calls[0].pod.metadata.uid, uid);
  assert.ok(calls[0].pod.metadata.deletionTimestamp, 'asked for the pod being deleted');
  assert.equal(calls[0].timeoutMs, 3000, 'the wait never outlasts the grace period');
  const termAt = Number(fs.readFileSync(termFile, 'utf8'));
  assert.ok(drainedAt > 0 && termAt >= drainedAt, `SIGTERM at ${termAt}, drained at ${drainedAt}`);
});
