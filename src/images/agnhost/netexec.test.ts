import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { startNetexec, type Netexec } from './netexec.js';
import { ServeHostnameError, startServeHostname } from './serve-hostname.js';

function get(port: number, p: string, localAddress?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, localAddress, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

function udp(port: number, msg: string): Promise<{ reply: string; local: string }> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (m) => {
      const a = s.address();
      s.close();
      resolve({ reply: m.toString(), local: `127.0.0.1:${a.port}` });
    });
    s.on('error', reject);
    s.send(msg, port, '127.0.0.1');
  });
}

let nx: Netexec;
const logs: string[] = [];
const exits: number[] = [];
before(async () => {
  nx = await startNetexec({ httpPort: 0, udpPort: 0, host: '127.0.0.1', hostname: () => 'netexec-pod', log: (m) => logs.push(m), exit: (c) => exits.push(c) });
});
after(() => nx.close());

test('netexec /hostname, /hostName and /clientip', async () => {
  const h = await get(nx.httpPort(), '/hostname');
  assert.equal(h.body, 'netexec-pod');
  assert.equal(h.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal((await get(nx.httpPort(), '/hostName')).body, 'netexec-pod');
  const c = await get(nx.httpPort(), '/clientip', '127.0.0.7');
  assert.match(c.body, /^127\.0\.0\.7:\d+$/);
  assert.ok(logs.includes('GET /clientip'));
});

test('netexec /echo with msg and code', async () => {
  assert.equal((await get(nx.httpPort(), '/echo?msg=hello%20world')).body, 'hello world');
  const coded = await get(nx.httpPort(), '/echo?msg=gone&code=503');
  assert.equal(coded.status, 503);
  assert.equal(coded.body, 'gone');
  const bad = await get(nx.httpPort(), '/echo?msg=x&code=abc');
  assert.equal(bad.body, 'argument \'code\' must be an integer or empty, got "abc"\n');
});

test('netexec /healthz is ready once the UDP server runs; / answers NOW', async () => {
  const h = await get(nx.httpPort(), '/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.body, '');
  assert.match((await get(nx.httpPort(), '/anything')).body, /^NOW: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}$/);
  const noUdp = await startNetexec({ httpPort: 0, udpPort: -1, host: '127.0.0.1', log: () => undefined });
  try {
    assert.equal((await get(noUdp.httpPort(), '/healthz')).status, 412);
  } finally {
    await noUdp.close();
  }
});

test('netexec /shell runs the command and answers JSON', async () => {
  const ok = await get(nx.httpPort(), '/shell?cmd=' + encodeURIComponent('echo "<hi>"'));
  assert.equal(ok.body, '{"output":"\\u003chi\\u003e\\n"}');
  const fail = await get(nx.httpPort(), '/shell?shellCommand=' + encodeURIComponent('echo oops >&2; exit 3'));
  assert.equal(fail.status, 200);
  assert.equal(fail.body, '{"error":"exit status 3","output":"oops\\n"}');
});

test('netexec /dial reaches another server over HTTP and UDP', async () => {
  const viaHttp = await get(nx.httpPort(), `/dial?request=hostname&protocol=http&host=127.0.0.1&port=${nx.httpPort()}&tries=2`);
  assert.equal(viaHttp.body, '{"responses":["netexec-pod","netexec-pod"]}');
  const viaUdp = await get(nx.httpPort(), `/dial?request=echo%20hi&protocol=udp&host=127.0.0.1&port=${nx.udpPort()}&tries=1`);
  assert.equal(viaUdp.body, '{"responses":["hi"]}');
  const missing = await get(nx.httpPort(), '/dial?host=127.0.0.1&port=1');
  assert.equal(missing.status, 400);
});

test('netexec UDP commands: hostname, echo, clientip', async () => {
  assert.equal((await udp(nx.udpPort(), 'hostname')).reply, 'netexec-pod');
  assert.equal((await udp(nx.udpPort(), 'echo Hello\n')).reply, 'hello');
  const c = await udp(nx.udpPort(), 'clientip');
  assert.equal(c.reply, c.local);
});

test('netexec /exit exits with the code after a graceful shutdown', async () => {
  const other = await startNetexec({ httpPort: 0, udpPort: -1, host: '127.0.0.1', log: (m) => logs.push(m), exit: (c) => exits.push(c) });
  const r = await get(other.httpPort(), '/exit?code=7&timeout=1s');
  assert.equal(r.status, 200);
  for (let i = 0; i < 50 && !exits.includes(7); i++) await new Promise((res) => setTimeout(res, 20));
  assert.deepEqual(exits, [7]);
  assert.ok(logs.includes('Will begin shutdown in 0s, allowing 1s for connections to close, then will exit with 7'));
  assert.ok(logs.includes('Graceful shutdown completed with: <nil>'));
  await other.close().catch(() => undefined);
});

test('serve-hostname answers HTTP, TCP and UDP with the hostname', async () => {
  const port = await new Promise<number>((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => r(p));
    });
  });
  const logs2: string[] = [];
  const httpMode = await startServeHostname({ port, tcp: false, udp: false, http: true, close: false, host: '127.0.0.1', hostname: 'sh-pod', log: (m) => logs2.push(m) });
  assert.equal((await get(port, '/whatever')).body, 'sh-pod');
  assert.ok(logs2.includes(`Serving on port ${port}.`));
  assert.ok(logs2.some((l) => /^HTTP request from 127\.0\.0\.1:\d+$/.test(l)));
  await httpMode.close();

  const raw = await startServeHostname({ port, tcp: true, udp: true, http: false, close: false, host: '127.0.0.1', hostname: 'sh-pod', log: () => undefined });
  const viaTcp = await new Promise<string>((resolve) => {
    let got = '';
    net.connect(port, '127.0.0.1').on('data', (c) => (got += c.toString())).on('end', () => resolve(got));
  });
  assert.equal(viaTcp, 'sh-pod');
  assert.equal((await udp(port, 'x')).reply, 'sh-pod');
  await raw.close();

  await assert.rejects(
    startServeHostname({ port, tcp: true, udp: false, http: true, close: false, host: '127.0.0.1' }),
    new ServeHostnameError("Can't server TCP/UDP mode and HTTP mode at the same time"),
  );
});
