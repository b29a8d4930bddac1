import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Container, Pod } from '../../api/types.js';
import { silentLogger } from '../../util/logger.js';
import { Backoff } from '../../util/backoff.js';
import { HostProcessLauncher, type ContainerLauncher, type LaunchSpec } from './container-launcher.js';
import { ImagePullError, PodRuntime, type ImageResolver } from './container-runtime.js';
import { readContainerLogText as readLogsText } from '../kubelet-server/container-logs.js';
import { hostExec } from './kubelet.js';

async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** "node:script" runs `node -e <command[0]>`; anything else does not exist. */
const images: ImageResolver = {
  resolve(c: Container) {
    if (c.image !== 'node:script') throw new ImagePullError(`image "${c.image}" is not in kanzen's image catalog`);
    return {
      image: 'docker.io/library/node:script',
      imageID: 'docker.io/library/node@sha256:0',
      process: (container, env) => ({ argv: [process.execPath, '-e', container.command?.[0] ?? ''], env: { ...env, PATH: process.env.PATH ?? '' } }),
    };
  },
};

interface Harness {
  rt: PodRuntime;
  events: string[];
  dir: string;
  stop(): Promise<void>;
}

function harness(t: { after(fn: () => Promise<void> | void): void }, spec: Partial<Pod['spec']>, opts: { podIP?: string; launcher?: ContainerLauncher; status?: Pod['status'] } = {}): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-rt-'));
  const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'uid-1' }, spec: { containers: [], ...spec }, ...(opts.status ? { status: opts.status } : {}) };
  const events: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const rt: PodRuntime = new PodRuntime(pod, {
    podDir: dir,
    launcher: opts.launcher ?? new HostProcessLauncher(),
    images,
    exec: hostExec,
    environment: async () => ({}),
    event: (_p, type, reason, message) => events.push(`${type} ${reason} ${message}`),
    onChange: () => void drive(),
    podIP: () => opts.podIP ?? '127.0.0.1',
    backoff: new Backoff(200, 800),
    imageBackoff: new Backoff(200, 800),
    logger: silentLogger,
    probeSecondMs: 50,
  });
  // What the kubelet's queue does: sync on every change and when a back-off ends.
  let chain = Promise.resolve();
  const drive = () => {
    chain = chain.then(async () => {
      if (stopped) return;
      const r = await rt.sync(rt.pod);
      if (timer) clearTimeout(timer);
      if (r.nextSyncMs !== undefined && !stopped) timer = setTimeout(() => void drive(), r.nextSyncMs);
    });
    return chain;
  };
  void drive();
  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await rt.stopAll(0);
  };
  t.after(async () => {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { rt, events, dir, stop };
}

test('restartPolicy Always: a crashing container is restarted with back-off (CrashLoopBackOff)', async (t) => {
  const h = harness(t, { containers: [{ name: 'app', image: 'node:script', command: ['console.log("hi"); process.exit(3)'] }] });
  const rec = await waitFor(() => {
    const r = h.rt.record('app');
    return r && r.restartCount >= 2 && r.state.waiting?.reason === 'CrashLoopBackOff' && r;
  });
  assert.match(rec.state.waiting?.message ?? '', /^back-off (200ms|400ms|800ms) restarting failed container=app pod=web_default\(uid-1\)$/);
  assert.equal(rec.lastState.terminated?.exitCode, 3);
  assert.equal(rec.lastState.terminated?.reason, 'Error');
  assert.match(rec.containerID ?? '', /^kanzen:\/\/[0-9a-f]{64}$/);
  assert.ok(h.events.includes('Warning BackOff Back-off restarting failed container app in pod web_default(uid-1)'));
  assert.ok(h.events.includes('Normal Created Created container: app'));
  assert.ok(h.events.includes('Normal Started Started container app'));
  assert.ok(h.events.includes('Normal Pulled Container image "node:script" already present on machine'));
  assert.equal(await readLogsText(h.rt.logPath('app', 0)), 'hi\n');
  const st = h.rt.statuses().containers[0];
  assert.equal(st.ready, false);
  assert.equal(st.image, 'docker.io/library/node:script');
});

test('restartPolicy Never / OnFailure: a container that exits 0 is not restarted', async (t) => {
  const h = harness(t, { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'node:script', command: ['process.exit(0)'] }] });
  const rec = await waitFor(() => h.rt.record('job')?.state.terminated);
  assert.equal(rec.reason, 'Completed');
  assert.equal(rec.exitCode, 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(h.rt.record('job')?.restartCount, 0);
});

