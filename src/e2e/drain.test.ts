// PodDisruptionBudgets, the eviction subresource and node maintenance with the real kubectl
// 1.27 and 1.33 on a 3-node fake-runtime cluster: `kubectl get pdb`, evictions refused with
// 429 past the budget, cordon/uncordon and the node's STATUS and taint, and `kubectl drain`
// moving a Deployment's pods to the other nodes while it waits for the budget.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, clientVersion, parseTable, passClients, startCluster, writeTemp, type RunResult, type TestCluster } from './harness.js';

let c: TestCluster;
let dir: string;

before(async () => {
  c = await startCluster({ nodes: 3 });
  dir = fs.mkdtempSync(path.join(c.home, 'drain-'));
});

after(() => {
  c?.down(true);
});

/** kubectl by its versioned name, which must succeed: its stdout. */
async function kk(bin: string, args: string[]): Promise<string> {
  const r = await c.kubectl(args, { bin });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const pdbColumns = ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'];

/** kubectl with stderr watched as it comes: resolves `seen` once a line matches, `done` at exit. */
function kubectlStreaming(bin: string, args: string[], watchFor: RegExp): { seen: Promise<string>; done: Promise<RunResult> } {
  const child = spawn(bin, [`--kubeconfig=${c.kubeconfig}`, `--cache-dir=${path.join(c.home, 'kubectl-cache')}`, ...args], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
  let stdout = '';
  let stderr = '';
  let found: (line: string) => void;
  const seen = new Promise<string>((resolve) => (found = resolve));
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    const line = stderr.split('\n').find((l) => watchFor.test(l));
    if (line) found(line);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    }),
  );
  return { seen, done };
}

async function pdbRow(bin: string, ns: string): Promise<Record<string, string>> {
  const out = await kk(bin, ['get', 'pdb', 'web', '-n', ns]);
  const header = out.split('\n')[0].trim().split(/\s{2,}/);
  assert.deepEqual(header, pdbColumns);
  return parseTable(out)[0];
}

function allowedDisruptions(bin: string, ns: string, n: string): Promise<Record<string, string>> {
  return eventually(async () => {
    const row = await pdbRow(bin, ns);
    return row['ALLOWED DISRUPTIONS'] === n ? row : undefined;
  }, 30_000);
}

async function nodeStatus(bin: string, node: string): Promise<string> {
  return parseTable(await kk(bin, ['get', 'nodes', node]))[0].STATUS;
}

async function taints(node: string): Promise<string> {
  return c.k(['get', 'node', node, '-o', 'jsonpath={.spec.taints}']);
}

