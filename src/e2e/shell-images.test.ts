// The shell images in pods of a real cluster, and where the cluster's own CoreDNS runs:
//   - busybox, curlimages/curl and jessie-dnsutils carry what the real images carry (busybox
//     applets; + curl; + BIND's dig/nslookup/host) and none of the host's programs;
//   - busybox's nslookup prints busybox's format against cluster DNS (REFERENCE.md's
//     tutorial output), dig +short answers the kubernetes Service's ClusterIP;
//   - a tty exec works in an image without script(1) of its own, and /etc/hosts is the pod's;
//   - kubeadm's preferred anti-affinity spreads the two coredns replicas over both nodes.
// Needs root (network namespaces) and busybox-static, curl, dnsutils (npm start installs them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { eventually, kubectlBin, parseTable, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
let c: TestCluster;

const pods: Record<string, string> = {
  bb: 'busybox:1.36',
  curl: 'curlimages/curl:8.5.0',
  dnsutils: 'registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3',
  deb: 'debian:bookworm',
};

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  for (const [name, image] of Object.entries(pods)) {
    await c.k(['run', name, `--image=${image}`, '--restart=Never', '--command', '--', 'sleep', 'infinity']);
  }
  await eventually(async () => {
    const rows = parseTable(await c.k(['get', 'pods']));
    return rows.length === Object.keys(pods).length && rows.every((r) => r.READY === '1/1');
  }, 90_000);
});

after(() => {
  c?.down(true);
});

const inPod = (pod: string, ...argv: string[]) => c.kubectl(['exec', pod, '--', ...argv]);

/** busybox nslookup's header: the server as `Address:\t<ip>:53` (BIND's nslookup writes `<ip>#53`). */
function assertBusyboxServer(out: string): void {
  assert.match(out, /^Server:\t\t10\.96\.0\.10\nAddress:\t10\.96\.0\.10:53\n/, out);
}

/** busybox nslookup's answer for the kubernetes Service (the tutorial's format). */
function assertBusyboxNslookup(out: string): void {
  assertBusyboxServer(out);
  assert.match(out, /^Name:\tkubernetes\.default\.svc\.cluster\.local\nAddress: 10\.96\.0\.1$/m, out);
}

describe('shell images', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('busybox has busybox applets only: no curl, no apt-get, no python3', async () => {
    assert.equal((await inPod('bb', 'which', 'wget')).stdout.trim(), '/bin/wget');
    for (const absent of ['apt-get', 'python3', 'curl', 'node', 'dig']) {
      const r = await inPod('bb', 'which', absent);
      assert.notEqual(r.code, 0, `${absent} is in busybox: ${r.stdout}`);
    }
    assert.match((await inPod('bb', 'sh', '-c', 'busybox | head -1')).stdout, /^BusyBox v1\.\d+/);
  });

  test("debian: bash and the machine's shell programs in a root of its own, none of the machine's files", async () => {
    assert.match((await inPod('deb', 'bash', '-c', 'echo $BASH_VERSION')).stdout, /^5\./);
    for (const hostOnly of ['/work', '/etc/debian_version', '/usr/bin/apt-get', process.execPath]) {
      const r = await inPod('deb', 'ls', hostOnly);
      assert.notEqual(r.code, 0, `${hostOnly} is visible in the debian stand-in: ${r.stdout}`);
    }
    assert.match(await c.k(['describe', 'pod', 'deb']), /StandInImage/);
  });

  test('busybox nslookup against cluster DNS prints the busybox format', async () => {
    assertBusyboxNslookup((await inPod('bb', 'nslookup', 'kubernetes.default.svc.cluster.local')).stdout);
    // A dotless name goes through the search list (busybox ignores ndots: a dotted short
    // name such as kubernetes.default is asked as it is).
    assertBusyboxNslookup((await inPod('bb', 'nslookup', 'kubernetes')).stdout);
  });

  test('curlimages/curl: curl plus busybox; its nslookup is busybox\'s', async () => {
    assert.equal((await inPod('curl', 'which', 'curl')).stdout.trim(), '/usr/bin/curl');
    assert.match((await inPod('curl', 'curl', '--version')).stdout, /^curl \d+\.\d+/);
    assert.notEqual((await inPod('curl', 'which', 'apt-get')).code, 0);
    assertBusyboxNslookup((await inPod('curl', 'nslookup', 'kubernetes.default.svc.cluster.local')).stdout);
    assertBusyboxServer((await inPod('curl', 'nslookup', 'kubernetes.default')).stdout);
  });

  test('jessie-dnsutils: dig +short answers the kubernetes Service, BIND nslookup and host are there', async () => {
    assert.equal((await inPod('dnsutils', 'dig', '+short', 'kubernetes.default.svc.cluster.local')).stdout.trim(), '10.96.0.1');
    assert.match((await inPod('dnsutils', 'nslookup', 'kubernetes.default')).stdout, /^Address: 10\.96\.0\.1$/m);
    assert.match((await inPod('dnsutils', 'host', 'kubernetes.default.svc.cluster.local')).stdout, /has address 10\.96\.0\.1/);
    assert.notEqual((await inPod('dnsutils', 'which', 'apt-get')).code, 0);
  });

  test("a tty exec runs on a pty; /etc/hosts and /etc/resolv.conf are the pod's own", async () => {
    // kubectl asks for a tty only when its own stdin is a terminal: script(1) gives it one.
    const kubectl = [kubectlBin, `--kubeconfig=${c.kubeconfig}`, 'exec', '-it', 'bb', '--', 'tty'].map((a) => `'${a}'`).join(' ');
    const tty = spawnSync('script', ['-qec', kubectl, '/dev/null'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    assert.match(tty.stdout, /\/dev\/pts\/\d+/, tty.stdout + tty.stderr);
    const ip = JSON.parse(await c.k(['get', 'pod', 'bb', '-o', 'json'])).status.podIP;
    assert.match((await inPod('bb', 'cat', '/etc/hosts')).stdout, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+bb$`, 'm'));
    assert.match((await inPod('bb', 'cat', '/etc/resolv.conf')).stdout, /^nameserver 10\.96\.0\.10$/m);
  });

  test('the two coredns replicas run on two different nodes', async () => {
    const dns = JSON.parse(await c.k(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'json'])).items as { spec: { nodeName: string } }[];
    assert.equal(dns.length, 2);
    assert.equal(new Set(dns.map((p) => p.spec.nodeName)).size, 2, dns.map((p) => p.spec.nodeName).join(', '));
    const deploy = JSON.parse(await c.k(['get', 'deployment', 'coredns', '-n', 'kube-system', '-o', 'json']));
    assert.equal(deploy.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
  });
});
