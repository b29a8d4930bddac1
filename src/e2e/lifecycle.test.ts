// The cluster lifecycle contract: up/down/status, kubeconfig merging, two clusters at
// once, clear errors, and durability of acknowledged writes across a kill -9.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { freePort, inPool24, runKanzen, startCluster, type TestCluster } from './harness.js';
import { ApiClient, resourceFor } from '../client/api-client.js';
import { ApiError } from '../api/errors.js';
import type { ConfigMap } from '../api/types.js';
import { listClusterResources } from '../node/cluster-network.js';
import { claimant, defaultClaimsDir } from '../cli/lb-pool-claims.js';
import { clusterCgroupPids, detectCgroupMounts } from '../node/container-cgroup.js';

/** These tests do not depend on the kubectl client: run them in the first pass only. */
const skip = (process.env.KANZEN_E2E_PASS ?? '0') !== '0';
const isRoot = process.getuid?.() === 0;

/** The processes whose command line names the cluster home (supervisor, daemon, agents, anything they ran from it). */
function processesOfHome(home: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(home)) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

/** The cgroup directories named after the cluster, in every hierarchy. */
function cgroupsOf(name: string): string[] {
  const m = detectCgroupMounts();
  const roots = new Set([...Object.values(m.v1), m.unified?.root].filter((r): r is string => r !== undefined));
  return [...roots].map((r) => path.join(r, `kz-${name}`)).filter((d) => fs.existsSync(d));
}

/** Asserts that nothing of the cluster exists: processes, namespaces, links, mounts, cgroups. */
async function assertNothingLeft(name: string, home: string): Promise<void> {
  const r = await listClusterResources(name, home);
  assert.deepEqual({ ...r, processes: processesOfHome(home), cgroupProcs: clusterCgroupPids(name), cgroups: cgroupsOf(name) }, { netns: [], hostLinks: [], links: [], mounts: [], pids: [], processes: [], cgroupProcs: [], cgroups: [] });
}
const clusters: TestCluster[] = [];
after(() => {
  for (const c of clusters) c.down(true);
});

