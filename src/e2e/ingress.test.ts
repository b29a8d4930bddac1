// The built-in Ingress controller on a real cluster (netns runtime): the add-on's controller
// pod serves two Services behind host and path rules on its LoadBalancer IP, curl from the
// host reaches each backend and gets 404 for a path no rule matches, `kubectl get ingress`
// (1.27 and 1.33) shows that IP as the ADDRESS, and HTTPS picks the TLS Secret's certificate
// (made with a test CA) by SNI, the self-signed default one otherwise; a pod reaches the same
// rules through the controller's Service. Traffic stays on the host's loopback pool and in the
// cluster's namespaces. Needs root (network namespaces); skipped otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { createCA, createServingCert } from '../cli/pki.js';
import { ingressControllerName } from '../cli/ingress-addon.js';
import { fakeCertificateName } from '../ingress/default-certificate.js';
import { clientVersion, eventually, kubectlClient, parseTable, passClients, runKanzen, startCluster, writeTemp, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
const host = 'fruits.example';

let c: TestCluster;
let dir: string;
/** The controller Service's pool address. */
let lbIP: string;
let caFile: string;

const backend = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
      - name: echo
        image: hashicorp/http-echo:1.0.0
        args: ["-text=${name}"]
        ports: [{ name: http, containerPort: 5678 }]
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

// apple by port number, banana by port name; TLS for the host from fruits-tls.
const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: fruits }
spec:
  tls:
  - hosts: [${host}]
    secretName: fruits-tls
  rules:
  - host: ${host}
    http:
      paths:
      - { path: /apple, pathType: Prefix, backend: { service: { name: apple, port: { number: 80 } } } }
      - { path: /banana, pathType: Exact, backend: { service: { name: banana, port: { name: http } } } }
`;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 1, extraArgs: ['--runtime', 'netns'] });
  dir = fs.mkdtempSync(path.join(c.home, 'manifests-'));
  const ca = createCA('ingress-e2e');
  const serving = createServingCert(ca.cert, ca.key, [], [host], host);
  caFile = writeTemp(dir, 'ca.crt', ca.cert);
  const certFile = writeTemp(dir, 'tls.crt', serving.cert);
  const keyFile = writeTemp(dir, 'tls.key', serving.key);
  await c.k(['create', 'secret', 'tls', 'fruits-tls', `--cert=${certFile}`, `--key=${keyFile}`]);
  await c.k(['apply', '-f', writeTemp(dir, 'backends.yaml', `${backend('apple')}---\n${backend('banana')}`)]);
  await c.k(['apply', '-f', writeTemp(dir, 'ingress.yaml', ingress)]);
  await c.k(['run', 'client', '--image=curlimages/curl:latest', '--restart=Never', '--', 'sleep', '3600']);
  await c.k(['rollout', 'status', 'deployment/apple', 'deployment/banana', '--timeout=120s']);
  await c.k(['wait', '--for=condition=Ready', 'pod/client', '--timeout=120s']);
  await c.k(['rollout', 'status', '-n', 'kube-system', `deployment/${ingressControllerName}`, '--timeout=120s']);
  lbIP = await eventually(async () => (await c.k(['get', 'svc', '-n', 'kube-system', ingressControllerName, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])) || undefined, 60_000);
});

after(() => {
  c?.down(true);
});

/** curl from the host: the status code and the body. */
function curl(args: string[]): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-m', '5', '-w', '\n%{http_code}', ...args], (err, stdout, stderr) => {
      if (err) return reject(new Error(`curl ${args.join(' ')}: ${stderr || err.message}`));
      const at = stdout.lastIndexOf('\n');
      resolve({ code: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) });
    });
  });
}

// http-echo ends its text with a newline.
const get = (p: string) => curl(['-H', `Host: ${host}`, `http://${lbIP}${p}`]);

/** The subject CN of the certificate the controller presents for this server name. */
function presentedCN(servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: lbIP, port: 443, servername, rejectUnauthorized: false }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.end();
      resolve(String(cn));
    });
    s.on('error', reject);
  });
}

