// The tutorial's DNS section, in pods of a real cluster: short names, namespace-qualified
// names and FQDNs reach the Service; nslookup prints the name and the ClusterIP; the
// coredns pods and ConfigMap are in kube-system. Needs root (network namespaces).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, parseTable, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
let c: TestCluster;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  await c.k(['create', 'deployment', 'backend', '--image=nginx:1.26-alpine', '--replicas=2']);
  await c.k(['expose', 'deployment', 'backend', '--port=80', '--name=backend-service']);
  await c.k(['run', 'dns-test', '--image=curlimages/curl:latest', '--restart=Never', '--', 'sleep', '3600']);
  // dig lives in the DNS debugging guide's image, not in curlimages/curl.
  await c.k(['run', 'dnsutils', '--image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3', '--restart=Never', '--command', '--', 'sleep', 'infinity']);
  await eventually(async () => {
    const rows = parseTable(await c.k(['get', 'pods']));
    return rows.length === 4 && rows.every((r) => r.READY === '1/1');
  }, 60_000);
});

after(() => {
  c?.down(true);
});

const inPod = (...argv: string[]) => c.k(['exec', 'dns-test', '--', ...argv]);
const dig = (...args: string[]) => c.k(['exec', 'dnsutils', '--', 'dig', ...args]);

describe('cluster DNS in pods', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('the coredns pods and the Corefile are in kube-system, kube-dns at 10.96.0.10', async () => {
    const pods = parseTable(await c.k(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns']));
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => /^coredns-[a-z0-9]+-[a-z0-9]{5}$/.test(p.NAME) && p.READY === '1/1' && p.STATUS === 'Running'));
    const cm = JSON.parse(await c.k(['get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'json']));
    assert.match(cm.data.Corefile, /kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{\n\s+pods insecure\n\s+fallthrough in-addr\.arpa ip6\.arpa\n\s+\}/);
    const svc = parseTable(await c.k(['get', 'svc', '-n', 'kube-system', 'kube-dns']))[0];
    assert.equal(svc['CLUSTER-IP'], '10.96.0.10');
    assert.equal(svc['PORT(S)'], '53/UDP,53/TCP,9153/TCP');
  });

  test('resolv.conf is ClusterFirst', async () => {
    const conf = await inPod('cat', '/etc/resolv.conf');
    assert.match(conf, /^nameserver 10\.96\.0\.10$/m);
    assert.match(conf, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
    assert.match(conf, /^options ndots:5$/m);
  });

  test('nslookup backend-service prints the FQDN and the ClusterIP', async () => {
    const ip = JSON.parse(await c.k(['get', 'svc', 'backend-service', '-o', 'json'])).spec.clusterIP;
    // busybox's nslookup asks every search domain and exits 1 for the ones that have no
    // such name (its "** server can't find …: NXDOMAIN" lines), as in a real cluster.
    const out = (await c.kubectl(['exec', 'dns-test', '--', 'nslookup', 'backend-service'])).stdout;
    assert.match(out, /^Server:\t\t10\.96\.0\.10\nAddress:\t10\.96\.0\.10:53$/m);
    assert.match(out, new RegExp(`^Name:\\tbackend-service\\.default\\.svc\\.cluster\\.local\\nAddress: ${ip.replace(/\./g, '\\.')}$`, 'm'));
    const k8s = await inPod('nslookup', 'kubernetes.default.svc.cluster.local');
    assert.match(k8s, /^Name:\s+kubernetes\.default\.svc\.cluster\.local\nAddress: 10\.96\.0\.1$/m);
  });

  test('curl by short name, namespace-qualified name and FQDN reaches the Service', async () => {
    for (const host of ['backend-service', 'backend-service.default', 'backend-service.default.svc.cluster.local']) {
      assert.match(await inPod('curl', '-s', '-m', '5', `http://${host}`), /Welcome to nginx!/, host);
    }
  });

  test('records follow changes: a new Service resolves, a deleted one stops resolving', async () => {
    await c.k(['create', 'service', 'clusterip', 'late', '--tcp=80:80']);
    const ip = JSON.parse(await c.k(['get', 'svc', 'late', '-o', 'json'])).spec.clusterIP;
    await eventually(async () => (await dig('+short', 'late.default.svc.cluster.local')).trim() === ip);
    await c.k(['delete', 'service', 'late']);
    await eventually(async () => /status: NXDOMAIN/.test(await dig('late.default.svc.cluster.local')));
  });

  test('SRV for a named port and a headless Service answer with endpoint records', async () => {
    const srv = await dig('+short', 'SRV', '_http._tcp.kube-dns.kube-system.svc.cluster.local');
    assert.equal(srv.trim(), '');
    const dnsSrv = await dig('+short', 'SRV', '_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local');
    assert.match(dnsSrv, /^0 100 53 kube-dns\.kube-system\.svc\.cluster\.local\.$/m);
    await c.k(['create', 'service', 'clusterip', 'headless', '--clusterip=None', '--tcp=80:80']);
    await c.k(['set', 'selector', 'service', 'headless', 'app=backend']);
    const podIPs = JSON.parse(await c.k(['get', 'pods', '-l', 'app=backend', '-o', 'json'])).items.map((p: { status: { podIP: string } }) => p.status.podIP).sort();
    const answer = await eventually(async () => {
      const a = (await dig('+short', 'headless.default.svc.cluster.local')).trim().split('\n').filter(Boolean).sort();
      return a.length === podIPs.length ? a : undefined;
    });
    assert.deepEqual(answer, podIPs);
  });
});
