import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedHtml, welcomePage } from './html.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

interface Reply {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function request(port: number, p: string, opts: { method?: string; headers?: Record<string, string>; agent?: http.Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: opts.method ?? 'GET', headers: { 'User-Agent': 'curl/8.5.0', ...opts.headers }, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', rawHeaders: res.rawHeaders, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const headerNames = (r: Reply): string[] => r.rawHeaders.filter((_, i) => i % 2 === 0);

interface Nginx {
  child: ChildProcess;
  port: number;
  root: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startNginx(version: string, args: string[] = ['nginx', '-g', 'daemon off;']): Promise<Nginx> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-nginx-'));
  seedHtml(root, version);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, NGINX_VERSION: version, KANZEN_NGINX_LISTEN: `127.0.0.1:${port}`, KANZEN_NGINX_ROOT: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; i < 100 && !err.includes('start worker process'); i++) await new Promise((r) => setTimeout(r, 20));
  return { child, port, root, stdout: () => out, stderr: () => err, exited };
}

let ng: Nginx;
before(async () => {
  ng = await startNginx('1.26.3');
});
after(async () => {
  ng.child.kill('SIGKILL');
  fs.rmSync(ng.root, { recursive: true, force: true });
});

test('serves the welcome page with nginx headers in nginx order', async () => {
  const r = await request(ng.port, '/');
  assert.equal(r.status, 200);
  assert.equal(r.body, welcomePage('1.26.3'));
  assert.equal(Buffer.byteLength(r.body), 615);
  assert.deepEqual(headerNames(r), ['Server', 'Date', 'Content-Type', 'Content-Length', 'Last-Modified', 'Connection', 'ETag', 'Accept-Ranges']);
  assert.equal(r.headers.server, 'nginx/1.26.3');
  assert.equal(r.headers['content-type'], 'text/html');
  assert.equal(r.headers['content-length'], '615');
  assert.equal(r.headers.connection, 'keep-alive');
  assert.equal(r.headers['accept-ranges'], 'bytes');
  assert.match(r.headers.date ?? '', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
});

test('ETag is "<hex mtime>-<hex size>" and Last-Modified the file mtime', async () => {
  const st = fs.statSync(path.join(ng.root, 'index.html'));
  const r = await request(ng.port, '/index.html');
  const mtime = Math.floor(st.mtimeMs / 1000);
  assert.equal(r.headers.etag, `"${mtime.toString(16)}-267"`);
  assert.equal(r.headers['last-modified'], new Date(mtime * 1000).toUTCString());
  const again = await request(ng.port, '/', { headers: { 'If-None-Match': r.headers.etag ?? '' } });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  assert.deepEqual(headerNames(again), ['Server', 'Date', 'Last-Modified', 'Connection', 'ETag']);
  const ims = await request(ng.port, '/', { headers: { 'If-Modified-Since': r.headers['last-modified'] ?? '' } });
  assert.equal(ims.status, 304);
});

test('a page written after start (the tutorial\'s kubectl exec step) is served at once', async () => {
  const first = await request(ng.port, '/');
  assert.match(first.body, /Welcome to nginx!/);
  fs.writeFileSync(path.join(ng.root, 'index.html'), 'Pod 1 responding!\n');
  const r = await request(ng.port, '/');
  assert.equal(r.body, 'Pod 1 responding!\n');
  assert.equal(r.headers['content-length'], '18');
  fs.writeFileSync(path.join(ng.root, 'index.html'), welcomePage('1.26.3'));
});

test('404 is nginx\'s built-in page, and the miss goes to the error log', async () => {
  const r = await request(ng.port, '/nope.html');
  assert.equal(r.status, 404);
  assert.equal(r.statusMessage, 'Not Found');
  assert.equal(
    r.body,
    '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.26.3</center>\r\n</body>\r\n</html>\r\n',
  );
  assert.equal(r.headers['content-length'], '153');
  assert.equal(r.headers['content-type'], 'text/html');
  await new Promise((res) => setTimeout(res, 50));
  assert.match(
    ng.stderr(),
    new RegExp(`\\[error\\] \\d+#\\d+: \\*\\d+ open\\(\\) "${ng.root}/nope.html" failed \\(2: No such file or directory\\), client: 127\\.0\\.0\\.1, server: localhost, request: "GET /nope.html HTTP/1\\.1", host: "127\\.0\\.0\\.1:${ng.port}"`),
  );
});

test('HEAD answers headers only', async () => {
  const r = await request(ng.port, '/', { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
  assert.equal(r.headers['content-length'], '615');
});

test('a directory without trailing slash redirects with 301 to an absolute URL', async () => {
  fs.mkdirSync(path.join(ng.root, 'sub'), { recursive: true });
  const r = await request(ng.port, '/sub?a=1', { headers: { Host: 'example.test' } });
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, `http://example.test:${ng.port}/sub/?a=1`);
  const forbidden = await request(ng.port, '/sub/');
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.body, /<title>403 Forbidden<\/title>/);
});

test('content types, ranges, methods and bad URIs', async () => {
  fs.writeFileSync(path.join(ng.root, 'app.JS'), 'console.log(1);\n');
  fs.writeFileSync(path.join(ng.root, 'blob'), '0123456789');
  assert.equal((await request(ng.port, '/app.JS')).headers['content-type'], 'application/javascript');
  assert.equal((await request(ng.port, '/blob')).headers['content-type'], 'application/octet-stream');
  const part = await request(ng.port, '/blob', { headers: { Range: 'bytes=2-4' } });
  assert.equal(part.status, 206);
  assert.equal(part.body, '234');
  assert.equal(part.headers['content-range'], 'bytes 2-4/10');
  const unsat = await request(ng.port, '/blob', { headers: { Range: 'bytes=20-' } });
  assert.equal(unsat.status, 416);
  assert.equal(unsat.statusMessage, 'Requested Range Not Satisfiable');
  assert.equal(unsat.headers['content-range'], 'bytes */10');
  const post = await request(ng.port, '/', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.statusMessage, 'Not Allowed');
  assert.match(post.body, /<center><h1>405 Not Allowed<\/h1><\/center>/);
  assert.equal((await request(ng.port, '/../etc/passwd')).status, 400);
  assert.equal((await request(ng.port, '/%7e/../index.html')).status, 200);
});

test('access log lines are the docker image\'s main format on stdout', async () => {
  await request(ng.port, '/?q=1', { headers: { Referer: 'http://r/', 'X-Forwarded-For': '10.0.0.9' } });
  await new Promise((res) => setTimeout(res, 50));
  const lines = ng.stdout().trim().split('\n');
  assert.ok(lines.includes('/docker-entrypoint.sh: Configuration complete; ready for start up'));
  const line = lines.filter((l) => l.includes('"GET /?q=1 ')).pop() ?? '';
  assert.match(line, /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/\?q=1 HTTP\/1\.1" 200 615 "http:\/\/r\/" "curl\/8\.5\.0" "10\.0\.0\.9"$/);
  const plain = lines.find((l) => l.includes('"GET / HTTP/1.1" 200 615'));
  assert.match(plain ?? '', / "-" "curl\/8\.5\.0" "-"$/);
});

test('Server header and welcome page follow NGINX_VERSION; SIGQUIT finishes in-flight responses', async () => {
  const other = await startNginx('1.31.4', []);
  try {
    const big = Buffer.alloc(8 << 20, 'x');
    fs.writeFileSync(path.join(other.root, 'big.bin'), big);
    const r = await request(other.port, '/');
    assert.equal(r.headers.server, 'nginx/1.31.4');
    assert.match(r.body, /community\.nginx\.org/);
    assert.doesNotMatch(other.stdout(), /docker-entrypoint/); // run as plain `nginx`, not via the entrypoint

    // Start a large download, read slowly, stop the server mid-way.
    const received = await new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: other.port, path: '/big.bin' }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
        });
        res.pause();
        other.child.kill('SIGQUIT');
        setTimeout(() => res.resume(), 200);
        res.on('end', () => resolve(n));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    assert.equal(received, big.length);
    assert.equal(await other.exited, 0);
    assert.match(other.stderr(), /\[notice\] \d+#\d+: signal 3 \(SIGQUIT\) received, shutting down/);
    assert.match(other.stderr(), /gracefully shutting down[\s\S]*exiting[\s\S]*exit\n/);
    await assert.rejects(request(other.port, '/'));
  } finally {
    other.child.kill('SIGKILL');
    fs.rmSync(other.root, { recursive: true, force: true });
  }
});

test('nginx -v prints the version on stderr', async () => {
  const child = spawn(process.execPath, [MAIN, 'nginx', '-v'], { env: { ...process.env, NGINX_VERSION: '1.27.5' } });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0);
  assert.equal(err, 'nginx version: nginx/1.27.5\n');
});

test('other commands run in place of nginx, as the entrypoint\'s exec "$@"', async () => {
  const child = spawn(process.execPath, [MAIN, 'sh', '-c', 'echo hi; exit 3']);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(out, 'hi\n');
  assert.equal(code, 3);
});
