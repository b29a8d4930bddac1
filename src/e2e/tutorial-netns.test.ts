// The tutorial (../shared/seed) on a real cluster: pods are processes in network
// namespaces on two nodes, Services balance on real sockets, NodePorts and LoadBalancer IPs
// answer from the host on loopback. Needs root (network namespaces); skipped otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { eventually, inPool24, loadBalancerPool, parseTable, podRows, runKanzen, runningPods as runningPodsOf, startCluster, writeTemp, type PodRow, type TestCluster } from './harness.js';
import * as manifests from './tutorial-manifests.js';

const isRoot = process.getuid?.() === 0;
let c: TestCluster;
let dir: string;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  dir = fs.mkdtempSync(path.join(c.home, 'manifests-'));
});

after(() => {
  c?.down(true);
});

const runningPods = (selector: string, n: number): Promise<PodRow[]> => runningPodsOf(c, selector, n, 60_000);

/** curl from inside the cluster, in a long-running curl pod (the tutorial's test-pod). */
async function curlInPod(url: string, extra: string[] = []): Promise<string> {
  return c.k(['exec', 'curl', '--', 'curl', '-s', '-m', '5', ...extra, url]);
}

function hostCurl(url: string): string {
  return execFileSync('curl', ['-s', '-m', '5', url], { encoding: 'utf8' });
}