test('init containers run in order to completion before the regular containers', async (t) => {
  const h = harness(t, {
    initContainers: [
      { name: 'first', image: 'node:script', command: ['setTimeout(() => {}, 100)'] },
      { name: 'second', image: 'node:script', command: ['process.exit(0)'] },
    ],
    containers: [{ name: 'main', image: 'node:script', command: ['setInterval(() => {}, 1000)'] }],
  });
  await waitFor(() => h.rt.record('main')?.state.running);
  const started = h.events.filter((e) => e.includes('Started container')).map((e) => e.split(' ').pop());
  assert.deepEqual(started, ['first', 'second', 'main']);
  assert.equal(h.rt.statuses().init.every((s) => s.ready && s.state?.terminated?.reason === 'Completed'), true);
});

test('an image that cannot be resolved: ErrImagePull, then ImagePullBackOff', async (t) => {
  const h = harness(t, { containers: [{ name: 'app', image: 'nope:1.0' }] });
  const rec = await waitFor(() => h.rt.record('app')?.state.waiting?.reason === 'ImagePullBackOff' && h.rt.record('app'));
  assert.equal(rec.state.waiting?.message, 'Back-off pulling image "nope:1.0": ErrImagePull: image "nope:1.0" is not in kanzen\'s image catalog');
  assert.ok(h.events.includes('Warning Failed Failed to pull image "nope:1.0": image "nope:1.0" is not in kanzen\'s image catalog'));
  assert.ok(h.events.includes('Warning Failed Error: ErrImagePull'));
  assert.ok(h.events.includes('Normal BackOff Back-off pulling image "nope:1.0"'));
  assert.ok(h.events.includes('Warning Failed Error: ImagePullBackOff'));
});

