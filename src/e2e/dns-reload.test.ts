// Running pods follow their configuration, end to end: `kubectl edit configmap coredns`
// reaches the DNS pods' /etc/coredns/Corefile (the kubelet rewrites configMap volumes when
// their source changes) and the DNS server's `reload` plugin applies it — here a new TTL of
// the kubernetes plugin, seen by dig in a pod. And a container over its memory limit is
// killed in its cgroup and reported OOMKilled. Needs root (network namespaces, cgroups).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, parseTable, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
let c: TestCluster;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  // dig: the DNS debugging guide's image (curlimages/curl has none).
  await c.k(['run', 'dns-test', '--image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3', '--restart=Never', '--command', '--', 'sleep', '3600']);
  await eventually(async () => parseTable(await c.k(['get', 'pods', 'dns-test']))[0]?.READY === '1/1', 60_000);
  await eventually(async () => {
    const rows = parseTable(await c.k(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns']));
    return rows.length === 2 && rows.every((r) => r.READY === '1/1');
  }, 60_000);
});

after(() => {
  c?.down(true);
});

const name = 'kubernetes.default.svc.cluster.local';

/** The TTL of the A record dig gets for name from the cluster DNS. */
async function answerTTL(): Promise<number | undefined> {
  const out = await c.k(['exec', 'dns-test', '--', 'dig', '+noall', '+answer', name]);
  const m = new RegExp(`^${name.replace(/\./g, '\\.')}\\.\\s+(\\d+)\\s+IN\\s+A\\s+10\\.96\\.0\\.1$`, 'm').exec(out);
  return m ? Number(m[1]) : undefined;
}

describe('configuration changes reach running pods', { skip: !isRoot && 'needs root for network namespaces and cgroups' }, () => {
  test('an edited coredns ConfigMap reaches the DNS pods and is reloaded: the new kubernetes ttl is served', { timeout: 120_000 }, async () => {
    const before = await answerTTL();
    assert.ok(before !== undefined && before <= 5, `the kubernetes plugin's default TTL is 5 (got ${before})`);

    const cm = JSON.parse(await c.k(['get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'json']));
    const corefile: string = cm.data.Corefile;
    const edited = corefile.replace(/^(\s*)(fallthrough in-addr\.arpa ip6\.arpa)$/m, '$1$2\n$1ttl 7');
    assert.notEqual(edited, corefile, 'the kubernetes block has its fallthrough line');
    cm.data.Corefile = edited;
    await c.k(['replace', '-f', '-'], { input: JSON.stringify(cm) });

    // The kubelet rewrites the configMap volume within moments, not the one-minute resync.
    const dnsPods = parseTable(await c.k(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns'])).map((r) => r.NAME);
    for (const pod of dnsPods) {
      await eventually(async () => (await c.k(['exec', '-n', 'kube-system', pod, '--', 'cat', '/etc/coredns/Corefile'])) === edited, 15_000);
    }
    // reload checks every 30 s ± 15 s; the cache plugin may serve a younger answer for a moment.
    await eventually(async () => (await answerTTL()) === 7, 70_000, 1000);
  });

  test('a container over its memory limit is OOMKilled', { timeout: 60_000 }, async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hog' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'hog', image: 'curlimages/curl:latest', command: ['sh', '-c', 'sleep 1; exec tail /dev/zero'], resources: { limits: { memory: '32Mi' } } }],
      },
    };
    await c.k(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const terminated = await eventually(async () => {
      const p = JSON.parse(await c.k(['get', 'pod', 'hog', '-o', 'json']));
      return p.status?.containerStatuses?.[0]?.state?.terminated;
    }, 45_000);
    assert.equal(terminated.reason, 'OOMKilled');
    assert.equal(terminated.exitCode, 137);
    const row = parseTable(await c.k(['get', 'pod', 'hog']))[0];
    assert.equal(row.STATUS, 'OOMKilled');
  });
});
