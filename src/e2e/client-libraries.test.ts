// exec and port-forward from the official client libraries, which speak the plain
// WebSocket channel protocols (not kubectl's SPDY): @kubernetes/client-node (Exec and
// PortForward, v4/v5.channel.k8s.io) and Debian's python3-kubernetes (kubernetes.stream).
// Real pods (netns runtime), through the API server's proxy to the node's kubelet server.
// Needs root (network namespaces).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { Exec, KubeConfig, PortForward } from '@kubernetes/client-node';
import type WebSocket from 'isomorphic-ws';
import { startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
/** Debian's interpreter: python3-kubernetes is installed for it, not for another python3 on PATH. */
const python = '/usr/bin/python3';
const hasPythonClient = spawnSync(python, ['-c', 'import kubernetes.stream'], { stdio: 'ignore' }).status === 0;

let c: TestCluster;
let kc: KubeConfig;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ extraArgs: ['--runtime', 'netns'] });
  await c.k(['run', 'web', '--image=nginx', '--port=80']);
  await c.k(['wait', '--for=condition=Ready', 'pod/web', '--timeout=90s']);
  // Ready without a readiness probe means started, not listening: wait for nginx's port 80
  // socket (LISTEN, state 0A, in the pod's /proc/net/tcp or tcp6: nginx listens on [::]:80
  // for both), or a busy machine's first forward is refused by the pod.
  await c.k(['exec', 'web', '--', 'sh', '-c', 'i=0; until grep -qE ":0050 0+:0000 0A" /proc/net/tcp /proc/net/tcp6; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done']);
  kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
});

after(() => {
  c?.down(true);
});

/** A Writable that keeps what is written. */
function sink(): PassThrough & { text: () => string } {
  const chunks: Buffer[] = [];
  const s = new PassThrough() as PassThrough & { text: () => string };
  s.on('data', (d: Buffer) => chunks.push(d));
  s.text = () => Buffer.concat(chunks).toString();
  return s;
}

/** GET / through a local port that forwards every connection with `forward`; the response. */
async function getThrough(forward: (socket: net.Socket) => void): Promise<{ status: number; body: string }> {
  const server = net.createServer(forward);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { Connection: 'close' }, timeout: 20_000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer through the port-forward')));
      req.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('client libraries: exec and port-forward over WebSocket', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('@kubernetes/client-node PortForward (WebSocket v4 channels) reaches the pod’s port 80', async () => {
    const pf = new PortForward(kc);
    let ws: WebSocket | undefined;
    const errors = sink();
    const r = await getThrough((socket) => {
      void pf.portForward('default', 'web', [80], socket, errors, socket).then((w) => {
        ws = w as WebSocket;
      });
    }).catch((e: Error) => {
      throw new Error(`${e.message}; the error channel said: ${JSON.stringify(errors.text())}`);
    });
    assert.equal(r.status, 200);
    assert.match(r.body, /Welcome to nginx!/);
    // The pod closed its side (Connection: close): the kubelet ends the session.
    await new Promise<void>((resolve) => (ws === undefined || ws.readyState === ws.CLOSED ? resolve() : ws.on('close', () => resolve())));
  });

  test('@kubernetes/client-node PortForward to a port nothing listens on: the error channel says why', async () => {
    const pf = new PortForward(kc);
    const out = sink();
    const err = sink();
    const ws = (await pf.portForward('default', 'web', [81], out, err, new PassThrough())) as WebSocket;
    await new Promise<void>((resolve) => ws.on('close', () => resolve()));
    assert.equal(out.text(), '');
    assert.match(err.text(), /^error forwarding port 81 to pod default\/web: .*connect: connection refused$/);
  });

  test('port-forward with bad ports: the API server’s 400 before any upgrade', async () => {
    const r = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/web/portforward?ports=eighty']);
    assert.notEqual(r.code, 0);
    // kubectl get --raw: a GET without upgrade; the ports are decoded first, as upstream.
    assert.match(r.stderr, /cannot convert to \[\]int32: strconv\.ParseUint: parsing "eighty": invalid syntax/);
  });

  test('@kubernetes/client-node Exec: output, exit status, and the server closes the connection right after', async (t) => {
    const exec = new Exec(kc);
    const stdout = sink();
    const stderr = sink();
    let statusAt = 0;
    let status: { status?: string; details?: { causes?: { message?: string }[] } } | undefined;
    const ws = (await exec.exec('default', 'web', 'web', ['sh', '-c', 'echo out; echo err >&2; exit 3'], stdout, stderr, null, false, (s) => {
      status = s;
      statusAt = Date.now();
    })) as WebSocket;
    const closeCode = await new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
    const closedAfterMs = Date.now() - statusAt;
    t.diagnostic(`connection closed ${closedAfterMs} ms after the status`);
    assert.equal(stdout.text(), 'out\n');
    assert.equal(stderr.text(), 'err\n');
    assert.equal(status?.status, 'Failure');
    assert.equal(status?.details?.causes?.[0]?.message, '3');
    assert.equal(closeCode, 1000);
    // ws's own close timeout is 30 s: the connection must end long before that.
    assert.ok(closedAfterMs < 5000, `connection closed ${closedAfterMs} ms after the status`);
  });

  test('python3-kubernetes stream(): exec output and exit code, returning promptly', { skip: !hasPythonClient && 'python3-kubernetes not installed' }, (t) => {
    const script = String.raw`
import json, sys, time
from kubernetes import client, config
from kubernetes.stream import stream
config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
t = time.time()
out = stream(api.connect_get_namespaced_pod_exec, 'web', 'default', command=['sh', '-c', 'echo hello'],
             stderr=True, stdin=False, stdout=True, tty=False)
first = time.time() - t
t = time.time()
resp = stream(api.connect_get_namespaced_pod_exec, 'web', 'default', command=['sh', '-c', 'exit 7'],
              stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
resp.run_forever(timeout=60)
second = time.time() - t
print(json.dumps({'out': out, 'first': first, 'code': resp.returncode, 'second': second}))
`;
    const r = spawnSync(python, ['-c', script, c.kubeconfig], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { out: string; first: number; code: number; second: number };
    t.diagnostic(`exec calls took ${got.first.toFixed(2)} s and ${got.second.toFixed(2)} s`);
    assert.equal(got.out, 'hello\n');
    assert.equal(got.code, 7);
    // Each call returns once the server closes the connection: well inside ws's 30 s close timeout.
    assert.ok(got.first < 10 && got.second < 10, `exec calls took ${got.first.toFixed(1)} s and ${got.second.toFixed(1)} s`);
  });

  test('python3-kubernetes portforward(): an HTTP request through the WebSocket channels', { skip: !hasPythonClient && 'python3-kubernetes not installed' }, () => {
    const script = String.raw`
import sys
from kubernetes import client, config
from kubernetes.stream import portforward
config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
pf = portforward(api.connect_get_namespaced_pod_portforward, 'web', 'default', ports='80')
s = pf.socket(80)
s.setblocking(True)
s.sendall(b'GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n')
data = b''
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
s.close()
err = pf.error(80)
print(data.decode().split('\r\n')[0])
print('welcome' if b'Welcome to nginx!' in data else 'no body', err)
`;
    const r = spawnSync(python, ['-c', script, c.kubeconfig], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'HTTP/1.1 200 OK\nwelcome None\n');
  });
});
