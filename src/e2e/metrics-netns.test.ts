// kubectl top on real pods: a busy pod (a CPU loop bounded to 120 s by busybox timeout) shows its
// CPU, read from its cgroup by the node agent's /metrics/resource and scraped by the API server;
// an idle pod beside it shows next to none. Needs root (network namespaces); skipped otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, parseTable, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
let c: TestCluster;

const millicores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);

before(async () => {
  if (!isRoot) return;
  // metrics-server's resolution (15 s): the first windows come from the reads each pod's start
  // triggers and their quick second reading (apiserver/metrics/scrape-triggers.ts).
  delete process.env.KANZEN_METRIC_RESOLUTION_MS;
  c = await startCluster({ nodes: 1, extraArgs: ['--runtime', 'netns'] });
  await c.k(['run', 'busy', '--image=busybox:1.36', '--restart=Never', '--command', '--', 'sh', '-c', "timeout 120 sh -c 'while :; do :; done'; sleep 3600"]);
  await c.k(['run', 'idle', '--image=busybox:1.36', '--restart=Never', '--command', '--', 'sleep', '3600']);
  await c.k(['create', 'namespace', 'probe']);
  await c.k(['-n', 'probe', 'run', 'curl', '--image=curlimages/curl:latest', '--restart=Never', '--command', '--', 'sleep', '3600']);
});

after(() => {
  c?.down(true);
});

describe('kubectl top on netns pods', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('the busy pod shows CPU from its cgroup, the idle one next to none', async () => {
    await c.k(['wait', '--for=condition=Ready', 'pod/busy', 'pod/idle', '--timeout=120s']);
    const ready = Date.now();
    const rows = await eventually(async () => {
      const r = await c.kubectl(['top', 'pods']);
      if (r.code !== 0) return undefined;
      const t = parseTable(r.stdout);
      return t.length === 2 ? t : undefined;
    }, 120_000);
    process.stdout.write(`# measured: kubectl top pods had both pods ${Date.now() - ready} ms after they were Ready\n`);
    const busy = rows.find((r) => r.NAME === 'busy')!;
    const idle = rows.find((r) => r.NAME === 'idle')!;
    assert.ok(millicores(busy['CPU(cores)']) >= 50, `busy: ${busy['CPU(cores)']}`);
    assert.ok(millicores(idle['CPU(cores)']) < millicores(busy['CPU(cores)']), `idle ${idle['CPU(cores)']} vs busy ${busy['CPU(cores)']}`);
    // kubectl top rounds to Mi; the API has the working set as read (a busybox shell: a few hundred Ki).
    const raw = JSON.parse(await c.k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy']));
    const memory: string = raw.containers[0].usage.memory;
    assert.match(memory, /^[1-9]\d*(Ki|Mi)?$/, memory);
    const node = parseTable((await c.k(['top', 'nodes'])))[0];
    assert.ok(millicores(node['CPU(cores)']) >= millicores(busy['CPU(cores)']) - 1, `node ${node['CPU(cores)']}`);
    process.stdout.write(`# measured: busy ${busy['CPU(cores)']} ${raw.containers[0].usage.cpu} ${memory}, idle ${idle['CPU(cores)']} ${idle['MEMORY(bytes)']}, node ${node['CPU(cores)']} ${node['MEMORY(bytes)']}\n`);
  });

  test('metrics-server\'s Service reaches the API server that serves the group: a pod\'s token is refused by RBAC there', async () => {
    await c.k(['-n', 'probe', 'wait', '--for=condition=Ready', 'pod/curl', '--timeout=120s']);
    const script = 'curl -sk -H "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)" https://metrics-server.kube-system.svc/apis/metrics.k8s.io/v1beta1/nodes';
    const body = JSON.parse(await c.k(['-n', 'probe', 'exec', 'curl', '--', 'sh', '-c', script]));
    assert.deepEqual([body.kind, body.code, body.reason], ['Status', 403, 'Forbidden']);
    assert.equal(body.message, 'nodes.metrics.k8s.io is forbidden: User "system:serviceaccount:probe:default" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope');
  });
});