describe('lifecycle', { skip }, () => {
  test('up twice says the cluster is already running and exits 0; status reports it; down stops it', async () => {
    const c = await startCluster();
    clusters.push(c);
    const again = c.up();
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already running/);
    const st = runKanzen(['status', '--name', c.name, '--home', c.home]);
    assert.equal(st.code, 0);
    assert.match(st.stdout, /Supervisor:\s+running \(pid \d+\)/);
    assert.match(st.stdout, /Daemon:\s+running \(pid \d+\), restarts 0/);
    assert.match(st.stdout, new RegExp(`API server:\\s+https://127\\.0\\.0\\.1:${c.port}`));
    const pid = Number(fs.readFileSync(path.join(c.home, 'daemon.pid'), 'utf8'));
    const supervisor = Number(fs.readFileSync(path.join(c.home, 'supervisor.pid'), 'utf8'));
    assert.equal(c.down().code, 0);
    assert.throws(() => process.kill(pid, 0));
    assert.throws(() => process.kill(supervisor, 0));
    assert.equal(fs.existsSync(path.join(c.home, 'supervisor.pid')), false);
    assert.equal(fs.existsSync(path.join(c.home, 'run', 'apiserver.sock')), false);
    assert.equal(fs.existsSync(path.join(c.home, 'daemon.pid')), false);
    const st2 = runKanzen(['status', '--name', c.name, '--home', c.home]);
    assert.match(st2.stdout, /Daemon:\s+stopped/);
  });

  test('keys and tokens are private, the kubeconfig carries the CA and a token', async () => {
    const c = await startCluster();
    clusters.push(c);
    for (const f of ['pki/ca.key', 'pki/apiserver.key', 'pki/token', 'kubeconfig']) {
      assert.equal(fs.statSync(path.join(c.home, f)).mode & 0o777, 0o600, f);
    }
    assert.equal(fs.statSync(path.join(c.home, 'run', 'apiserver.sock')).mode & 0o777, 0o600);
    const kc = parseYaml(fs.readFileSync(c.kubeconfig, 'utf8'));
    assert.equal(kc['current-context'], c.name);
    assert.ok(kc.clusters[0].cluster['certificate-authority-data']);
    assert.equal(kc.users[0].user.token, fs.readFileSync(path.join(c.home, 'pki/token'), 'utf8').trim());
    // Two clusters at once, each answering on its own port.
    const other = await startCluster();
    clusters.push(other);
    assert.notEqual(other.port, c.port);
    assert.match(await c.k(['get', 'ns', 'default']), /Active/);
    assert.match(await other.k(['get', 'ns', 'default']), /Active/);
    other.down(true);
  });

  test('clusters side by side take different LoadBalancer pools; asking for a held one is a one-line error', async () => {
    const a = await startCluster();
    const b = await startCluster();
    clusters.push(a, b);
    const poolOf = (c: TestCluster) => /LB pool:\s+(\S+)/.exec(runKanzen(['status', '--name', c.name, '--home', c.home]).stdout)?.[1];
    const [poolA, poolB] = [poolOf(a), poolOf(b)];
    assert.match(poolA ?? '', /^127\.0\.1\d\d\.0\/24$/);
    assert.match(poolB ?? '', /^127\.0\.1\d\d\.0\/24$/);
    assert.notEqual(poolA, poolB);
    const lbIP = async (c: TestCluster) => {
      await c.k(['create', 'service', 'loadbalancer', 'web', '--tcp=80:80']);
      for (;;) {
        const ip = await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
        if (ip) return ip;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const [ipA, ipB] = await Promise.all([lbIP(a), lbIP(b)]);
    // (The Ingress controller's Service took each pool's first address.)
    assert.ok(inPool24(ipA, poolA!), `${ipA} in ${poolA}`);
    assert.ok(inPool24(ipB, poolB!), `${ipB} in ${poolB}`);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-pool-'));
    try {
      const r = runKanzen(['up', '--name', 'pool', '--home', home, '--api-port', String(await freePort()), '--lb-pool', poolA!, '--no-kubeconfig']);
      assert.notEqual(r.code, 0);
      assert.equal(r.stderr.trim().split('\n').pop(), `ERROR: the LoadBalancer pool ${poolA} is used by the cluster at ${a.home}: choose another with --lb-pool`);
    } finally {
      runKanzen(['down', '--name', 'pool', '--home', home, '--purge']);
    }
    // Down with --purge gives the range back.
    assert.equal(claimant(defaultClaimsDir(), poolA!), path.join(a.home, 'cluster.json'));
    a.down(true);
    assert.notEqual(claimant(defaultClaimsDir(), poolA!), path.join(a.home, 'cluster.json'));
  });

  test('up merges the context into $KUBECONFIG and makes it current; down --purge removes it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-kc-'));
    const userKc = path.join(dir, 'config');
    fs.writeFileSync(userKc, 'apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: {server: "https://192.0.2.1"}\ncontexts:\n- name: other\n  context: {cluster: other, user: other}\nusers:\n- name: other\n  user: {token: x}\ncurrent-context: other\n');
    const home = path.join(dir, 'home');
    const port = await freePort();
    const r = runKanzen(['up', '--name', 'kc-merge', '--home', home, '--api-port', String(port)], { KUBECONFIG: userKc });
    try {
      assert.equal(r.code, 0, r.stderr);
      const kc = parseYaml(fs.readFileSync(userKc, 'utf8'));
      assert.equal(kc['current-context'], 'kc-merge');
      assert.deepEqual(kc.contexts.map((x: { name: string }) => x.name).sort(), ['kc-merge', 'other']);
    } finally {
      const d = runKanzen(['down', '--name', 'kc-merge', '--home', home, '--purge'], { KUBECONFIG: userKc });
      assert.equal(d.code, 0);
    }
    const kc = parseYaml(fs.readFileSync(userKc, 'utf8'));
    assert.deepEqual(kc.contexts.map((x: { name: string }) => x.name), ['other']);
    assert.equal(fs.existsSync(home), false);
  });

  test('a port in use is a one-line error and a non-zero exit', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-busy-'));
    try {
      const r = runKanzen(['up', '--name', 'busy', '--home', home, '--api-port', String(port), '--no-kubeconfig']);
      assert.notEqual(r.code, 0);
      assert.equal(r.stderr.trim().split('\n').pop(), `ERROR: port ${port} on 127.0.0.1 is already in use: choose another with --api-port`);
    } finally {
      srv.close();
      runKanzen(['down', '--name', 'busy', '--home', home, '--purge']);
    }
  });
});

