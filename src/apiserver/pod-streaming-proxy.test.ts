// End to end with the real kubectl: kubectl → HTTPS front (token check, the wiring the
// API server gets) → proxyPodStream → kubelet server (fake runtime running host
// processes). Everything else the front forwards to a real ApiServer on its unix socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { execIgnoringClose } from '../testing/websocket-raw.js';
import { startApiFixture, type ApiFixture } from '../testing/api-fixture.js';
import { ensurePki } from '../cli/pki.js';
import { writeKubeconfig } from '../cli/kubeconfig.js';
import { silentLogger } from '../util/logger.js';
import type { Pod } from '../api/types.js';
import { sendError } from './http.js';
import { parseRequestInfo } from './request-info.js';
import { handlePodStreamUpgrade, isPodStreamSubresource, isPodStreamUpgrade, podStreamTarget, servePodStreamRequest, type PodStreamingDeps } from './pod-streaming-proxy.js';
import { startKubeletServer, type KubeletServer } from '../node/kubelet-server/kubelet-server.js';
import { FakeStreamingRuntime } from '../node/kubelet-server/fake-streaming-runtime.js';
import { formatCriLogLine } from '../node/kubelet/cri-log.js';

const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
const token = 'front-token';
let dir: string;
let api: ApiFixture;
let kubelet: KubeletServer;
let runtime: FakeStreamingRuntime;
let front: https.Server;
let kubeconfig: string;

function forward(req: IncomingMessage, res: http.ServerResponse): void {
  const headers = { ...req.headers };
  delete headers.authorization;
  const up = http.request({ socketPath: api.socketPath, path: req.url, method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode ?? 500, r.headers);
    r.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-podstream-'));
  api = await startApiFixture();
  runtime = new FakeStreamingRuntime(dir);
  kubelet = await startKubeletServer({ socketPath: path.join(dir, 'kubelet.sock'), runtime, logger: silentLogger });
  const pki = ensurePki(path.join(dir, 'pki'), 'test', ['127.0.0.1'], ['localhost']);
  const authenticate = (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;
  const deps: PodStreamingDeps = {
    getPod: async (ns, name) => (await api.server.registry('pods').get(ns, name)) as Pod,
    nodeAgentSocket: (node) => (node === 'node-a' ? kubelet.socketPath : undefined),
    authenticate,
    logger: silentLogger,
  };
  front = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const ri = parseRequestInfo(url.pathname);
    if (ri.resource === 'pods' && ri.name && isPodStreamSubresource(ri.subresource)) {
      if (!authenticate(req)) return sendError(res, new Error('unauthorized'));
      servePodStreamRequest(deps, ri, req, res).catch((err) => sendError(res, err));
      return;
    }
    forward(req, res);
  });
  front.on('upgrade', (req, socket, head) => {
    if (isPodStreamUpgrade(req)) void handlePodStreamUpgrade(deps, req, socket, head, false);
    else socket.destroy();
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  kubeconfig = path.join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { name: 'test', server: `https://127.0.0.1:${(front.address() as AddressInfo).port}`, caCert: pki.caCert, token });

  const pods = api.server.registry('pods');
  const pod = (name: string, nodeName?: string, containers = ['c']) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
  });
  for (const p of [pod('p', 'node-a'), pod('unscheduled'), pod('two', 'node-a', ['a', 'b'])]) {
    await pods.create('default', p as unknown as Pod, { fieldManager: 'test' } as never);
  }
  fs.writeFileSync(
    runtime.logPath({ namespace: 'default', pod: 'p', container: 'c' }),
    formatCriLogLine('stdout', 'line 1', false) + formatCriLogLine('stderr', 'line 2', false) + formatCriLogLine('stdout', 'line 3', false),
  );
});

