import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createHttpEchoServer } from './server.js';

function get(port: number, p: string): Promise<{ status: number; body: string; rawHeaders: string[]; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false, headers: { 'User-Agent': 'curl/8.5.0' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, rawHeaders: res.rawHeaders, headers: res.headers }));
      })
      .on('error', reject);
  });
}

test('http-echo answers every path with the text and a newline, plus app headers', async () => {
  const lines: string[] = [];
  const server = createHttpEchoServer({ text: 'hello from v1', accessLog: (l) => lines.push(l) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const r = await get(port, '/any/path?x=1');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'hello from v1\n');
    assert.equal(r.headers['x-app-name'], 'http-echo');
    assert.equal(r.headers['x-app-version'], '1.0.0');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.headers['content-length'], '14');
    const names = r.rawHeaders.filter((_, i) => i % 2 === 0);
    assert.deepEqual(names.slice(0, 5), ['X-App-Name', 'X-App-Version', 'Date', 'Content-Length', 'Content-Type']);
    const health = await get(port, '/health');
    assert.equal(health.body, '{"status":"ok"}\n');
    assert.equal(health.headers['x-app-name'], 'http-echo');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ "GET \/any\/path HTTP\/1\.1" 200 14 "curl\/8\.5\.0" [\d.]+(ns|µs|ms|s)\n$/);
  } finally {
    server.close();
  }
});

test('http-echo -status-code sets the echo status', async () => {
  const server = createHttpEchoServer({ text: 'down', statusCode: 503 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const r = await get(port, '/');
    assert.equal(r.status, 503);
    assert.equal((await get(port, '/health')).status, 200);
  } finally {
    server.close();
  }
});

test('http-echo without text exits 127 with upstream\'s message', async () => {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const env = { ...process.env };
  delete env.ECHO_TEXT;
  const child = spawn(process.execPath, [main], { env });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 127);
  assert.equal(err, 'Missing -text option or ECHO_TEXT env var!\n');
});
