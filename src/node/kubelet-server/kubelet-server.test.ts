import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { silentLogger } from '../../util/logger.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';
import { FakeStreamingRuntime } from './fake-streaming-runtime.js';
import { formatCriLogLine } from '../kubelet/cri-log.js';
import { execIgnoringClose } from '../../testing/websocket-raw.js';
import { flagFin, SpdyFrameReader, SpdyFrameWriter, type SpdyFrame } from './spdy-framing.js';

let dir: string;
let server: KubeletServer;
let runtime: FakeStreamingRuntime;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-kubelet-server-'));
  runtime = new FakeStreamingRuntime(dir);
  server = await startKubeletServer({ socketPath: path.join(dir, 'kubelet.sock'), runtime, logger: silentLogger });
});

after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Session {
  stdout: string;
  stderr: string;
  status: Record<string, unknown> | undefined;
  closeCode: number;
  protocol: string;
}

function openExec(query: string, protocols = ['v5.channel.k8s.io'], kind = 'exec'): { ws: WebSocket; done: Promise<Session> } {
  const ws = new WebSocket(`ws+unix://${server.socketPath}:/${kind}/default/p/c?${query}`, protocols);
  const s: Session = { stdout: '', stderr: '', status: undefined, closeCode: 0, protocol: '' };
  const done = new Promise<Session>((resolve, reject) => {
    ws.on('open', () => (s.protocol = ws.protocol));
    ws.on('message', (data: Buffer) => {
      const body = data.subarray(1).toString();
      if (data[0] === 1) s.stdout += body;
      else if (data[0] === 2) s.stderr += body;
      else if (data[0] === 3) s.status = JSON.parse(body) as Record<string, unknown>;
    });
    ws.on('close', (code) => {
      s.closeCode = code;
      resolve(s);
    });
    ws.on('error', reject);
  });
  return { ws, done };
}

const cmd = (...argv: string[]) => argv.map((a) => `command=${encodeURIComponent(a)}`).join('&');

test('exec over WebSocket v5: stdout, stderr and the non-zero exit status', async () => {
  const { done } = openExec(`${cmd('sh', '-c', 'echo hi; echo err >&2; exit 3')}&output=1&error=1`);
  const s = await done;
  assert.equal(s.protocol, 'v5.channel.k8s.io');
  assert.equal(s.stdout, 'hi\n');
  assert.equal(s.stderr, 'err\n');
  assert.deepEqual(s.status, {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [sh -c echo hi; echo err >&2; exit 3], exit code 3',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
  assert.equal(s.closeCode, 1000);
});

test('exec: stdin is piped and closed by the v5 CLOSE signal; success status', async () => {
  const { ws, done } = openExec(`${cmd('cat')}&stdin=true&stdout=true&stderr=true`);
  ws.on('open', () => {
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('hello\n')]));
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('world\n')]));
    ws.send(Buffer.of(255, 0));
  });
  const s = await done;
  assert.equal(s.stdout, 'hello\nworld\n');
  assert.deepEqual(s.status, { metadata: {}, status: 'Success' });
});

test('exec: the best offered protocol is chosen; v4 works without CLOSE', async () => {
  const { done } = openExec(`${cmd('echo', 'v4')}&output=1`, ['v4.channel.k8s.io', 'bogus']);
  const s = await done;
  assert.equal(s.protocol, 'v4.channel.k8s.io');
  assert.equal(s.stdout, 'v4\n');
  const both = openExec(`${cmd('true')}&output=1`, ['v4.channel.k8s.io', 'v5.channel.k8s.io']);
  assert.equal((await both.done).protocol, 'v5.channel.k8s.io');
});

test('exec: a client that goes away kills the command', async () => {
  const marker = path.join(dir, 'killed-marker');
  const { ws, done } = openExec(`${cmd('sh', '-c', `sleep 2; touch ${marker}`)}&output=1`);
  ws.on('open', () => setTimeout(() => ws.terminate(), 100));
  await done;
  await new Promise((r) => setTimeout(r, 2300));
  assert.equal(fs.existsSync(marker), false);
});

