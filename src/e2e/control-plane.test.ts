// The control-plane half of the tutorial with `--runtime fake --nodes 2`, driven by the
// real kubectl: Deployments roll, ReplicaSets replace pods, Services' endpoints follow
// ready pods, garbage collection and namespace deletion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, parseTable, podRows, runningPods as runningPodsOf, startCluster, writeTemp, type PodRow, type TestCluster } from './harness.js';
import * as manifests from './tutorial-manifests.js';

let c: TestCluster;
let dir: string;

before(async () => {
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'fake'] });
  dir = fs.mkdtempSync(path.join(c.home, 'manifests-'));
});

after(() => {
  c?.down(true);
});

const pods = (selector: string): Promise<PodRow[]> => podRows(c, selector);
const runningPods = (selector: string, n: number): Promise<PodRow[]> => runningPodsOf(c, selector, n, 30_000);

describe('the tutorial on a fake-runtime cluster', () => {
  test('create deployment --replicas=3 gives 3 Running pods on node-1 and node-2 with 10.244.x IPs', async () => {
    await c.k(['create', 'deployment', 'web-app', '--image=nginx:1.26-alpine', '--replicas=3']);
    const rows = await runningPods('app=web-app', 3);
    assert.deepEqual([...new Set(rows.map((r) => r.NODE))].sort(), ['node-1', 'node-2']);
    for (const r of rows) {
      assert.match(r.NAME, /^web-app-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
      const n = r.NODE.split('-')[1];
      assert.match(r.IP, new RegExp(`^10\\.244\\.${n}\\.\\d+$`));
    }
    assert.equal(new Set(rows.map((r) => r.IP)).size, 3);
  });

  test('deleting a pod brings a replacement with a new name and a new IP', async () => {
    const before = await runningPods('app=web-app', 3);
    const victim = before[0];
    assert.equal((await c.k(['delete', 'pod', victim.NAME])).trim(), `pod "${victim.NAME}" deleted`);
    const after = await eventually(async () => {
      const rows = await runningPods('app=web-app', 3);
      return rows.some((r) => r.NAME === victim.NAME) ? undefined : rows;
    }, 30_000);
    const fresh = after.find((r) => !before.some((b) => b.NAME === r.NAME))!;
    assert.ok(fresh);
    assert.ok(!before.some((b) => b.IP === fresh.IP), `new IP ${fresh.IP} must differ from the old ones`);
  });

  test('a Service lists exactly the ready pods in get endpoints and describe', async () => {
    await c.k(['apply', '-f', writeTemp(dir, 'backend-deployment.yaml', manifests.backendDeployment)]);
    await c.k(['apply', '-f', writeTemp(dir, 'backend-service.yaml', manifests.backendService)]);
    const rows = await runningPods('app=backend', 3);
    const expected = rows.map((r) => `${r.IP}:80`).sort();
    const ep = await eventually(async () => {
      const row = parseTable(await c.k(['get', 'endpoints', 'backend-service']))[0];
      return row && row.ENDPOINTS.split(',').sort().join(',') === expected.join(',') ? row : undefined;
    });
    assert.equal(ep.NAME, 'backend-service');
    const describe = await c.k(['describe', 'service', 'backend-service']);
    const line = /^Endpoints:\s+(.*)$/m.exec(describe)![1];
    assert.deepEqual(line.split(',').sort(), expected);
    const slices = JSON.parse(await c.k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend-service', '-o', 'json'])).items;
    assert.equal(slices.length, 1);
    assert.equal(slices[0].metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slices[0].endpoints.length, 3);
  });

  test('an unready pod moves to notReadyAddresses and ready: false', async () => {
    const rows = await runningPods('app=backend', 3);
    const target = rows[0];
    await c.k(['annotate', 'pod', target.NAME, 'kanzen.io/fake-ready=false']);
    await eventually(async () => (await pods('app=backend')).find((r) => r.NAME === target.NAME)?.READY === '0/1');
    const ep = await eventually(async () => {
      const e = JSON.parse(await c.k(['get', 'endpoints', 'backend-service', '-o', 'json']));
      const notReady = (e.subsets ?? []).flatMap((s: { notReadyAddresses?: { ip: string }[] }) => s.notReadyAddresses ?? []);
      return notReady.some((a: { ip: string }) => a.ip === target.IP) ? e : undefined;
    });
    const ready = (ep.subsets ?? []).flatMap((s: { addresses?: { ip: string }[] }) => s.addresses ?? []).map((a: { ip: string }) => a.ip);
    assert.ok(!ready.includes(target.IP));
    const slice = JSON.parse(await c.k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend-service', '-o', 'json'])).items[0];
    const endpoint = slice.endpoints.find((e: { addresses: string[] }) => e.addresses[0] === target.IP);
    assert.equal(endpoint.conditions.ready, false);
    await c.k(['annotate', 'pod', target.NAME, 'kanzen.io/fake-ready-']);
  });

  test('set image rolls (rollout status finishes), rollout undo rolls back', async () => {
    assert.match(await c.k(['set', 'image', 'deployment/web-app', 'nginx=nginx:1.27-alpine']), /image updated/);
    const status = await c.kubectl(['rollout', 'status', 'deployment/web-app', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web-app" successfully rolled out/);
    const rs = parseTable(await c.k(['get', 'rs', '-l', 'app=web-app']));
    assert.equal(rs.length, 2);
    assert.deepEqual(rs.map((r) => r.DESIRED).sort(), ['0', '3']);
    const history = await c.k(['rollout', 'history', 'deployment/web-app']);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+<none>$/m);
    assert.match(await c.k(['rollout', 'undo', 'deployment/web-app']), /rolled back/);
    const again = await c.kubectl(['rollout', 'status', 'deployment/web-app', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(again.code, 0, again.stderr);
    const d = JSON.parse(await c.k(['get', 'deploy', 'web-app', '-o', 'json']));
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26-alpine');
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });

  test('scale --replicas=5 adds pods', async () => {
    assert.equal((await c.k(['scale', 'deployment/web-app', '--replicas=5'])).trim(), 'deployment.apps/web-app scaled');
    await runningPods('app=web-app', 5);
  });

  test('events carry Kubernetes reasons and show in describe', async () => {
    const events = await c.k(['get', 'events']);
    assert.match(events, /ScalingReplicaSet\s+deployment\/web-app\s+Scaled up replica set web-app-\w+ from 0 to 3/);
    assert.match(events, /SuccessfulCreate\s+replicaset\/web-app-\w+\s+Created pod: web-app-/);
    assert.match(events, /Scheduled\s+pod\/web-app-\w+-\w+\s+Successfully assigned default\/web-app-\w+-\w+ to node-\d/);
    const d = await c.k(['describe', 'deployment', 'web-app']);
    assert.match(d, /Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set/);
  });

  test('deleting the Deployment removes its ReplicaSets and pods', async () => {
    await c.k(['delete', 'deployment', 'web-app']);
    await eventually(async () => (await c.k(['get', 'rs,pods', '-l', 'app=web-app', '-o', 'name'])).trim() === '', 30_000);
  });

  test('delete --cascade=foreground returns once dependents are gone', async () => {
    await c.k(['create', 'deployment', 'fg', '--image=nginx', '--replicas=2']);
    await runningPods('app=fg', 2);
    const r = await c.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await c.k(['get', 'rs,pods', '-l', 'app=fg', '-o', 'name'])).trim(), '');
  });

  test('deleting a namespace removes its content', async () => {
    await c.k(['create', 'namespace', 'scratch']);
    await c.k(['-n', 'scratch', 'create', 'deployment', 'tmp', '--image=nginx', '--replicas=2']);
    await c.k(['-n', 'scratch', 'create', 'configmap', 'cm', '--from-literal=a=b']);
    await eventually(async () => parseTable(await c.k(['-n', 'scratch', 'get', 'pods'])).length === 2);
    const r = await c.kubectl(['delete', 'namespace', 'scratch'], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    const gone = await c.kubectl(['get', 'namespace', 'scratch']);
    assert.match(gone.stderr, /namespaces "scratch" not found/);
  });
});
