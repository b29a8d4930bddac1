import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../util/logger.js';
import { goTimeString, prometheusContentType, proxyHealthzBody, startMetricsSocket, startProxyStatusServers, type ProxyStatus } from './metrics-server.js';

function get(where: { socketPath: string } | { port: number }, urlPath: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ ...where, host: '127.0.0.1', path: urlPath }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function status(over: Partial<ProxyStatus> = {}): ProxyStatus {
  return { metrics: () => 'kubeproxy_sync_proxy_rules_service_changes_total 3\n', proxyMode: 'nftables', healthy: () => true, lastUpdated: () => undefined, nodeEligible: () => true, ...over };
}

test('goTimeString prints Go time.Time.String() in UTC', () => {
  assert.equal(goTimeString(undefined), '0001-01-01 00:00:00 +0000 UTC');
  assert.equal(goTimeString(new Date('2024-03-05T07:08:09.120Z'), false), '2024-03-05 07:08:09.12 +0000 UTC');
  assert.equal(goTimeString(new Date('2024-03-05T07:08:09Z'), false), '2024-03-05 07:08:09 +0000 UTC');
  assert.match(goTimeString(new Date()), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}$/);
});

test("proxyHealthzBody has kube-proxy's shape; a healthy proxy reports lastUpdated = now", () => {
  const now = new Date('2024-03-05T07:08:09.5Z');
  const body = proxyHealthzBody({ healthy: true, nodeEligible: true }, now);
  assert.match(body, /^\{"lastUpdated": "2024-03-05 07:08:09\.5 \+0000 UTC m=[-+][\d.]+","currentTime": "2024-03-05 07:08:09\.5 \+0000 UTC m=[-+][\d.]+", "nodeEligible": true\}$/);
  const sick = proxyHealthzBody({ healthy: false, nodeEligible: false }, now);
  assert.match(sick, /^\{"lastUpdated": "0001-01-01 00:00:00 \+0000 UTC","currentTime": ".*", "nodeEligible": false\}$/);
  assert.match(proxyHealthzBody({ healthy: true, nodeEligible: true }, now, false), /^\{"lastUpdated": ".*","currentTime": ".*"\}$/);
});

test('the metrics socket serves GET /metrics to its owner only', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-metrics-'));
  const socketPath = path.join(dir, 'metrics.sock');
  fs.writeFileSync(socketPath, 'stale');
  const srv = await startMetricsSocket({ socketPath, status: status(), logger: silentLogger });
  try {
    assert.equal(fs.statSync(socketPath).mode & 0o777, 0o600);
    const r = await get({ socketPath }, '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.type, prometheusContentType);
    assert.equal(r.body, 'kubeproxy_sync_proxy_rules_service_changes_total 3\n');
    const nf = await get({ socketPath }, '/nope');
    assert.deepEqual([nf.status, nf.body], [404, '404 page not found\n']);
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the status servers answer on kube-proxy's paths; healthz is 503 when the node is not eligible", async () => {
  const [metricsPort, healthzPort] = [await freePort(), await freePort()];
  let eligible = true;
  const srv = await startProxyStatusServers({ address: '127.0.0.1', metricsPort, healthzPort, status: status({ nodeEligible: () => eligible }), logger: silentLogger });
  try {
    assert.equal((await get({ port: metricsPort }, '/metrics')).body, 'kubeproxy_sync_proxy_rules_service_changes_total 3\n');
    assert.deepEqual(await get({ port: metricsPort }, '/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok' });
    assert.equal((await get({ port: metricsPort }, '/proxyMode')).body, 'nftables');
    const h = await get({ port: healthzPort }, '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.type, 'application/json');
    assert.match(h.body, /"nodeEligible": true\}$/);
    eligible = false;
    const h2 = await get({ port: healthzPort }, '/healthz');
    assert.equal(h2.status, 503);
    assert.match(h2.body, /"nodeEligible": false\}$/);
    // livez ignores the node's eligibility, as upstream.
    const l = await get({ port: healthzPort }, '/livez');
    assert.equal(l.status, 200);
    assert.doesNotMatch(l.body, /nodeEligible/);
  } finally {
    await srv.close();
  }
});

test('a status port in use is not fatal', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const used = (blocker.address() as net.AddressInfo).port;
  const srv = await startProxyStatusServers({ address: '127.0.0.1', metricsPort: used, healthzPort: await freePort(), status: status(), logger: silentLogger });
  await srv.close();
  blocker.close();
});