test('exec with a tty runs the command on a pseudo-terminal', async () => {
  const { done } = openExec(`${cmd('sh', '-c', 'test -t 1 && echo tty; stty size')}&output=1&tty=1`);
  const s = await done;
  assert.match(s.stdout, /^tty\r\n24 80\r\n$/);
  assert.deepEqual(s.status, { metadata: {}, status: 'Success' });
});

test('attach joins the container process; status is Success whatever its exit code', async () => {
  runtime.attachScripts.set('default/p/c', 'read l; echo "got $l"; exit 5');
  const { ws, done } = openExec('input=1&output=1&error=1', ['v5.channel.k8s.io'], 'attach');
  ws.on('open', () => ws.send(Buffer.concat([Buffer.of(0), Buffer.from('x\n')])));
  const s = await done;
  assert.equal(s.stdout, 'got x\n');
  assert.deepEqual(s.status, { metadata: {}, status: 'Success' });
});

test('exec without a command is refused before the upgrade', async () => {
  const err = await new Promise<{ status: number; body: string }>((resolve) => {
    const ws = new WebSocket(`ws+unix://${server.socketPath}:/exec/default/p/c?output=1`, ['v5.channel.k8s.io']);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', () => undefined);
  });
  assert.equal(err.status, 400);
  assert.equal((JSON.parse(err.body) as { message: string }).message, 'you must specify at least 1 command');
});

function get(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: server.socketPath, path: p }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function writeLog(ref: { namespace: string; pod: string; container: string }, lines: [string, 'stdout' | 'stderr', string, boolean?][]): void {
  fs.writeFileSync(runtime.logPath(ref), lines.map(([t, s, text, partial]) => formatCriLogLine(s, text, !!partial, new Date(t))).join(''));
}

test('containerLogs: text, tailLines, timestamps, partial lines, limitBytes, sinceTime', async () => {
  const ref = { namespace: 'default', pod: 'web', container: 'c' };
  writeLog(ref, [
    ['2024-01-01T00:00:01.000Z', 'stdout', 'one'],
    ['2024-01-01T00:00:02.000Z', 'stderr', 'two'],
    ['2024-01-01T00:00:03.000Z', 'stdout', 'thr', true],
    ['2024-01-01T00:00:03.500Z', 'stdout', 'ee'],
  ]);
  assert.deepEqual(await get('/containerLogs/default/web/c'), { status: 200, body: 'one\ntwo\nthree\n' });
  assert.equal((await get('/containerLogs/default/web/c?tailLines=3')).body, 'two\nthree\n');
  assert.equal((await get('/containerLogs/default/web/c?tailLines=0')).body, '');
  assert.equal(
    (await get('/containerLogs/default/web/c?tailLines=2&timestamps=true')).body,
    '2024-01-01T00:00:03.000000000Z three\n',
  );
  assert.equal((await get('/containerLogs/default/web/c?timestamps=true&tailLines=3')).body.split('\n')[0], '2024-01-01T00:00:02.000000000Z two');
  assert.equal((await get('/containerLogs/default/web/c?limitBytes=6')).body, 'one\ntw');
  assert.equal((await get('/containerLogs/default/web/c?sinceTime=2024-01-01T00:00:02Z')).body, 'two\nthree\n');
});

test('containerLogs: the runtime’s error is a 400 with its message', async () => {
  runtime.logErrors.set('default/pending/c', 'container "c" in pod "pending" is waiting to start: ContainerCreating');
  assert.deepEqual(await get('/containerLogs/default/pending/c'), {
    status: 400,
    body: 'container "c" in pod "pending" is waiting to start: ContainerCreating',
  });
});

