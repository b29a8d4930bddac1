// The API server driven by the real kubectl: every command of the tutorial that needs
// only the control plane's API, printed as a real cluster prints it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { eventually, httpsGet, parseTable, startCluster, writeTemp, type TestCluster } from './harness.js';
import * as manifests from './tutorial-manifests.js';

let c: TestCluster;
let dir: string;

before(async () => {
  c = await startCluster();
  dir = fs.mkdtempSync(path.join(c.home, 'manifests-'));
});

after(() => {
  c?.down(true);
});

function inServiceCIDR(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b >= 96 && b <= 111;
}

describe('discovery and health', () => {
  test('api-resources lists the served resources with short names', async () => {
    const out = await c.k(['api-resources']);
    const rows = parseTable(out);
    const byName = new Map(rows.map((r) => [r.NAME, r]));
    assert.equal(byName.get('services')?.SHORTNAMES, 'svc');
    assert.equal(byName.get('deployments')?.SHORTNAMES, 'deploy');
    assert.equal(byName.get('deployments')?.APIVERSION, 'apps/v1');
    assert.equal(byName.get('endpoints')?.SHORTNAMES, 'ep');
    assert.equal(byName.get('endpointslices')?.APIVERSION, 'discovery.k8s.io/v1');
    assert.equal(byName.get('pods')?.NAMESPACED, 'true');
    assert.equal(byName.get('nodes')?.NAMESPACED, 'false');
  });

  test('a request with a wrong token gets 401 Unauthorized; without one, health still answers (anonymous, see rbac.test.ts)', async () => {
    const get = (p: string, headers: Record<string, string> = {}) => httpsGet(c, p, headers);
    const denied = await get('/api/v1/namespaces/default/services', { authorization: 'Bearer wrong' });
    assert.equal(denied.status, 401);
    assert.equal(JSON.parse(denied.body).reason, 'Unauthorized');
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/readyz')).body, 'ok');
  });

  test('kubectl auth can-i and whoami: every access allowed (no RBAC); the admin and service accounts are who they are', async () => {
    assert.equal((await c.k(['auth', 'can-i', 'delete', 'nodes'])).trim(), 'yes');
    const rules = (await c.k(['auth', 'can-i', '--list'])).split('\n');
    assert.match(rules[0], /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    assert.match(rules[1], /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/);
    // `auth whoami` uses authentication.k8s.io/v1, which kubectl learnt in 1.28.
    const whoami = await c.kubectl(['auth', 'whoami']);
    if (whoami.code !== 0) return assert.match(whoami.stderr, /the selfsubjectreviews API is not enabled in the cluster/);
    assert.match(whoami.stdout, /^Username\s+kubernetes-admin$/m);
    await eventually(async () => (await c.kubectl(['get', 'serviceaccount', 'default'])).code === 0, 20_000);
    const token = (await c.k(['create', 'token', 'default'])).trim();
    const asAccount = await c.k(['--token', token, 'auth', 'whoami']);
    assert.match(asAccount, /^Username\s+system:serviceaccount:default:default$/m);
    assert.match(asAccount, /^Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]$/m);
  });

  test('built-in namespaces and the kubernetes Service exist', async () => {
    const ns = parseTable(await c.k(['get', 'namespaces']));
    assert.deepEqual(ns.map((r) => r.NAME).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.ok(ns.every((r) => r.STATUS === 'Active'));
    const svc = parseTable(await c.k(['get', 'svc', 'kubernetes']))[0];
    assert.equal(svc['CLUSTER-IP'], '10.96.0.1');
    assert.equal(svc['PORT(S)'], '443/TCP');
  });
});

describe('the tutorial manifests', () => {
  test('create deployment prints what kubectl prints and stores Kubernetes defaults', async () => {
    const out = await c.k(['create', 'deployment', 'nginx', '--image=nginx:1.26-alpine', '--replicas=3']);
    assert.equal(out.trim(), 'deployment.apps/nginx created');
    const d = parseYaml(await c.k(['get', 'deploy', 'nginx', '-o', 'yaml']));
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.strategy.type, 'RollingUpdate');
    assert.equal(d.spec.strategy.rollingUpdate.maxSurge, '25%');
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');
    assert.equal(d.metadata.generation, 1);
    assert.match(d.metadata.uid, /^[0-9a-f-]{36}$/);
  });

  test('apply -f of the Deployment and Services: created, unchanged, configured', async () => {
    const dep = writeTemp(dir, 'backend-deployment.yaml', manifests.backendDeployment);
    const svc = writeTemp(dir, 'backend-service.yaml', manifests.backendService);
    assert.equal((await c.k(['apply', '-f', dep])).trim(), 'deployment.apps/backend-app created');
    assert.equal((await c.k(['apply', '-f', svc])).trim(), 'service/backend-service created');
    assert.equal((await c.k(['apply', '-f', svc])).trim(), 'service/backend-service unchanged');
    writeTemp(dir, 'backend-service.yaml', manifests.backendService.replace('name: backend-service', 'name: backend-service\n  labels:\n    tier: web'));
    assert.equal((await c.k(['apply', '-f', svc])).trim(), 'service/backend-service configured');
    const got = parseYaml(await c.k(['get', 'svc', 'backend-service', '-o', 'yaml']));
    assert.equal(got.metadata.labels.tier, 'web');
    assert.ok(got.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'].includes('backend-service'));
  });

  test('get service prints the columns of a real cluster with a ClusterIP from 10.96.0.0/12', async () => {
    const out = await c.k(['get', 'service', 'backend-service']);
    assert.match(out.split('\n')[0], /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    const row = parseTable(out)[0];
    assert.equal(row.TYPE, 'ClusterIP');
    assert.ok(inServiceCIDR(row['CLUSTER-IP']), row['CLUSTER-IP']);
    assert.equal(row['EXTERNAL-IP'], '<none>');
    assert.equal(row['PORT(S)'], '80/TCP');
    const wide = parseTable(await c.k(['get', 'svc', '-o', 'wide']));
    assert.equal(wide.find((r) => r.NAME === 'backend-service')?.SELECTOR, 'app=backend');
  });

  test('describe service shows the fields of the tutorial', async () => {
    const out = await c.k(['describe', 'service', 'backend-service']);
    assert.match(out, /^Name:\s+backend-service$/m);
    assert.match(out, /^Namespace:\s+default$/m);
    assert.match(out, /^Selector:\s+app=backend$/m);
    assert.match(out, /^Type:\s+ClusterIP$/m);
    assert.match(out, /^IP Family Policy:\s+SingleStack$/m);
    assert.match(out, /^IP Families:\s+IPv4$/m);
    assert.match(out, /^IP:\s+10\.\d+\.\d+\.\d+$/m);
    assert.match(out, /^Port:\s+http\s+80\/TCP$/m);
    assert.match(out, /^TargetPort:\s+80\/TCP$/m);
    assert.match(out, /^Session Affinity:\s+None$/m);
  });

  test('the NodePort range error and the already-allocated error are Kubernetes\' own', async () => {
    const bad = writeTemp(dir, 'bad.yaml', manifests.badNodePort);
    const r = await c.kubectl(['apply', '-f', bad]);
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      'The Service "bad-nodeport" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    const np = writeTemp(dir, 'web-nodeport.yaml', manifests.webNodePort);
    assert.equal((await c.k(['apply', '-f', np])).trim(), 'service/web-nodeport created');
    const row = parseTable(await c.k(['get', 'service', 'web-nodeport']))[0];
    assert.equal(row.TYPE, 'NodePort');
    assert.equal(row['PORT(S)'], '80:30080/TCP');
    const again = writeTemp(dir, 'web-nodeport-2.yaml', manifests.webNodePort.replace('name: web-nodeport', 'name: web-nodeport-2'));
    const r2 = await c.kubectl(['apply', '-f', again]);
    assert.notEqual(r2.code, 0);
    assert.equal(r2.stderr.trim(), 'The Service "web-nodeport-2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  });

  test('a LoadBalancer Service gets node ports for both ports and waits <pending>', async () => {
    const lb = writeTemp(dir, 'web-loadbalancer.yaml', manifests.webLoadBalancer);
    await c.k(['apply', '-f', lb]);
    const row = parseTable(await c.k(['get', 'svc', 'web-loadbalancer']))[0];
    assert.equal(row.TYPE, 'LoadBalancer');
    assert.match(row['PORT(S)'], /^80:3\d{4}\/TCP,443:3\d{4}\/TCP$/);
  });

  test('apply --server-side creates and updates', async () => {
    const f = writeTemp(dir, 'custom-port-service.yaml', manifests.customPortService);
    assert.equal((await c.k(['apply', '--server-side', '-f', f])).trim(), 'service/custom-port-service serverside-applied');
    writeTemp(dir, 'custom-port-service.yaml', manifests.customPortService.replace('port: 8080', 'port: 8081'));
    assert.equal((await c.k(['apply', '--server-side', '-f', f])).trim(), 'service/custom-port-service serverside-applied');
    const svc = JSON.parse(await c.k(['get', 'svc', 'custom-port-service', '-o', 'json']));
    assert.deepEqual(
      svc.spec.ports.map((p: { port: number }) => p.port),
      [8081],
    );
  });

  test('every manifest of the tutorial is accepted, including the multi-document one', async () => {
    const f = writeTemp(dir, 'microservices.yaml', manifests.microservices);
    const out = await c.k(['apply', '-f', f]);
    assert.match(out, /deployment.apps\/backend created/);
    assert.match(out, /service\/backend-api created/);
    assert.match(out, /deployment.apps\/frontend created/);
    const prod = writeTemp(dir, 'production.yaml', manifests.productionLoadBalancer);
    assert.equal((await c.k(['apply', '-f', prod])).trim(), 'service/production-web created');
    const svc = JSON.parse(await c.k(['get', 'svc', 'production-web', '-o', 'json']));
    assert.equal(svc.spec.externalTrafficPolicy, 'Local');
    assert.ok(svc.spec.healthCheckNodePort >= 30000);
  });

  test('unknown fields are rejected with the strict decoding error', async () => {
    const f = writeTemp(dir, 'typo.yaml', manifests.backendService.replace('name: backend-service', 'name: typo-service').replace('selector:', 'selectr:\n    x: y\n  selector:'));
    const r = await c.kubectl(['apply', '-f', f]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict decoding error: unknown field "spec.selectr"/);
  });
});

describe('changing objects', () => {
  test('scale, set image, label, annotate', async () => {
    assert.equal((await c.k(['scale', 'deployment/nginx', '--replicas=5'])).trim(), 'deployment.apps/nginx scaled');
    // The scale subresource prints as upstream's printScale: NAME DESIRED AVAILABLE AGE.
    const scale = parseTable(await c.k(['get', 'deployment', 'nginx', '--subresource=scale']));
    assert.deepEqual(Object.keys(scale[0]), ['NAME', 'DESIRED', 'AVAILABLE', 'AGE']);
    assert.deepEqual([scale[0].NAME, scale[0].DESIRED], ['nginx', '5']);
    const scaleObject = JSON.parse(await c.k(['get', 'deployment', 'nginx', '--subresource=scale', '-o', 'json']));
    assert.equal(scaleObject.kind, 'Scale');
    assert.equal(scaleObject.status.selector, 'app=nginx');
    assert.equal((await c.k(['set', 'image', 'deployment/nginx', 'nginx=nginx:1.27-alpine'])).trim(), 'deployment.apps/nginx image updated');
    assert.equal((await c.k(['label', 'deployment', 'nginx', 'team=blue'])).trim(), 'deployment.apps/nginx labeled');
    // kubectl 1.27 prints "annotate", later clients "annotated": the words are the client's own.
    assert.match((await c.k(['annotate', 'deployment', 'nginx', 'note=hello'])).trim(), /^deployment\.apps\/nginx annotated?$/);
    const d = JSON.parse(await c.k(['get', 'deploy', 'nginx', '-o', 'json']));
    assert.equal(d.spec.replicas, 5);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27-alpine');
    assert.equal(d.metadata.labels.team, 'blue');
    assert.equal(d.metadata.annotations.note, 'hello');
    assert.equal(d.metadata.generation, 3);
    assert.equal((await c.k(['label', 'deployment', 'nginx', 'team-'])).trim(), 'deployment.apps/nginx unlabeled');
  });

  test('patch of each type', async () => {
    await c.k(['patch', 'deployment', 'nginx', '--type=merge', '-p', '{"spec":{"minReadySeconds":2}}']);
    await c.k(['patch', 'deployment', 'nginx', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    await c.k(['patch', 'deployment', 'nginx', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']);
    const d = JSON.parse(await c.k(['get', 'deploy', 'nginx', '-o', 'json']));
    assert.equal(d.spec.minReadySeconds, 2);
    assert.equal(d.spec.replicas, 4);
    // Without $setElementOrder, a strategic merge patch puts new list items first (upstream's order).
    assert.deepEqual(
      d.spec.template.spec.containers.map((x: { name: string }) => x.name),
      ['sidecar', 'nginx'],
    );
    const r = await c.kubectl(['patch', 'deployment', 'nginx', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    assert.notEqual(r.code, 0);
  });

  test('edit with a scripted editor', async () => {
    const editor = writeTemp(dir, 'editor.sh', '#!/bin/sh\nsed -i "s/replicas: 4/replicas: 2/" "$1"\n');
    fs.chmodSync(editor, 0o755);
    const out = await c.k(['edit', 'deployment', 'nginx'], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
    assert.equal(out.trim(), 'deployment.apps/nginx edited');
    const d = JSON.parse(await c.k(['get', 'deploy', 'nginx', '-o', 'json']));
    assert.equal(d.spec.replicas, 2);
  });

  test('get all lists Services and Deployments by category', async () => {
    const out = await c.k(['get', 'all']);
    assert.match(out, /^service\/backend-service\s+ClusterIP/m);
    assert.match(out, /^service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1/m);
    assert.match(out, /^deployment\.apps\/nginx\s+/m);
  });

  test('get -w prints changes as they happen', async () => {
    const watcher = c.kubectl(['get', 'svc', '-w', '--request-timeout=8s'], { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await c.k(['create', 'service', 'clusterip', 'watched', '--tcp=80:80']);
    const r = await watcher;
    assert.match(r.stdout, /^watched\s+ClusterIP\s+10\./m);
    assert.match(r.stdout, /^NAME\s+TYPE\s+CLUSTER-IP/m);
  });

  test('delete with --cascade=foreground and background', async () => {
    assert.equal((await c.k(['delete', 'service', 'watched'])).trim(), 'service "watched" deleted');
    assert.equal((await c.k(['delete', 'deployment', 'frontend', '--cascade=foreground'])).trim(), 'deployment.apps "frontend" deleted');
    const r = await c.kubectl(['get', 'deployment', 'frontend']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /deployments.apps "frontend" not found/);
  });
});

describe('allocations survive a restart', () => {
  test('ClusterIPs and NodePorts are stable across down and up', async () => {
    const before = JSON.parse(await c.k(['get', 'svc', '-o', 'json'])).items.map((s: { metadata: { name: string }; spec: { clusterIP: string } }) => [s.metadata.name, s.spec.clusterIP]);
    assert.equal(c.down().code, 0);
    const r = c.up();
    assert.equal(r.code, 0, r.stderr);
    const after = JSON.parse(await c.k(['get', 'svc', '-o', 'json'])).items.map((s: { metadata: { name: string }; spec: { clusterIP: string } }) => [s.metadata.name, s.spec.clusterIP]);
    assert.deepEqual(after, before);
    const np = writeTemp(dir, 'web-nodeport-3.yaml', manifests.webNodePort.replace('name: web-nodeport', 'name: web-nodeport-3'));
    const r2 = await c.kubectl(['apply', '-f', np]);
    assert.match(r2.stderr, /provided port is already allocated/);
    await eventually(async () => (await c.kubectl(['get', 'ns'])).code === 0);
  });
});