function scenario(bin: string, ns: string, version: string) {
  const k = (args: string[]) => kk(bin, [...args, '-n', ns]);

  test(`${version}: kubectl get pdb over a 3-replica Deployment; an eviction past the budget gets 429`, async () => {
    await kk(bin, ['create', 'namespace', ns]);
    await k(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']);
    await runningPodsIn(ns, 3);
    // A budget no eviction can pass: all 3 must stay.
    await k(['create', 'pdb', 'web', '--selector=app=web', '--min-available=3']);
    const full = await allowedDisruptions(bin, ns, '0');
    assert.deepEqual([full.NAME, full['MIN AVAILABLE'], full['MAX UNAVAILABLE']], ['web', '3', 'N/A']);

    const victim = (await runningPodsIn(ns, 3))[0].NAME;
    const eviction = writeTemp(dir, `eviction-${ns}.json`, JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim, namespace: ns } }));
    const refused = await c.kubectl(['create', '--raw', `/api/v1/namespaces/${ns}/pods/${victim}/eviction`, '-f', eviction], { bin });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Error from server \(TooManyRequests\): Cannot evict pod as it would violate the pod's disruption budget\./);

    // minAvailable 2 of 3: one disruption allowed.
    await k(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
    const row = await allowedDisruptions(bin, ns, '1');
    assert.deepEqual([row.NAME, row['MIN AVAILABLE'], row['MAX UNAVAILABLE'], row['ALLOWED DISRUPTIONS']], ['web', '2', 'N/A', '1']);
    assert.match(await k(['describe', 'pdb', 'web']), /Min available:\s+2\nSelector:\s+app=web\nStatus:\n\s+Allowed disruptions:\s+1\n\s+Current:\s+3\n\s+Desired:\s+2\n\s+Total:\s+3\n/);
    const status = JSON.parse(await k(['get', 'pdb', 'web', '-o', 'json'])).status;
    assert.deepEqual([status.expectedPods, status.currentHealthy, status.desiredHealthy, status.disruptionsAllowed], [3, 3, 2, 1]);
    assert.deepEqual(
      status.conditions.map((x: { type: string; status: string; reason: string }) => [x.type, x.status, x.reason]),
      [['DisruptionAllowed', 'True', 'SufficientPods']],
    );
  });

  test(`${version}: cordon and uncordon: SchedulingDisabled and the unschedulable taint`, async () => {
    const node = 'node-3';
    assert.equal((await kk(bin, ['cordon', node])).trim(), `node/${node} cordoned`);
    assert.equal(await nodeStatus(bin, node), 'Ready,SchedulingDisabled');
    await eventually(async () => (await taints(node)).includes('"key":"node.kubernetes.io/unschedulable"'), 20_000);
    assert.equal((await kk(bin, ['cordon', node])).trim(), `node/${node} already cordoned`);
    assert.equal((await kk(bin, ['uncordon', node])).trim(), `node/${node} uncordoned`);
    assert.equal(await nodeStatus(bin, node), 'Ready');
    await eventually(async () => !(await taints(node)).includes('node.kubernetes.io/unschedulable'), 20_000);
  });

  test(`${version}: drain refuses DaemonSet pods, local data and bare pods without the flags, then moves the pods and waits for the budget`, async () => {
    const rows = await runningPodsIn(ns, 3);
    const node = rows[0].NODE;
    const onNode = rows.filter((r) => r.NODE === node).map((r) => r.NAME);
    // A pod of no controller, with local data, on that node.
    const bare = writeTemp(
      dir,
      `bare-${ns}.yaml`,
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\n  namespace: ${ns}\nspec:\n  nodeName: ${node}\n  containers:\n  - name: c\n    image: nginx:1.25\n    volumeMounts:\n    - name: scratch\n      mountPath: /scratch\n  volumes:\n  - name: scratch\n    emptyDir: {}\n`,
    );
    await kk(bin, ['apply', '-f', bare]);
    await eventually(async () => parseTable(await k(['get', 'pod', 'bare']))[0]?.STATUS === 'Running', 30_000);

    // A DaemonSet's pod on that node, as the DaemonSet controller makes one (a controller
    // reference to the DaemonSet, its template's labels): drain only reads the reference and
    // checks that the DaemonSet exists. (Where a DaemonSet controller runs, it may replace this
    // pod with its own: the checks below name any pod of the DaemonSet.)
    const ds = JSON.parse(await kk(bin, ['create', '-o', 'json', '-f', writeTemp(dir, `agent-${ns}.yaml`, daemonSet(ns))]));
    await kk(bin, ['create', '-f', writeTemp(dir, `agent-pod-${ns}.json`, JSON.stringify(daemonSetPod(ns, node, ds.metadata.uid)))]);

    const noFlags = await c.kubectl(['drain', node, '--timeout=60s'], { bin });
    assert.notEqual(noFlags.code, 0);
    assert.match(noFlags.stderr, new RegExp(`cannot delete DaemonSet-managed Pods \\(use --ignore-daemonsets to ignore\\): (.*, )?${ns}/agent-`));
    assert.match(noFlags.stderr, new RegExp(`cannot delete Pods with local storage \\(use --delete-emptydir-data to override\\): ${ns}/bare`));
    const noForce = await c.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], { bin });
    assert.notEqual(noForce.code, 0);
    // kubectl 1.27 says "Pods declare no controller", later clients "Pods that declare no controller".
    assert.match(noForce.stderr, new RegExp(`cannot delete Pods (that )?declare no controller \\(use --force to override\\): ${ns}/bare`));
    await kk(bin, ['uncordon', node]);

    // A server dry run evicts nothing and leaves the node schedulable.
    const dry = await c.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--dry-run=server', '--timeout=60s'], { bin });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`node/${node} cordoned \\(server dry run\\)`));
    for (const name of onNode) assert.match(dry.stdout, new RegExp(`evicting pod ${ns}/${name} \\(server dry run\\)`));
    assert.match(dry.stdout, new RegExp(`node/${node} drained \\(server dry run\\)`));
    assert.equal(await nodeStatus(bin, node), 'Ready');
    assert.deepEqual((await runningPodsIn(ns, 3)).map((r) => r.NAME).sort(), rows.map((r) => r.NAME).sort());

    // The budget allows nothing: drain retries every 5s until it does.
    await k(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":3}}']);
    await allowedDisruptions(bin, ns, '0');
    const victim = onNode[0];
    const drain = kubectlStreaming(bin, ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=150s'], new RegExp(`error when evicting pods/"[^"]+" -n "${ns}"`));
    const line = await drain.seen;
    assert.equal(
      line,
      `error when evicting pods/"${onNode.find((n) => line.includes(`"${n}"`)) ?? victim}" -n "${ns}" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
    );
    await k(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
    const r = await drain.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`node/${node} cordoned`));
    assert.match(r.stderr, new RegExp(`deleting Pods (that )?declare no controller: ${ns}/bare`));
    assert.match(r.stderr, new RegExp(`ignoring DaemonSet-managed Pods: (.*, )?${ns}/agent-`));
    // The DaemonSet's pod stays on the drained node.
    assert.ok(parseTable(await k(['get', 'pods', '-l', 'app=agent', '-o', 'wide'])).some((p) => p.NODE === node));
    for (const name of onNode) assert.match(r.stdout, new RegExp(`pod/${name} evicted`));
    assert.match(r.stdout, new RegExp(`node/${node} drained`));
    assert.equal(await nodeStatus(bin, node), 'Ready,SchedulingDisabled');

    // The Deployment's pods are back, on the other nodes.
    const moved = await runningPodsIn(ns, 3);
    assert.ok(moved.every((p) => p.NODE !== node), `no pod left on ${node}: ${moved.map((p) => `${p.NAME}@${p.NODE}`).join(' ')}`);
    assert.ok(!moved.some((p) => onNode.includes(p.NAME)));
    await kk(bin, ['uncordon', node]);
    // The next client's drain meets only its own budget.
    await kk(bin, ['delete', 'namespace', ns]);
  });
}

function daemonSet(ns: string): string {
  return `apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels:\n      app: agent\n  template:\n    metadata:\n      labels:\n        app: agent\n    spec:\n      containers:\n      - name: agent\n        image: nginx:1.25\n`;
}

function daemonSetPod(ns: string, node: string, uid: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `agent-${node}`,
      namespace: ns,
      labels: { app: 'agent' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName: node, containers: [{ name: 'agent', image: 'nginx:1.25' }] },
  };
}

async function runningPodsIn(ns: string, n: number) {
  return eventually(async () => {
    const rows = parseTable(await c.k(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'wide']));
    return rows.length === n && rows.every((r) => r.STATUS === 'Running' && r.READY === '1/1') ? rows : undefined;
  }, 60_000);
}

for (const bin of passClients) {
  const v = clientVersion(bin);
  describe(`PodDisruptionBudgets and drain with kubectl ${v}`, () => scenario(bin, `drain-${v.replace('.', '')}`, `kubectl ${v}`));
}
