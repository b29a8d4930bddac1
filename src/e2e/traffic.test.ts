// Observability of the data plane on a real cluster (2 nodes, netns runtime): every node's
// proxy serves its metrics on <home>/nodes/<node>/metrics.sock and, inside the node, on
// kube-proxy's ports; `kanzen traffic` sums them into a per-endpoint table; an SCTP
// Service port, which the proxy cannot serve, is reported with one Warning event.
// Needs root (network namespaces); skipped otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { eventually, parseTable, runKanzen, startCluster, writeTemp, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;

let c: TestCluster;

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: nginx
        image: nginx:1.26-alpine
        readinessProbe: { httpGet: { path: /, port: 80 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 80 }]
`;

function metricsOf(node: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: path.join(c.home, 'nodes', node, 'metrics.sock'), path: '/metrics' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The endpoints of default/web that a node's proxy has programmed (series exist from the first sync, before any connection). */
async function programmedEndpoints(node: string): Promise<string[]> {
  const { body } = await metricsOf(node);
  return body
    .split('\n')
    .filter((l) => l.startsWith('kanzen_proxy_endpoint_connections_total{namespace="default",service="web",'))
    .map((l) => /endpoint="([^"]+)"/.exec(l)![1]);
}

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  await c.k(['apply', '-f', writeTemp(c.home, 'web.yaml', manifests)]);
  await c.k(['run', 'client', '--image=curlimages/curl:latest', '--restart=Never', '--', 'sleep', '3600']);
  await c.k(['wait', '--for=condition=Ready', 'pod/client', '--timeout=90s']);
  await c.k(['rollout', 'status', 'deployment/web', '--timeout=90s']);
});

after(() => {
  c?.down(true);
});

describe('data plane observability', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test("each node serves its proxy's metrics on a socket only root may open", async () => {
    for (const node of ['node-1', 'node-2']) {
      const sock = path.join(c.home, 'nodes', node, 'metrics.sock');
      assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
      const r = await metricsOf(node);
      assert.equal(r.status, 200);
      assert.match(r.body, /^# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram$/m);
      assert.match(r.body, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds [1-9]/m);
    }
  });

  test('kanzen traffic: 30 requests from a pod spread 10 on each of 3 endpoints', async () => {
    // Every proxy must know all three endpoints before the first request, or round robin
    // starts over a smaller set.
    for (const node of ['node-1', 'node-2']) await eventually(async () => (await programmedEndpoints(node)).length === 3, 30_000);
    const ip = (await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const r = await c.kubectl(['exec', 'client', '--', 'sh', '-c', `for i in $(seq 1 30); do curl -s -o /dev/null -w '%{http_code}\\n' http://${ip}/; done`], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), Array(30).fill('200'));

    const pods = parseTable(await c.k(['get', 'pods', '-l', 'app=web', '-o', 'wide']));
    const out = runKanzen(['traffic', 'web', '--name', c.name, '--home', c.home]);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.split('\n');
    assert.match(lines[0], /^ENDPOINT {2,}POD {2,}NODE {2,}ACTIVE {3}TOTAL {3}SHARE {3}BYTES IN {3}BYTES OUT$/);
    const rows = parseTable(lines.filter((l) => l.trim() && !l.startsWith('Service ')).join('\n'));
    assert.equal(rows.length, 3, out.stdout);
    for (const row of rows) {
      const pod = pods.find((p) => p.NAME === row.POD);
      assert.ok(pod, `${row.POD} is not a web pod:\n${out.stdout}`);
      assert.equal(row.ENDPOINT, `${pod.IP}:80`);
      assert.equal(row.NODE, pod.NODE);
      assert.equal(row.TOTAL, '10', out.stdout);
      assert.equal(row.SHARE, '33.3%');
      assert.match(row['BYTES IN'], /^\d+(\.\d)?(B|KiB)$/);
      assert.notEqual(row['BYTES OUT'], '0B', out.stdout);
    }
    assert.match(out.stdout, /^Service default\/web: 30 connections \(\d+ active\), 0 refused, 0 dropped; counted by the proxies of 2 nodes$/m);
  });

  // nftables mode: the kernel holds the connection, conntrack counts it (active-connections.ts).
  test('kanzen traffic shows a held-open connection as active on its endpoint, and not once it closed', async () => {
    const ip = (await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    // curl's telnet holds the connection open without a request, until -m ends it.
    const held = c.kubectl(['exec', 'client', '--', 'sh', '-c', `sleep 15 | curl -s -m 8 telnet://${ip}:80`], { timeoutMs: 60_000 });
    const traffic = () => {
      const out = runKanzen(['traffic', 'web', '--name', c.name, '--home', c.home]);
      assert.equal(out.code, 0, out.stderr);
      const rows = parseTable(out.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('Service ')).join('\n'));
      return { out: out.stdout, active: rows.map((r) => Number(r.ACTIVE)).sort() };
    };
    const during = await eventually(async () => {
      const t = traffic();
      return t.active.some((n) => n > 0) ? t : undefined;
    }, 15_000);
    assert.deepEqual(during.active, [0, 0, 1], during.out);
    assert.match(during.out, /^Service default\/web: \d+ connections \(1 active\)/m);
    await eventually(async () => traffic().active.every((n) => n === 0), 30_000);
    await held;
  });

  test('kanzen traffic counts refused connections and names a missing Service', async () => {
    await c.k(['create', 'service', 'clusterip', 'empty', '--tcp=80:80']);
    const ip = (await c.k(['get', 'svc', 'empty', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await eventually(async () => {
      const r = await c.kubectl(['exec', 'client', '--', 'curl', '-s', '-m', '2', `http://${ip}/`]);
      // curl exit 7: connection refused, the proxy's answer for a Service without endpoints.
      return r.code === 7;
    }, 30_000);
    const out = runKanzen(['traffic', 'empty', '--name', c.name, '--home', c.home]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^No endpoints for service default\/empty\.$/m);
    const missing = runKanzen(['traffic', 'nope', '--name', c.name, '--home', c.home]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'ERROR: services "nope" not found in namespace "default"\n');
    assert.match(out.stdout, /^Service default\/empty: 0 connections \(0 active\), [1-9]\d* refused, 0 dropped;/m);
  });

  test("kube-proxy's status ports answer inside the cluster", async () => {
    const nodeIP = (await c.k(['get', 'node', 'node-1', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).trim();
    const h = await c.kubectl(['exec', 'client', '--', 'curl', '-s', '-w', '\n%{http_code}', `http://${nodeIP}:10256/healthz`]);
    assert.equal(h.code, 0, h.stderr);
    const [body, code] = h.stdout.split('\n');
    assert.equal(code, '200');
    assert.match(body, /^\{"lastUpdated": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}","currentTime": ".+", "nodeEligible": true\}$/);
    const m = await c.kubectl(['exec', 'client', '--', 'curl', '-s', `http://${nodeIP}:10249/metrics`]);
    assert.match(m.stdout, /^kubeproxy_sync_proxy_rules_service_changes_total \d+$/m);
  });

  test('an SCTP Service port gets one Warning event, not one per node or per update', async () => {
    const sctp = `apiVersion: v1
kind: Service
metadata: { name: signalling }
spec:
  selector: { app: web }
  ports:
  - { name: x, protocol: SCTP, port: 1234 }
  - { name: http, port: 80 }
`;
    await c.k(['apply', '-f', writeTemp(c.home, 'sctp.yaml', sctp)]);
    const selector = 'involvedObject.kind=Service,involvedObject.name=signalling,reason=UnsupportedProtocol';
    type EventList = { items: { type: string; message: string; count: number; source: { component: string; host?: string } }[] };
    const events = async () => JSON.parse(await c.k(['get', 'events', '--field-selector', selector, '-o', 'json'])) as EventList;
    const first = await eventually(async () => ((await events()).items.length ? events() : undefined), 30_000);
    assert.equal(first.items.length, 1);
    const ev = first.items[0];
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, `kanzen's proxy does not support SCTP: port "x" (1234/SCTP) is not served`);
    assert.deepEqual(ev.source, { component: 'kube-proxy', host: 'node-1' });
    // A change that leaves the ports alone reports nothing new.
    await c.k(['label', 'svc', 'signalling', 'team=blue']);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await events();
    assert.equal(later.items.length, 1);
    assert.equal(later.items[0].count, 1);
    // The TCP port of the same Service is served.
    const ip = (await c.k(['get', 'svc', 'signalling', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const r = await c.kubectl(['exec', 'client', '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${ip}/`]);
    assert.equal(r.stdout, '200');
  });
});
