// The proxy at its open-file limit: a real UserspaceBackend in a child process started
// under `prlimit --nofile=…`, real connections through it on loopback. Past its budget
// the proxy refuses visibly (a log line, kanzen_proxy_accept_errors_total{reason="EMFILE"})
// instead of libuv's silent accept-and-close, and serves again once connections end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../testing/wait.js';
import { transparentUnavailable } from './ip-transparent.js';

const here = (f: string) => new URL(f, import.meta.url).href;
const hasPrlimit = spawnSync('sh', ['-c', 'command -v prlimit'], { stdio: 'ignore' }).status === 0;
// The limit is read and raised by the native helper (scripts/build-native.mjs).
const skip = !hasPrlimit ? 'needs prlimit(1)' : transparentUnavailable() ? `needs the native helper: ${transparentUnavailable()}` : false;
const vip = '127.0.23.1';
const epIP = '127.0.23.2';

// The child: one Service port on vip:80 → epIP:<port>; answers "metrics" and "limit" over IPC.
const child = `
import { UserspaceBackend } from ${JSON.stringify(here('./userspace-backend.js'))};
import { servicePortsOf } from ${JSON.stringify(here('../service-port.js'))};
import { endpointInfoFrom } from ${JSON.stringify(here('../endpoint.js'))};
import { raiseNoFileLimit, noFileLimit } from ${JSON.stringify(here('./fd-limit.js'))};
import { createLogger } from ${JSON.stringify(here('../../util/logger.js'))};
const [epPort, raise] = process.argv.slice(1);
const raised = raise === 'raise' ? raiseNoFileLimit() : undefined;
const backend = new UserspaceBackend({ nodePortAddresses: [], logger: createLogger('proxy') });
const svc = { metadata: { namespace: 'default', name: 'fd' }, spec: { clusterIP: '${vip}', ports: [{ port: 80, protocol: 'TCP' }] } };
const [info] = servicePortsOf(svc).values();
const ep = endpointInfoFrom({ addresses: ['${epIP}'], conditions: { ready: true } }, Number(epPort), 'default');
await backend.syncServicePort(info.key, { info, internal: [ep], external: [ep], hasAnyEndpoints: true, serving: new Set([ep.key]) });
process.on('message', (m) => {
  if (m === 'metrics') process.send({ acceptErrors: Object.fromEntries(backend.acceptErrors()) });
  if (m === 'stop') backend.stop().then(() => process.exit(0));
});
process.send({ ready: true, limit: noFileLimit(), raised });
`;

let server: net.Server;
let epPort = 0;
const held = new Set<net.Socket>();

before(async () => {
  server = net.createServer((s) => {
    s.on('error', () => {});
    s.write('Pod\n');
    held.add(s);
    s.on('close', () => held.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, epIP, () => r()));
  epPort = (server.address() as net.AddressInfo).port;
});

after(() => {
  for (const s of held) s.destroy();
  server.close();
});

interface Proxy {
  proc: ChildProcess;
  stderr: () => string;
  ready: { limit: { soft: number; hard: number }; raised?: { limit?: { soft: number; hard: number }; error?: string } };
  ask(m: string): Promise<Record<string, unknown>>;
}

async function startProxy(nofile: string, raise = false): Promise<Proxy> {
  const proc = spawn('prlimit', [`--nofile=${nofile}`, process.execPath, '--input-type=module', '-e', child, String(epPort), raise ? 'raise' : ''], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    cwd: fileURLToPath(new URL('.', import.meta.url)),
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const ready = await new Promise<Proxy['ready']>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as Proxy['ready']));
    proc.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${err}`)));
  });
  return {
    proc,
    stderr: () => err,
    ready,
    ask: (m) =>
      new Promise((resolve) => {
        proc.once('message', (r) => resolve(r as Record<string, unknown>));
        proc.send(m);
      }),
  };
}

async function stopProxy(p: Proxy): Promise<void> {
  const gone = new Promise((r) => p.proc.once('exit', r));
  p.proc.send('stop');
  await gone;
}

/** Opens a connection through the proxy: 'served' once the endpoint's greeting arrives (the socket stays open), else how it ended. */
function open(sockets: net.Socket[]): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: vip, port: 80 });
    sockets.push(s);
    s.on('data', () => resolve('served'));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    s.on('close', () => resolve('closed'));
  });
}

test('at its open-file limit the proxy refuses visibly — logged, counted — and serves again once connections end', { skip }, async () => {
  // 200 descriptors: a budget of (200 - 50) / 2 = 75 connections, with Node's own ~30 to spare.
  const p = await startProxy('200');
  try {
    assert.equal(p.ready.limit.soft, 200);
    const sockets: net.Socket[] = [];
    const outcomes: string[] = [];
    for (let i = 0; i < 120; i++) outcomes.push(await open(sockets));
    const served = outcomes.filter((o) => o === 'served').length;
    const refused = outcomes.length - served;
    assert.equal(served, 75, JSON.stringify(outcomes));
    assert.ok(outcomes.filter((o) => o !== 'served').every((o) => o === 'ECONNRESET'), JSON.stringify(outcomes));
    const m = await p.ask('metrics');
    assert.deepEqual(m.acceptErrors, { EMFILE: refused });
    // Logged, but not once per refusal.
    const lines = p.stderr().split('\n').filter((l) => l.includes('refused a client connection'));
    assert.equal(lines.length, 1, p.stderr());
    assert.match(lines[0], /reason=EMFILE/);
    // Connections end: new ones are served again.
    for (const s of sockets) s.destroy();
    await waitFor(async () => (await open(sockets)) === 'served', 10_000, 'a served connection');
    for (const s of sockets) s.destroy();
  } finally {
    await stopProxy(p);
  }
});

/** Whether this process may raise its hard limits (CAP_SYS_RESOURCE, bit 24 of CapEff). */
function canRaiseHardLimit(): boolean {
  const cap = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
  return cap !== undefined && (BigInt(`0x${cap}`) & (1n << 24n)) !== 0n;
}

test('the proxy raises its open-file limit at start: to 64000 where privileged (as the userspace kube-proxy), else soft to hard', { skip }, async () => {
  const p = await startProxy('100:4000', true);
  try {
    const privileged = canRaiseHardLimit();
    assert.deepEqual(p.ready.limit, privileged ? { soft: 64000, hard: 64000 } : { soft: 4000, hard: 4000 }, JSON.stringify(p.ready));
    if (!privileged) assert.match(p.ready.raised?.error ?? '', /setrlimit\(RLIMIT_NOFILE, 64000\) failed/);
  } finally {
    await stopProxy(p);
  }
});