describe('the built-in Ingress controller', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('the default IngressClass kanzen is filled in and the controller pod runs in kube-system', async () => {
    const classes = parseTable(await c.k(['get', 'ingressclass']));
    assert.deepEqual(classes.map((r) => [r.NAME, r.CONTROLLER]), [['kanzen', 'kanzen.io/ingress-controller']]);
    assert.equal(await c.k(['get', 'ingress', 'fruits', '-o', 'jsonpath={.spec.ingressClassName}']), 'kanzen');
    const svc = parseTable(await c.k(['get', 'svc', '-n', 'kube-system', ingressControllerName]))[0];
    assert.equal(svc.TYPE, 'LoadBalancer');
    assert.equal(svc['EXTERNAL-IP'], lbIP);
    assert.match(svc['PORT(S)'], /^80:\d+\/TCP,443:\d+\/TCP$/);
    // kanzen's own image: the kubelet never asks a registry for it.
    const podEventReasons = async () =>
      (await c.k(['get', 'events', '-n', 'kube-system', '--field-selector', 'involvedObject.kind=Pod', '-o', 'jsonpath={range .items[*]}{.involvedObject.name} {.reason}{"\\n"}{end}']))
        .split('\n')
        .filter((l) => /^kanzen-ingress-[a-z0-9]+-[a-z0-9]{5} /.test(l))
        .map((l) => l.split(' ')[1]);
    // Events are sent in the background: the one for the image may trail the pod's readiness.
    const reasons = await eventually(async () => {
      const r = await podEventReasons();
      return r.includes('StandInImage') && r;
    }, 30_000);
    assert.ok(!reasons.includes('Pulling'), reasons.join(','));
  });

  test("the controller's ServiceAccount may read what it routes by and write Ingress status, nothing more", async () => {
    const as = `--as=system:serviceaccount:kube-system:${ingressControllerName}`;
    const canI = async (...args: string[]) => (await c.kubectl(['auth', 'can-i', ...args, as])).stdout.trim();
    for (const r of ['ingresses.networking.k8s.io', 'ingressclasses.networking.k8s.io', 'services', 'endpointslices.discovery.k8s.io', 'secrets']) {
      assert.equal(await canI('watch', r, '-A'), 'yes', r);
    }
    assert.equal(await canI('update', 'ingresses.networking.k8s.io', '--subresource=status', '-A'), 'yes');
    assert.equal(await canI('update', 'ingresses.networking.k8s.io', '-A'), 'no');
    assert.equal(await canI('delete', 'secrets', '-A'), 'no');
  });

  test('host and path rules reach each backend from the host; what matches no rule gets 404', async () => {
    // The first table may still be on its way once the pod is ready.
    await eventually(async () => (await get('/apple')).code === 200, 30_000);
    assert.deepEqual(await get('/apple'), { code: 200, body: 'apple\n' });
    assert.deepEqual(await get('/apple/seeds'), { code: 200, body: 'apple\n' });
    assert.deepEqual(await get('/banana'), { code: 200, body: 'banana\n' });
    assert.equal((await get('/banana/peel')).code, 404);
    assert.equal((await get('/cherry')).code, 404);
    assert.equal((await curl(['-H', 'Host: other.example', `http://${lbIP}/apple`])).code, 404);
  });

  test("inside the cluster, a pod reaches the rules through the controller Service's DNS name", async () => {
    const out = await c.k(['exec', 'client', '--', 'curl', '-s', '-m', '5', '-H', `Host: ${host}`, `http://${ingressControllerName}.kube-system/banana`]);
    assert.equal(out, 'banana\n');
  });

  for (const bin of passClients) {
    test(`kubectl ${clientVersion(bin)} get ingress shows the LoadBalancer IP as the ADDRESS`, async () => {
      const { k } = kubectlClient(c, bin);
      const row = await eventually(async () => {
        const r = parseTable(await k(['get', 'ingress', 'fruits']))[0];
        return r?.ADDRESS ? r : undefined;
      }, 30_000);
      assert.deepEqual([row.CLASS, row.HOSTS, row.ADDRESS, row.PORTS], ['kanzen', host, lbIP, '80, 443']);
    });
  }

  test('HTTPS: SNI picks the TLS Secret (verified against the test CA); other names get the default certificate', async () => {
    const r = await curl(['--resolve', `${host}:443:${lbIP}`, '--cacert', caFile, `https://${host}/apple`]);
    assert.deepEqual(r, { code: 200, body: 'apple\n' });
    assert.equal(await presentedCN(host), host);
    assert.equal(await presentedCN('unknown.example'), fakeCertificateName);
  });
  test('HTTP/2: curl --http2 to the LoadBalancer IP negotiates h2 and reaches the backend', async () => {
    const r = await curl(['--http2', '--resolve', `${host}:443:${lbIP}`, '--cacert', caFile, '-o', '/dev/null', '-w', '%{http_version}\n%{http_code}', `https://${host}/apple`]);
    assert.equal(r.body, '2');
    assert.equal(r.code, 200);
  });

  test('kanzen traffic ingress/fruits: requests per rule and endpoint, from the controller metrics', async () => {
    const rows = () => {
      const r = runKanzen(['traffic', 'ingress/fruits', '--name', c.name, '--home', c.home]);
      assert.equal(r.code, 0, r.stderr);
      return { rows: parseTable(r.stdout.split('\n\n')[0]), summary: r.stdout.trim().split('\n').pop() ?? '' };
    };
    const count = (t: ReturnType<typeof rows>, p: string) => t.rows.filter((r) => r.PATH === p).reduce((n, r) => n + Number(r.REQUESTS), 0);
    const before = rows();
    for (let i = 0; i < 5; i++) assert.equal((await get('/apple')).code, 200);
    for (let i = 0; i < 2; i++) assert.equal((await get('/banana')).code, 200);
    const after = rows();
    assert.equal(count(after, '/apple') - count(before, '/apple'), 5);
    assert.equal(count(after, '/banana') - count(before, '/banana'), 2);
    const apple = after.rows.find((r) => r.PATH === '/apple')!;
    assert.equal(apple.HOST, host);
    assert.equal(apple.BACKEND, 'apple:80');
    assert.match(apple.ENDPOINT, /^[\d.]+:5678$/);
    assert.match(apple.POD, /^apple-[a-z0-9]+-[a-z0-9]{5}$/);
    assert.equal(apple.SHARE, '100.0%');
    assert.match(after.summary, /^Ingress default\/fruits: \d+ requests; counted by 1 controller pod \(kube-system\/kanzen-ingress\)$/);
    const missing = runKanzen(['traffic', 'ingress/nope', '--name', c.name, '--home', c.home]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ingresses.networking.k8s.io "nope" not found in namespace "default"/);
  });
});