after(async () => {
  front?.close();
  front?.closeAllConnections();
  await kubelet?.close();
  await api?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function kubectl(version: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      path.join(kubectlDir, `kubectl.${version}`),
      ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

test('podStreamTarget: kubelet paths and upstream errors', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n', containers: [{ name: 'c' }] } } as Pod;
  const q = new URLSearchParams('command=sh&command=-c&command=echo hi&stdin=true&stdout=true&stderr=true&tty=false');
  assert.deepEqual(podStreamTarget(pod, 'exec', q), { nodeName: 'n', path: '/exec/ns/p/c?input=1&output=1&error=1&command=sh&command=-c&command=echo+hi' });
  assert.deepEqual(podStreamTarget(pod, 'log', new URLSearchParams('follow=true&tailLines=5&container=c')), {
    nodeName: 'n',
    path: '/containerLogs/ns/p/c?follow=true&tailLines=5',
  });
  assert.throws(() => podStreamTarget(pod, 'exec', new URLSearchParams('container=x')), { message: 'container x is not valid for pod p' });
  const two = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'i' }] } } as Pod;
  assert.throws(() => podStreamTarget(two, 'log', new URLSearchParams()), { message: 'a container name must be specified for pod p, choose one of: [i a b]' });
  assert.throws(() => podStreamTarget({ ...pod, spec: { containers: [{ name: 'c' }] } } as Pod, 'attach', new URLSearchParams()), {
    message: 'pod p does not have a host assigned',
  });
  assert.equal(podStreamTarget({ ...pod, spec: { containers: [{ name: 'c' }] } } as Pod, 'log', new URLSearchParams()), undefined);
});

test('kubectl 1.33 exec (WebSocket v5): output and exit code', async () => {
  const r = await kubectl('1.33', ['exec', 'p', '--', 'sh', '-c', 'echo hi; echo err >&2; exit 3']);
  assert.equal(r.stdout, 'hi\n');
  assert.equal(r.stderr, 'err\ncommand terminated with exit code 3\n');
  assert.equal(r.code, 3);
});

test('kubectl 1.33 exec -i pipes stdin', async () => {
  const r = await kubectl('1.33', ['exec', '-i', 'p', '--', 'sh', '-c', 'tr a-z A-Z'], 'hello\n');
  assert.equal(r.stdout, 'HELLO\n');
  assert.equal(r.code, 0);
});

test('kubectl 1.33 logs, --tail, and the errors of an unscheduled or ambiguous pod', async () => {
  assert.equal((await kubectl('1.33', ['logs', 'p'])).stdout, 'line 1\nline 2\nline 3\n');
  assert.equal((await kubectl('1.33', ['logs', 'p', '--tail=1'])).stdout, 'line 3\n');
  assert.equal((await kubectl('1.33', ['logs', '-f', 'p'])).stdout, 'line 1\nline 2\nline 3\n');
  assert.match((await kubectl('1.27', ['logs', 'p', '--timestamps'])).stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 1\n/);
  assert.equal((await kubectl('1.33', ['logs', 'unscheduled'])).stdout, '');
  // kubectl checks the container name itself before asking.
  const bad = await kubectl('1.33', ['logs', 'p', '-c', 'nope']);
  assert.equal(bad.stderr, 'error: container nope is not valid for pod p\n');
});

test('kubectl logs: a container that is waiting to start', async () => {
  runtime.logErrors.set('default/two/a', 'container "a" in pod "two" is waiting to start: ContainerCreating');
  const r = await kubectl('1.33', ['logs', 'two', '-c', 'a']);
  assert.equal(r.stderr, 'Error from server (BadRequest): container "a" in pod "two" is waiting to start: ContainerCreating\n');
  assert.equal(r.code, 1);
});