describe('the tutorial on real pods', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('3 nginx pods on node-1 and node-2 with distinct 10.244.x IPs, each answering "Welcome to nginx!"', async () => {
    await c.k(['create', 'deployment', 'nginx', '--image=nginx:1.26-alpine', '--replicas=3']);
    await c.k(['run', 'curl', '--image=curlimages/curl:latest', '--restart=Never', '--', 'sleep', '3600']);
    const rows = await runningPods('app=nginx', 3);
    assert.deepEqual([...new Set(rows.map((r) => r.NODE))].sort(), ['node-1', 'node-2']);
    assert.equal(new Set(rows.map((r) => r.IP)).size, 3);
    await runningPods('run=curl', 1);
    for (const r of rows) {
      assert.match(r.IP, new RegExp(`^10\\.244\\.${r.NODE.split('-')[1]}\\.\\d+$`));
      assert.match(await curlInPod(`http://${r.IP}`), /Welcome to nginx!/);
    }
  });

  test('kubectl exec changes only that pod\'s page', async () => {
    const rows = await runningPods('app=nginx', 3);
    await c.k(['exec', rows[0].NAME, '--', 'sh', '-c', "echo 'Pod 1 responding!' > /usr/share/nginx/html/index.html"]);
    assert.equal((await curlInPod(`http://${rows[0].IP}`)).trim(), 'Pod 1 responding!');
    assert.match(await curlInPod(`http://${rows[1].IP}`), /Welcome to nginx!/);
    // The host's own files are untouched.
    assert.ok(!fs.existsSync('/usr/share/nginx/html/index.html') || !fs.readFileSync('/usr/share/nginx/html/index.html', 'utf8').includes('Pod 1 responding!'));
  });

  test('deleting a pod brings a new one with a new IP', async () => {
    const before = await runningPods('app=nginx', 3);
    await c.k(['delete', 'pod', before[2].NAME]);
    const after = await eventually(async () => {
      const rows = await runningPods('app=nginx', 3);
      return rows.some((r) => r.NAME === before[2].NAME) ? undefined : rows;
    }, 60_000);
    const fresh = after.find((r) => !before.some((b) => b.NAME === r.NAME))!;
    assert.ok(!before.some((b) => b.IP === fresh.IP));
  });

  test('a ClusterIP Service balances round-robin over the three "Pod N responding!" pages', async () => {
    await c.k(['apply', '-f', writeTemp(dir, 'backend-deployment.yaml', manifests.backendDeployment)]);
    await c.k(['apply', '-f', writeTemp(dir, 'backend-service.yaml', manifests.backendService)]);
    const pods = await runningPods('app=backend', 3);
    for (const [i, p] of pods.entries()) {
      await c.k(['exec', p.NAME, '--', 'sh', '-c', `echo 'Pod ${i + 1} responding!' > /usr/share/nginx/html/index.html`]);
    }
    const ip = JSON.parse(await c.k(['get', 'svc', 'backend-service', '-o', 'json'])).spec.clusterIP;
    // Ready in the API comes a moment before the proxy routes to all three: wait for a
    // full rotation, then count a fresh run.
    await eventually(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) seen.add((await curlInPod(`http://${ip}`)).trim());
      return seen.size === 3 && [...seen].every((a) => a.includes('responding'));
    }, 60_000);
    const answers: string[] = [];
    for (let i = 0; i < 15; i++) answers.push((await curlInPod(`http://${ip}`)).trim());
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ['Pod 1 responding!', 'Pod 2 responding!', 'Pod 3 responding!']);
    assert.deepEqual([...counts.values()], [5, 5, 5], answers.join(' | '));
    // Round robin: every window of three consecutive answers names three different pods.
    for (let i = 0; i + 3 <= answers.length; i++) assert.equal(new Set(answers.slice(i, i + 3)).size, 3, answers.join(' | '));
  });

  test('port 8080 of custom-port-service reaches port 80 of the pods', async () => {
    await c.k(['apply', '-f', writeTemp(dir, 'custom-port-service.yaml', manifests.customPortService)]);
    const ip = JSON.parse(await c.k(['get', 'svc', 'custom-port-service', '-o', 'json'])).spec.clusterIP;
    assert.match(await eventually(async () => curlInPod(`http://${ip}:8080`), 60_000), /Pod \d responding!/);
  });

  test('NodePort 30080 answers on every node IP and on 127.0.0.1:30080 from the host', async () => {
    await c.k(['create', 'deployment', 'web', '--image=nginx:1.26-alpine', '--replicas=2']);
    await c.k(['apply', '-f', writeTemp(dir, 'web-nodeport.yaml', manifests.webNodePort)]);
    await runningPods('app=web', 2);
    const nodes = JSON.parse(await c.k(['get', 'nodes', '-o', 'json'])).items.map(
      (n: { status: { addresses: { type: string; address: string }[] } }) => n.status.addresses.find((a) => a.type === 'InternalIP')!.address,
    );
    assert.equal(nodes.length, 2);
    for (const ip of nodes) assert.match(await eventually(async () => curlInPod(`http://${ip}:30080`), 60_000), /Welcome to nginx!/);
    assert.match(await eventually(async () => hostCurl('http://127.0.0.1:30080'), 60_000), /Welcome to nginx!/);
    // As `minikube service web-nodeport --url` does.
    const urls = runKanzen(['service', 'web-nodeport', '--url', '--name', c.name, '--home', c.home]);
    assert.equal(urls.code, 0, urls.stderr);
    assert.equal(urls.stdout.trim(), 'http://127.0.0.1:30080');
    const r = await c.kubectl(['apply', '-f', writeTemp(dir, 'bad.yaml', manifests.badNodePort)]);
    assert.match(r.stderr, /provided port is not in the valid range\. The range of valid ports is 30000-32767/);
  });

  test('a LoadBalancer gets an EXTERNAL-IP that curl reaches from the host; deleting the Service frees it', async () => {
    await c.k(['apply', '-f', writeTemp(dir, 'web-loadbalancer.yaml', manifests.webLoadBalancer)]);
    const row = await eventually(async () => {
      const r = parseTable(await c.k(['get', 'svc', 'web-loadbalancer']))[0];
      return r && r['EXTERNAL-IP'] !== '<pending>' ? r : undefined;
    });
    // From the cluster's own pool: 127.0.100.0/24 when it is the only cluster on the machine.
    assert.ok(inPool24(row['EXTERNAL-IP'], loadBalancerPool(c)), `${row['EXTERNAL-IP']} in ${loadBalancerPool(c)}`);
    assert.match(row['PORT(S)'], /^80:\d+\/TCP,443:\d+\/TCP$/);
    assert.match(await eventually(async () => hostCurl(`http://${row['EXTERNAL-IP']}`), 60_000), /Welcome to nginx!/);
    await c.k(['delete', 'service', 'web-loadbalancer']);
    await eventually(async () => {
      try {
        hostCurl(`http://${row['EXTERNAL-IP']}`);
        return false;
      } catch {
        return true;
      }
    });
  });

  test('a failing readiness probe makes a pod 0/1 and takes it out of the ready endpoints', async () => {
    const manifest = manifests.backendDeployment
      .replace(/backend/g, 'probed')
      .replace('        resources:', '        readinessProbe:\n          httpGet:\n            path: /healthz\n            port: 80\n          periodSeconds: 1\n        resources:')
      .replace('replicas: 3', 'replicas: 2');
    await c.k(['apply', '-f', writeTemp(dir, 'probed.yaml', manifest)]);
    await c.k(['expose', 'deployment', 'probed-app', '--port=80', '--name=probed']);
    const pods = await eventually(async () => {
      const rows = await podRows(c, 'app=probed');
      return rows.length === 2 && rows.every((r) => r.STATUS === 'Running') ? rows : undefined;
    }, 60_000);
    // nginx answers 404 for /healthz until the file exists: both pods stay 0/1.
    assert.ok(pods.every((p) => p.READY === '0/1'));
    await c.k(['exec', pods[0].NAME, '--', 'sh', '-c', 'echo ok > /usr/share/nginx/html/healthz']);
    await eventually(async () => parseTable(await c.k(['get', 'pods', pods[0].NAME]))[0].READY === '1/1', 30_000);
    const ep = await eventually(async () => {
      const e = JSON.parse(await c.k(['get', 'endpoints', 'probed', '-o', 'json']));
      const ready = (e.subsets ?? []).flatMap((s: { addresses?: { ip: string }[] }) => s.addresses ?? []).map((a: { ip: string }) => a.ip);
      return ready.length === 1 ? e : undefined;
    });
    const notReady = (ep.subsets ?? []).flatMap((s: { notReadyAddresses?: { ip: string }[] }) => s.notReadyAddresses ?? []).map((a: { ip: string }) => a.ip);
    assert.deepEqual(notReady, [pods[1].IP]);
  });

  test('the cleanup of the tutorial', async () => {
    await c.k(['delete', 'deployment', 'backend-app', 'web']);
    await c.k(['delete', 'service', 'backend-service', 'web-nodeport']);
    await eventually(async () => parseTable(await c.k(['get', 'pods', '-l', 'app in (backend,web)'])).length === 0, 60_000);
  });

  test('kanzen down leaves no namespace, link, mount or process of the cluster', async () => {
    const pid = Number(fs.readFileSync(path.join(c.home, 'daemon.pid'), 'utf8'));
    const agents = fs
      .readdirSync(path.join(c.home, 'nodes'))
      .map((n) => path.join(c.home, 'nodes', n, 'agent.pid'))
      .filter((f) => fs.existsSync(f))
      .map((f) => Number(fs.readFileSync(f, 'utf8')));
    assert.equal(agents.length, 2);
    assert.equal(c.down().code, 0);
    for (const p of [pid, ...agents]) assert.throws(() => process.kill(p, 0), `process ${p} still alive`);
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    assert.ok(!netns.includes(`kz-${c.name}-`), netns);
    const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
    assert.ok(!/kz[0-9a-f]{6}/.test(links), links);
    const mounts = fs.readFileSync('/proc/mounts', 'utf8');
    assert.ok(!mounts.includes(c.home), 'mounts under the cluster home remain');
    // No container process either (they run from the pod folders under the home).
    const leftovers = fs.readdirSync('/proc').filter((p) => {
      if (!/^\d+$/.test(p)) return false;
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(c.home);
      } catch {
        return false;
      }
    });
    assert.deepEqual(leftovers, [], 'processes of the cluster remain');
  });
});