describe('down after a crash', { skip: skip || (!isRoot && 'needs root for network namespaces') }, () => {
  test('down leaves nothing of a netns cluster with pods', async () => {
    const c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
    clusters.push(c);
    await c.k(['create', 'deployment', 'web', '--image=nginx:1.26-alpine', '--replicas=2']);
    await c.k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(c.down().code, 0);
    await assertNothingLeft(c.name, c.home);
  });

  test('down --purge after kill -9 of the supervisor, the daemon and every agent removes every process, namespace, mount and cgroup of the cluster', async (t) => {
    const c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
    clusters.push(c);
    // Limits put the pods' processes into the cluster's cgroups too.
    await c.k(['create', 'deployment', 'web', '--image=nginx:1.26-alpine', '--replicas=3']);
    await c.k(['set', 'resources', 'deployment/web', '--limits=memory=64Mi,cpu=200m']);
    await c.k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const before = await listClusterResources(c.name, c.home);
    assert.ok(before.pids.length >= 5, `pods and agents run in the cluster's namespaces: ${before.pids}`);
    t.diagnostic(`before the crash: ${before.pids.length} processes in ${before.netns.length} namespaces, ${clusterCgroupPids(c.name).length} in ${cgroupsOf(c.name).length} cgroup tree(s)`);
    for (const f of ['supervisor.pid', 'daemon.pid', 'nodes/node-1/agent.pid', 'nodes/node-2/agent.pid']) {
      process.kill(Number(fs.readFileSync(path.join(c.home, f), 'utf8')), 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 300));
    const d = runKanzen(['down', '--name', c.name, '--home', c.home, '--purge']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /Removed what a crashed run left: \d+ process\(es\), \d+ network namespace\(s\)/);
    assert.equal(fs.existsSync(c.home), false);
    await assertNothingLeft(c.name, c.home);
  });
});

describe('durability', { skip }, () => {
  test('parallel updates of one object: each succeeds or gets 409 Conflict, none is lost', async () => {
    const c = await startCluster();
    clusters.push(c);
    const client = new ApiClient({ socketPath: path.join(c.home, 'run', 'apiserver.sock') });
    const cms = resourceFor('configmaps');
    try {
      await client.create(cms, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { n: '0' } });
      let ok = 0;
      let conflicts = 0;
      const worker = async () => {
        for (;;) {
          const cur = await client.get<ConfigMap>(cms, 'default', 'counter');
          if (Number(cur.data!.n) >= 40) return;
          try {
            await client.update(cms, { ...cur, data: { n: String(Number(cur.data!.n) + 1) } });
            ok++;
          } catch (e) {
            assert.ok(e instanceof ApiError && e.code === 409, String(e));
            assert.match(e.message, /the object has been modified; please apply your changes to the latest version and try again/);
            conflicts++;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      const final = await client.get<ConfigMap>(cms, 'default', 'counter');
      assert.equal(final.data?.n, '40');
      assert.equal(ok, 40, 'every successful update is counted exactly once');
      assert.ok(conflicts > 0, 'concurrent writers must have collided');
    } finally {
      client.close();
    }
  });

  test('kill -9 of the daemon during a write storm loses no acknowledged object', async () => {
    const c = await startCluster();
    clusters.push(c);
    const pid = Number(fs.readFileSync(path.join(c.home, 'daemon.pid'), 'utf8'));
    const acknowledged: string[] = [];
    const client = new ApiClient({ socketPath: path.join(c.home, 'run', 'apiserver.sock') });
    const cms = resourceFor('configmaps');
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop && i < 5000; i++) {
        const name = `storm-${w}-${i}`;
        try {
          await client.create(cms, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } });
          acknowledged.push(name);
        } catch {
          return;
        }
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 700));
    process.kill(pid, 'SIGKILL');
    stop = true;
    await Promise.all(writers);
    client.close();
    assert.ok(acknowledged.length > 0);
    const r = c.up();
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(await c.k(['get', 'configmaps', '-o', 'json'])).items.map((x: { metadata: { name: string } }) => x.metadata.name);
    const present = new Set(listed);
    const lost = acknowledged.filter((n) => !present.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
  });
});