test('containerLogs follow streams new lines until the container exits', async () => {
  const ref = { namespace: 'default', pod: 'follow', container: 'c' };
  writeLog(ref, [['2024-01-01T00:00:01.000Z', 'stdout', 'first']]);
  let exit!: () => void;
  runtime.running.set('default/follow/c', new Promise<void>((r) => (exit = r)));
  const chunks: string[] = [];
  const got = new Promise<string>((resolve, reject) => {
    http
      .get({ socketPath: server.socketPath, path: '/containerLogs/default/follow/c?follow=true' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
          chunks.push(c.toString());
        });
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(chunks, ['first\n']);
  fs.appendFileSync(runtime.logPath(ref), formatCriLogLine('stdout', 'second', false));
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(chunks, ['first\n', 'second\n']);
  fs.appendFileSync(runtime.logPath(ref), formatCriLogLine('stdout', 'last', false));
  exit();
  assert.equal(await got, 'first\nsecond\nlast\n');
});

test('the socket is private to its owner', () => {
  assert.equal(fs.statSync(server.socketPath).mode & 0o777, 0o600);
});

/** A port-forward session over SPDY/3.1 on the kubelet socket, driven frame by frame. */
async function openPortForward(pod: string): Promise<{ send: (b: Buffer) => void; frames: SpdyFrame[]; writer: SpdyFrameWriter; close: () => void }> {
  const sock = net.connect(path.join(dir, 'kubelet.sock'));
  sock.write(`POST /portForward/default/${pod} HTTP/1.1\r\nHost: kubelet\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n`);
  const reader = new SpdyFrameReader();
  const frames: SpdyFrame[] = [];
  let head = Buffer.alloc(0);
  let upgraded = false;
  await new Promise<void>((resolve, reject) => {
    sock.on('data', (d: Buffer) => {
      if (upgraded) return void frames.push(...reader.push(d));
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = head.subarray(0, end).toString();
      if (!status.startsWith('HTTP/1.1 101') || !/X-Stream-Protocol-Version: portforward.k8s.io/i.test(status)) return reject(new Error(status));
      upgraded = true;
      frames.push(...reader.push(head.subarray(end + 4)));
      resolve();
    });
    sock.on('error', reject);
  });
  return { send: (b) => sock.write(b), frames, writer: new SpdyFrameWriter(), close: () => sock.destroy() };
}

const streamData = (frames: SpdyFrame[], id: number) =>
  Buffer.concat(frames.flatMap((f) => (f.kind === 'data' && f.streamId === id ? [f.data] : []))).toString();
const streamEnded = (frames: SpdyFrame[], id: number) => frames.some((f) => f.kind === 'data' && f.streamId === id && (f.flags & flagFin) !== 0);

test('portForward over SPDY: each request pairs an error and a data stream; bytes flow both ways; a refused port is reported', async () => {
  const echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const port = (echo.address() as net.AddressInfo).port;
  runtime.podHosts.set('default/web', '127.0.0.1');
  const pf = await openPortForward('web');
  try {
    const { send, frames, writer } = pf;
    send(writer.synStream(1, { streamtype: ['error'], port: [String(port)], requestid: ['0'] }));
    send(writer.synStream(3, { streamtype: ['data'], port: [String(port)], requestid: ['0'] }));
    send(writer.data(3, Buffer.from('hello through the pod'), true));
    await waitUntil(() => streamEnded(frames, 3) && streamEnded(frames, 1));
    assert.equal(streamData(frames, 3), 'hello through the pod');
    assert.equal(streamData(frames, 1), '');
    assert.deepEqual(frames.filter((f) => f.kind === 'synReply').map((f) => (f as { streamId: number }).streamId), [1, 3]);

    echo.close();
    await new Promise((r) => setTimeout(r, 50));
    send(writer.synStream(5, { streamtype: ['error'], port: [String(port)], requestid: ['1'] }));
    send(writer.synStream(7, { streamtype: ['data'], port: [String(port)], requestid: ['1'] }));
    await waitUntil(() => streamEnded(frames, 5));
    assert.equal(streamData(frames, 5), `error forwarding port ${port} to pod default/web: dial tcp 127.0.0.1:${port}: connect: connection refused`);
    assert.ok(streamEnded(frames, 7));
  } finally {
    pf.close();
    echo.close();
  }
});

async function waitUntil(fn: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('exec over WebSocket: after the status and close frame the server ends the connection without waiting for the client', async () => {
  const r = await execIgnoringClose(() => net.connect(server.socketPath), `/exec/default/p/c?${cmd('echo', 'hi')}&output=1`);
  assert.match(r.head, /^HTTP\/1\.1 101 /);
  assert.deepEqual(
    r.frames.map((f) => [f.opcode, f.payload.toString('latin1')]),
    [
      [2, '\x01hi\n'],
      [2, '\x03{"metadata":{},"status":"Success"}'],
      [8, '\x03\xe8'], // close, 1000
    ],
  );
});

/** A WebSocket port-forward client (ws) and the messages it gets, by channel. */
function openWsPortForward(query: string, protocols: string[]) {
  const ws = new WebSocket(`ws+unix://${server.socketPath}:/portForward/default/web?${query}`, protocols);
  const messages: { channel: number; data: Buffer }[] = [];
  const closed = new Promise<number>((resolve, reject) => {
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (isBinary) messages.push({ channel: raw[0], data: raw.subarray(1) });
      else messages.push({ channel: raw[0] - 0x30, data: Buffer.from(raw.subarray(1).toString(), 'base64') });
    });
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
  const on = (channel: number) => Buffer.concat(messages.filter((m) => m.channel === channel).map((m) => m.data));
  return { ws, messages, closed, on };
}

const portLE = (port: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
};

test('portForward over WebSocket v4 channels: port prefixes, data both ways per port, close when the pod side ends', async () => {
  // Each connection answers what it reads upper-cased, then closes.
  const upper = net.createServer((s) => s.once('data', (d: Buffer) => s.end(d.toString().toUpperCase())));
  await new Promise<void>((r) => upper.listen(0, '127.0.0.1', () => r()));
  const echo = net.createServer((s) => s.once('data', (d: Buffer) => s.end(d)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const p1 = (upper.address() as net.AddressInfo).port;
  const p2 = (echo.address() as net.AddressInfo).port;
  runtime.podHosts.set('default/web', '127.0.0.1');
  try {
    // Ports repeated and comma-separated; the client's first supported protocol wins.
    const pf = openWsPortForward(`port=${p1}&port=${p2}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io']);
    pf.ws.on('open', () => {
      pf.ws.send(Buffer.concat([Buffer.of(0), Buffer.from('first')]));
      pf.ws.send(Buffer.concat([Buffer.of(2), Buffer.from('second')]));
      // Writes on an error channel or past the last port are ignored.
      pf.ws.send(Buffer.concat([Buffer.of(1), Buffer.from('ignored')]));
      pf.ws.send(Buffer.concat([Buffer.of(9), Buffer.from('ignored')]));
    });
    assert.equal(await pf.closed, 1000);
    assert.equal(pf.ws.protocol, 'v4.channel.k8s.io');
    // The first message on every channel is its port, 2 bytes little-endian.
    assert.deepEqual(
      pf.messages.slice(0, 4).map((m) => [m.channel, m.data.toString('hex')]),
      [
        [0, portLE(p1).toString('hex')],
        [1, portLE(p1).toString('hex')],
        [2, portLE(p2).toString('hex')],
        [3, portLE(p2).toString('hex')],
      ],
    );
    assert.equal(pf.on(0).subarray(2).toString(), 'FIRST');
    assert.equal(pf.on(2).subarray(2).toString(), 'second');
    assert.equal(pf.on(1).length + pf.on(3).length, 4, 'nothing on the error channels but the ports');
  } finally {
    upper.close();
    echo.close();
  }
});

test('portForward over WebSocket base64 channels; a refused port is reported on its error channel', async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  runtime.podHosts.set('default/web', '127.0.0.1');
  const pf = openWsPortForward(`port=${closedPort}`, ['v4.base64.channel.k8s.io']);
  assert.equal(await pf.closed, 1000);
  assert.equal(pf.ws.protocol, 'v4.base64.channel.k8s.io');
  assert.equal(pf.on(0).toString('hex'), portLE(closedPort).toString('hex'));
  assert.equal(
    pf.on(1).subarray(2).toString(),
    `error forwarding port ${closedPort} to pod default/web: dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
  );
});

test('portForward over WebSocket: the kubelet’s answers to bad ports and protocols', async () => {
  const refused = (query: string, protocols: string[]) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const ws = new WebSocket(`ws+unix://${server.socketPath}:/portForward/default/web${query}`, protocols);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', () => undefined);
    });
  assert.deepEqual(await refused('', ['v4.channel.k8s.io']), { status: 400, body: 'query parameter "port" is required' });
  assert.deepEqual(await refused('?port=', ['v4.channel.k8s.io']), { status: 400, body: 'query parameter "port" cannot be empty' });
  assert.deepEqual(await refused('?port=0', ['v4.channel.k8s.io']), { status: 400, body: 'port "0" must be > 0' });
  assert.deepEqual(await refused('?port=80,http', ['v4.channel.k8s.io']), {
    status: 400,
    body: 'unable to parse "80,http" as a port: strconv.ParseUint: parsing "http": invalid syntax',
  });
  assert.deepEqual(await refused('?port=70000', ['v4.channel.k8s.io']), {
    status: 400,
    body: 'unable to parse "70000" as a port: strconv.ParseUint: parsing "70000": value out of range',
  });
  assert.deepEqual(await refused('?port=80', ['v5.channel.k8s.io']), {
    status: 403,
    body: 'requested protocol(s) are not supported: [v5.channel.k8s.io]; supports [ v4.channel.k8s.io v4.base64.channel.k8s.io]',
  });
});

test('portForward over WebSocket: megabytes both ways arrive whole, in order, past a client that stops reading a while', async () => {
  const size = 8 * 1024 * 1024;
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + (i >> 13)) & 0xff;
  // The pod side: sends the payload, and keeps what it receives.
  const chunks: Buffer[] = [];
  let receivedBytes = 0;
  const srv = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      receivedBytes += d.length;
    });
    s.write(payload);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const podPort = (srv.address() as net.AddressInfo).port;
  const closeServer = () => srv.close();
  runtime.podHosts.set('default/web', '127.0.0.1');
  try {
    const pf = openWsPortForward(`port=${podPort}`, ['v4.channel.k8s.io']);
    await new Promise<void>((r) => pf.ws.on('open', () => r()));
    pf.ws.pause();
    for (let i = 0; i < size; i += 256 * 1024) pf.ws.send(Buffer.concat([Buffer.of(0), payload.subarray(i, i + 256 * 1024)]));
    setTimeout(() => pf.ws.resume(), 300);
    await waitUntil(() => receivedBytes >= size && pf.messages.reduce((n, m) => n + (m.channel === 0 ? m.data.length : 0), 0) >= size + 2, 20_000);
    assert.ok(Buffer.concat(chunks).equals(payload), 'client to pod');
    assert.ok(pf.on(0).subarray(2).equals(payload), 'pod to client');
    pf.ws.close();
  } finally {
    closeServer();
  }
});

test('portForward over WebSocket with no subprotocol offered: binary channels, as wsstream’s "" protocol', async () => {
  const echo = net.createServer((s) => s.once('data', (d: Buffer) => s.end(d)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const port = (echo.address() as net.AddressInfo).port;
  runtime.podHosts.set('default/web', '127.0.0.1');
  try {
    const pf = openWsPortForward(`port=${port}`, []);
    pf.ws.on('open', () => pf.ws.send(Buffer.concat([Buffer.of(0), Buffer.from('plain')])));
    assert.equal(await pf.closed, 1000);
    assert.equal(pf.ws.protocol, '');
    assert.equal(pf.on(0).subarray(2).toString(), 'plain');
  } finally {
    echo.close();
  }
});