for (const v of ['1.27', '1.29', '1.30']) {
  test(`kubectl ${v} exec (${v === '1.30' ? 'WebSocket v5' : 'SPDY/3.1'}): output, stdin and exit code`, async () => {
    const r = await kubectl(v, ['exec', 'p', '--', 'sh', '-c', 'echo hi; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'hi\n', r.stderr);
    assert.equal(r.stderr, 'err\ncommand terminated with exit code 3\n');
    assert.equal(r.code, 3);
    const i = await kubectl(v, ['exec', '-i', 'p', '--', 'cat'], 'via kubectl\n');
    assert.equal(i.stdout, 'via kubectl\n');
    assert.equal(i.code, 0);
  });
}

test('kubectl attach over both protocols', async () => {
  runtime.attachScripts.set('default/p/c', 'read l; echo "got $l"');
  for (const v of ['1.33', '1.27']) {
    const r = await kubectl(v, ['attach', '-i', 'p'], 'x\n');
    assert.equal(r.stdout, 'got x\n', `kubectl ${v}: ${r.stderr}`);
    assert.equal(r.code, 0);
  }
});

test('kubectl exec -it: the command runs on a terminal (WebSocket and SPDY resize streams)', async () => {
  for (const v of ['1.33', '1.27']) {
    // kubectl needs a terminal of its own for -t: run it under script(1).
    const kubectlCmd = [path.join(kubectlDir, `kubectl.${v}`), '--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), 'exec', '-it', 'p', '--', 'sh', '-c', 'test -t 0 && echo on-a-tty; exit 4'];
    const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('script', ['-qfec', kubectlCmd.map((a) => `'${a}'`).join(' '), '/dev/null'], { timeout: 30_000 }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
    assert.match(r.stdout, /on-a-tty/, `kubectl ${v}`);
    assert.equal(r.code, 4, `kubectl ${v}: ${r.stdout}`);
  }
  // Both clients sent the terminal size (WebSocket channel 4, SPDY resize stream).
  assert.ok(runtime.resizes.length >= 2, JSON.stringify(runtime.resizes));
});

test('podStreamTarget: port-forward ports go to the kubelet as `port`; bad ones are the conversion’s 400', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n', containers: [{ name: 'c' }] } } as Pod;
  assert.deepEqual(podStreamTarget(pod, 'portforward', new URLSearchParams()), { nodeName: 'n', path: '/portForward/ns/p' });
  assert.deepEqual(podStreamTarget(pod, 'portforward', new URLSearchParams('ports=80&ports=8080,9090')), { nodeName: 'n', path: '/portForward/ns/p?port=80%2C8080%2C9090' });
  assert.throws(() => podStreamTarget(pod, 'portforward', new URLSearchParams('ports=http')), {
    message: 'cannot convert to []int32: strconv.ParseUint: parsing "http": invalid syntax',
  });
  assert.throws(() => podStreamTarget(pod, 'portforward', new URLSearchParams('ports=65536')), {
    message: 'cannot convert to []int32: strconv.ParseUint: parsing "65536": value out of range',
  });
});

test('exec through the API server: after the status and close frame both hops end the connection without waiting for the client', async () => {
  const { port } = front.address() as AddressInfo;
  const r = await execIgnoringClose(
    () => tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }),
    '/api/v1/namespaces/default/pods/p/exec?command=echo&command=hi&stdout=true',
    `Authorization: Bearer ${token}\r\n`,
  );
  assert.match(r.head, /^HTTP\/1\.1 101 /);
  assert.deepEqual(
    r.frames.map((f) => [f.opcode, f.payload.toString('latin1')]),
    [
      [2, '\x01hi\n'],
      [2, '\x03{"metadata":{},"status":"Success"}'],
      [8, '\x03\xe8'],
    ],
  );
});

test('port-forward over WebSocket v4 channels through the API server (ports in the query)', async () => {
  const echo = net.createServer((s) => s.once('data', (d: Buffer) => s.end(d)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const podPort = (echo.address() as AddressInfo).port;
  runtime.podHosts.set('default/p', '127.0.0.1');
  try {
    const { port } = front.address() as AddressInfo;
    const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/namespaces/default/pods/p/portforward?ports=${podPort}`, ['v4.channel.k8s.io'], {
      headers: { Authorization: `Bearer ${token}` },
      rejectUnauthorized: false,
    });
    const got: Buffer[] = [];
    ws.on('message', (m: Buffer) => got.push(m));
    ws.on('open', () => ws.send(Buffer.concat([Buffer.of(0), Buffer.from('ping')])));
    const code = await new Promise<number>((resolve, reject) => {
      ws.on('close', (c) => resolve(c));
      ws.on('error', reject);
    });
    assert.equal(code, 1000);
    const data = Buffer.concat(got.filter((m) => m[0] === 0).map((m) => m.subarray(1)));
    assert.equal(data.readUInt16LE(0), podPort);
    assert.equal(data.subarray(2).toString(), 'ping');
  } finally {
    echo.close();
  }
});

test('port-forward with bad ports: 400 from the API server before the pod is read', async () => {
  const r = await kubectl('1.33', ['get', '--raw', '/api/v1/namespaces/default/pods/nosuchpod/portforward?ports=http']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot convert to \[\]int32: strconv\.ParseUint: parsing "http": invalid syntax/);
});