test('graceful stop: preStop, then SIGTERM, then SIGKILL when the grace period ends', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-stop-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const marker = path.join(dir, 'order');
  const script = `const fs=require('fs'); process.on('SIGTERM', () => fs.appendFileSync(${JSON.stringify(marker)}, 'SIGTERM\\n')); setInterval(() => {}, 1000);`;
  const h = harness(t, {
    containers: [
      {
        name: 'app',
        image: 'node:script',
        command: [script],
        lifecycle: { preStop: { exec: { command: [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(marker)}, 'preStop\\n')`] } } },
      },
    ],
  });
  await waitFor(() => h.rt.record('app')?.state.running);
  await new Promise((r) => setTimeout(r, 200));
  const c = h.rt.pod.spec.containers[0];
  await h.rt.stopAll(2);
  assert.equal(fs.readFileSync(marker, 'utf8'), 'preStop\nSIGTERM\n');
  const term = h.rt.record('app')?.state.terminated;
  assert.equal(term?.exitCode, 137);
  assert.equal(term?.reason, 'Error');
  assert.ok(h.events.includes('Normal Killing Stopping container app'));
  void c;
});

test('liveness probe failure restarts the container; readiness follows its probe', async (t) => {
  let healthy = true;
  const server = http.createServer((_req, res) => {
    res.statusCode = healthy ? 200 : 500;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  // The script says when its SIGTERM handler is in place: a kill before that (a slow start on
  // a busy machine) would end it with 143, not the 0 the handler gives.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-live-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const handlerSet = path.join(dir, 'handler-set');
  const h = harness(t, {
    containers: [
      {
        name: 'app',
        image: 'node:script',
        command: [`process.on("SIGTERM", () => process.exit(0)); require("fs").writeFileSync(${JSON.stringify(handlerSet)}, ""); setInterval(() => {}, 1000)`],
        readinessProbe: { httpGet: { path: '/ready', port }, periodSeconds: 1, timeoutSeconds: 60 },
        livenessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 1, timeoutSeconds: 60, failureThreshold: 2 },
      },
    ],
  });
  await waitFor(() => h.rt.statuses().containers[0]?.ready && fs.existsSync(handlerSet));
  healthy = false;
  await waitFor(() => h.rt.record('app')!.restartCount >= 1);
  assert.ok(h.events.includes(`Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500`));
  assert.ok(h.events.includes(`Warning Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 500`));
  assert.ok(h.events.includes('Normal Killing Container app failed liveness probe, will be restarted'));
  assert.equal(h.rt.record('app')?.lastState.terminated?.exitCode, 0);
  healthy = true;
  await waitFor(() => h.rt.statuses().containers[0]?.ready);
});

test('exec and tcp probes', async (t) => {
  const h = harness(t, {
    containers: [
      {
        name: 'app',
        image: 'node:script',
        command: ['setInterval(() => {}, 1000)'],
        startupProbe: { exec: { command: ['/bin/sh', '-c', 'exit 0'] }, periodSeconds: 1, timeoutSeconds: 60 },
        readinessProbe: { tcpSocket: { port: 1 }, periodSeconds: 1, timeoutSeconds: 60, failureThreshold: 1 },
      },
    ],
  });
  await waitFor(() => h.rt.statuses().containers[0]?.started);
  await waitFor(() => h.events.find((e) => e.includes('Readiness probe failed')));
  assert.ok(h.events.includes('Warning Unhealthy Readiness probe failed: dial tcp 127.0.0.1:1: connect: connection refused'));
  assert.equal(h.rt.statuses().containers[0].ready, false);
});

test('a container whose child keeps its stdout open still ends: the log is drained after the exit, not at EOF', async (t) => {
  const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kz-linger-')), 'pid');
  t.after(() => {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(path.dirname(pidFile), { recursive: true, force: true });
  });
  // The child inherits stdout (the output FIFO) and outlives the container's main process.
  const script = `const c = require('child_process').spawn('sleep', ['120'], { stdio: 'inherit', detached: true }); require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); c.unref(); console.log('hi');`;
  const h = harness(t, { restartPolicy: 'Never', containers: [{ name: 'app', image: 'node:script', command: [script] }] });
  const term = await waitFor(() => h.rt.record('app')?.state.terminated);
  assert.equal(term.exitCode, 0);
  assert.equal(await readLogsText(h.rt.logPath('app', 0)), 'hi\n');
});

/** Remembers what the runtime asked the launcher for. */
class RecordingLauncher extends HostProcessLauncher {
  readonly specs: LaunchSpec[] = [];
  override start(spec: LaunchSpec) {
    this.specs.push(spec);
    return super.start(spec);
  }
}

test('an ephemeral container runs once in the running pod, in its target\'s PID namespace, and is never restarted', async (t) => {
  const launcher = new RecordingLauncher();
  const h = harness(t, { containers: [{ name: 'app', image: 'node:script', command: ['setInterval(() => {}, 1000)'] }] }, { launcher });
  await waitFor(() => h.rt.isRunning('app'));
  const appPid = h.rt.containerPid('app');
  h.rt.pod = { ...h.rt.pod, spec: { ...h.rt.pod.spec, ephemeralContainers: [{ name: 'debugger-abcde', image: 'node:script', command: ['console.log("debugging")'], targetContainerName: 'app' }] } };
  await h.rt.sync(h.rt.pod);
  await waitFor(() => h.rt.record('debugger-abcde')?.state.terminated);
  const spec = launcher.specs.find((s) => s.container === 'debugger-abcde');
  assert.equal(spec?.sharePidWith, appPid);
  assert.equal(launcher.specs.find((s) => s.container === 'app')?.sharePidWith, undefined);
  const [status] = h.rt.statuses().ephemeral;
  assert.equal(status.name, 'debugger-abcde');
  assert.equal(status.ready, false);
  assert.equal(status.restartCount, 0);
  assert.equal(status.started, undefined);
  assert.equal(status.image, 'docker.io/library/node:script');
  assert.equal(status.imageID, 'docker.io/library/node@sha256:0');
  assert.match(status.containerID ?? '', /^kanzen:\/\//);
  assert.deepEqual({ ...status.state?.terminated, startedAt: undefined, finishedAt: undefined }, { exitCode: 0, reason: 'Completed', containerID: status.containerID, startedAt: undefined, finishedAt: undefined });
  assert.equal(await readLogsText(h.rt.logPath('debugger-abcde', 0)), 'debugging\n');
  await h.rt.sync(h.rt.pod);
  assert.equal(h.events.filter((e) => e === 'Normal Started Started container debugger-abcde').length, 1);
  assert.ok(h.events.includes('Normal Created Created container: debugger-abcde'));
});

test('an ephemeral container whose target is not running waits with CreateContainerConfigError', async (t) => {
  const h = harness(t, {
    containers: [{ name: 'app', image: 'no-such-image' }],
    ephemeralContainers: [{ name: 'dbg', image: 'node:script', command: ['0'], targetContainerName: 'app' }],
  });
  await waitFor(() => h.rt.record('dbg')?.state.waiting);
  assert.deepEqual(h.rt.record('dbg')?.state.waiting, { reason: 'CreateContainerConfigError', message: 'unable to find target container app' });
  assert.ok(h.events.includes('Warning Failed Error: unable to find target container app'));
});

test('an ephemeral container that ran in an earlier sandbox is not started again', async (t) => {
  const h = harness(t, {
    containers: [{ name: 'app', image: 'node:script', command: ['setInterval(() => {}, 1000)'] }],
    ephemeralContainers: [{ name: 'dbg', image: 'node:script', command: ['0'] }],
  }, {
    status: { ephemeralContainerStatuses: [{ name: 'dbg', ready: false, restartCount: 0, image: 'docker.io/library/node:script', imageID: '', containerID: 'kanzen://old', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] },
  });
  await waitFor(() => h.rt.isRunning('app'));
  assert.equal(h.rt.record('dbg')?.state.terminated?.reason, 'ContainerStatusUnknown');
  assert.equal(h.events.some((e) => e.includes('Started container dbg')), false);
});
