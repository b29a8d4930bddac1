// StatefulSets through the real kubectl (1.27 and 1.33): a headless Service and a 3-replica set
// with volumeClaimTemplates; ordered start, claims, scale, rolling update in reverse order,
// rollout status/history/undo (client-side over ControllerRevisions), partition, Parallel,
// delete. The fake runtime serves the control-plane flow; the netns runtime (root) checks the
// per-pod DNS names, /etc/hosts and `hostname -f` in real pods. Each flow reports how long the
// 3-replica set took to be Ready.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, clientVersion, kubectl133Bin, parseTable, passClients, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;

function manifest(ns: string, image: string, policy = 'OrderedReady', name = 'web', whenDeleted = 'Retain'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: nginx
  namespace: ${ns}
  labels:
    app: nginx
spec:
  clusterIP: None
  selector:
    app: nginx
  ports:
  - port: 80
    name: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  serviceName: nginx
  replicas: 3
  podManagementPolicy: ${policy}
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: ${whenDeleted}
  selector:
    matchLabels:
      app: nginx
      set: ${name}
  template:
    metadata:
      labels:
        app: nginx
        set: ${name}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`;
}

interface PodJSON {
  metadata: { name: string; creationTimestamp: string; labels: Record<string, string> };
  spec: { containers: { image: string }[]; hostname?: string; subdomain?: string };
  status: { phase: string; podIP?: string; conditions?: { type: string; status: string; lastTransitionTime: string }[] };
}

async function podsOf(c: TestCluster, ns: string, set = 'web'): Promise<PodJSON[]> {
  const items = JSON.parse(await c.k(['get', 'pods', '-n', ns, '-l', `set=${set}`, '-o', 'json'])).items as PodJSON[];
  return items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

const readySince = (p: PodJSON) => p.status.conditions?.find((x) => x.type === 'Ready' && x.status === 'True')?.lastTransitionTime ?? '';

/** Applies the set and waits with `kubectl rollout status`; returns the milliseconds until all 3 are Ready. */
async function applyAndWait(c: TestCluster, bin: string, ns: string, image: string, policy?: string, name?: string, whenDeleted?: string): Promise<number> {
  const started = Date.now();
  await c.k(['apply', '-f', '-'], { input: manifest(ns, image, policy, name, whenDeleted) });
  const r = await c.kubectl(['rollout', 'status', `statefulset/${name ?? 'web'}`, '-n', ns, '--timeout=180s'], { bin, timeoutMs: 200_000 });
  assert.equal(r.code, 0, r.stderr);
  const elapsed = Date.now() - started;
  assert.match(r.stdout, /partitioned roll out complete: 3 new pods have been updated\.\.\./);
  return elapsed;
}

const figures: string[] = [];

async function controlPlaneFlow(c: TestCluster, bin: string, ns: string): Promise<void> {
  const kb = (args: string[]) => c.kubectl([...args, '-n', ns], { bin }).then((r) => {
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  });
  await c.k(['create', 'namespace', ns]);
  const ms = await applyAndWait(c, bin, ns, 'nginx:1.25');
  figures.push(`fake runtime, ${bin.endsWith('1.27') ? 'kubectl 1.27' : 'kubectl 1.33'}: 3-replica StatefulSet with volumes Ready in ${ms} ms`);

  // Pods in order: each created no earlier than its predecessor became Ready (OrderedReady).
  const pods = await podsOf(c, ns);
  assert.deepEqual(
    pods.map((p) => [p.metadata.name, p.status.phase, p.spec.hostname, p.spec.subdomain, p.metadata.labels['apps.kubernetes.io/pod-index']]),
    [
      ['web-0', 'Running', 'web-0', 'nginx', '0'],
      ['web-1', 'Running', 'web-1', 'nginx', '1'],
      ['web-2', 'Running', 'web-2', 'nginx', '2'],
    ],
  );
  for (let i = 1; i < 3; i++) assert.ok(readySince(pods[i - 1]) <= pods[i].metadata.creationTimestamp, `web-${i} created after web-${i - 1} was Ready`);
  const pvcs = parseTable(await kb(['get', 'pvc']));
  assert.deepEqual(
    pvcs.map((r) => r.NAME),
    ['www-web-0', 'www-web-1', 'www-web-2'],
  );

  // Printers.
  const sts = parseTable(await kb(['get', 'sts', '-o', 'wide']))[0];
  assert.deepEqual(Object.keys(sts), ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
  assert.deepEqual([sts.NAME, sts.READY, sts.CONTAINERS, sts.IMAGES], ['web', '3/3', 'nginx', 'nginx:1.25']);
  const revs = parseTable(await kb(['get', 'controllerrevisions']));
  assert.deepEqual(Object.keys(revs[0]), ['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
  assert.deepEqual([revs.length, revs[0].CONTROLLER, revs[0].REVISION], [1, 'statefulset.apps/web', '1']);
  assert.equal(revs[0].NAME, pods[0].metadata.labels['controller-revision-hash']);
  const described = await kb(['describe', 'sts', 'web']);
  assert.match(described, /^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
  assert.match(described, /^Update Strategy:\s+RollingUpdate$/m);
  assert.match(described, /^Volume Claims:\n\s+Name:\s+www$/m);
  const events = await kb(['get', 'events', '--field-selector', 'involvedObject.name=web']);
  assert.match(events, /create Claim www-web-0 Pod web-0 in StatefulSet web success/);
  assert.match(events, /create Pod web-2 in StatefulSet web successful/);

  // Scale down removes web-2 and keeps its claim; scale up brings it back on the same claim.
  assert.match(await kb(['scale', 'sts', 'web', '--replicas=2']), /statefulset.apps\/web scaled/);
  await eventually(async () => (await podsOf(c, ns)).map((p) => p.metadata.name).join() === 'web-0,web-1', 60_000);
  assert.equal(parseTable(await kb(['get', 'pvc'])).length, 3);
  await kb(['scale', 'sts', 'web', '--replicas=3']);
  await c.kubectl(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=120s'], { bin });

  // A new image rolls from the highest ordinal down.
  await kb(['set', 'image', 'sts/web', 'nginx=nginx:1.26']);
  const rolled = await c.kubectl(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=180s'], { bin, timeoutMs: 200_000 });
  assert.equal(rolled.code, 0, rolled.stderr);
  const after = await eventually(async () => {
    const list = await podsOf(c, ns);
    return list.length === 3 && list.every((p) => p.spec.containers[0].image === 'nginx:1.26' && p.status.phase === 'Running') ? list : undefined;
  }, 60_000);
  assert.ok(after[2].metadata.creationTimestamp <= after[1].metadata.creationTimestamp && after[1].metadata.creationTimestamp <= after[0].metadata.creationTimestamp, 'web-2 replaced first, web-0 last');

  // History and undo, computed by kubectl from the ControllerRevisions.
  const history = await kb(['rollout', 'history', 'sts/web']);
  assert.match(history, /^statefulset\.apps\/web\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
  const rev1 = await kb(['rollout', 'history', 'sts/web', '--revision=1']);
  assert.match(rev1, /Image:\s+nginx:1\.25/);
  assert.match(await kb(['rollout', 'undo', 'sts/web']), /statefulset.apps\/web rolled back/);
  await eventually(async () => (await podsOf(c, ns)).every((p) => p.spec.containers[0].image === 'nginx:1.25' && p.status.phase === 'Running'), 120_000);
  assert.match(await kb(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
  // kubectl sees that the live template already is revision 3's.
  assert.match(await kb(['rollout', 'undo', 'sts/web', '--to-revision=3']), /statefulset.apps\/web skipped rollback \(current template already matches revision 3\)/);

  // A partition updates only the ordinals at or above it.
  await kb(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
  await kb(['set', 'image', 'sts/web', 'nginx=nginx:1.27']);
  const partitioned = await c.kubectl(['rollout', 'status', 'sts/web', '-n', ns, '--timeout=120s'], { bin });
  assert.match(partitioned.stdout, /partitioned roll out complete: 1 new pods have been updated\.\.\./);
  await eventually(async () => (await podsOf(c, ns)).map((p) => p.spec.containers[0].image).join() === 'nginx:1.25,nginx:1.25,nginx:1.27', 60_000);

  // Parallel: a second set, every pod at once; its claims go with it (whenDeleted: Delete).
  await applyAndWait(c, bin, ns, 'nginx:1.25', 'Parallel', 'par', 'Delete');
  assert.deepEqual(
    (await podsOf(c, ns, 'par')).map((p) => p.metadata.name),
    ['par-0', 'par-1', 'par-2'],
  );
  await kb(['delete', 'sts', 'par']);
  await eventually(async () => parseTable(await kb(['get', 'pvc'])).every((r) => !r.NAME.startsWith('www-par-')), 60_000);

  // Deleting the set deletes its pods (garbage collector); the claims stay.
  await kb(['delete', 'sts', 'web']);
  await eventually(async () => (await podsOf(c, ns)).length === 0, 60_000);
  assert.deepEqual(
    parseTable(await kb(['get', 'pvc']))
      .map((r) => r.NAME)
      .filter((n) => n.startsWith('www-web-')),
    ['www-web-0', 'www-web-1', 'www-web-2'],
  );
}

describe('StatefulSets with the fake runtime', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => {
    c?.down(true);
    for (const f of figures) process.stdout.write(`# ${f}\n`);
  });

  for (const bin of passClients) {
    const v = clientVersion(bin);
    test(`kubectl ${v}: ordered start, claims, scale, rolling update, history, undo, partition, Parallel, delete`, () => controlPlaneFlow(c, bin, `sts-${v.replace('.', '')}`));
  }
});

describe('StatefulSet pods in network namespaces', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  let c: TestCluster;
  before(async () => {
    if (!isRoot) return;
    c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  });
  after(() => {
    c?.down(true);
  });

  test('web-N.nginx.default.svc.cluster.local resolves to the pod; /etc/hosts and hostname -f give the FQDN', async () => {
    await c.k(['run', 'dnsutils', '--image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3', '--restart=Never', '--command', '--', 'sleep', 'infinity']);
    const ms = await applyAndWait(c, kubectl133Bin, 'default', 'nginx:1.26-alpine');
    figures.push(`netns runtime: 3-replica StatefulSet with volumes Ready in ${ms} ms`);
    process.stdout.write(`# ${figures[figures.length - 1]}\n`);
    await eventually(async () => parseTable(await c.k(['get', 'pod', 'dnsutils'])).every((r) => r.READY === '1/1'), 120_000);
    const pods = await podsOf(c, 'default');
    for (const p of pods) {
      const fqdn = `${p.metadata.name}.nginx.default.svc.cluster.local`;
      const answer = await eventually(async () => {
        const a = (await c.k(['exec', 'dnsutils', '--', 'dig', '+short', fqdn])).trim();
        return a === p.status.podIP ? a : undefined;
      }, 30_000);
      assert.equal(answer, p.status.podIP, fqdn);
      // The reverse record names the pod by its hostname under the Service.
      assert.equal((await c.k(['exec', 'dnsutils', '--', 'dig', '+short', '-x', p.status.podIP!])).trim(), `${fqdn}.`);
    }
    const hosts = await c.k(['exec', 'web-1', '--', 'cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${pods[1].status.podIP!.replace(/\./g, '\\.')}\\tweb-1\\.nginx\\.default\\.svc\\.cluster\\.local\\tweb-1$`, 'm'));
    assert.equal((await c.k(['exec', 'web-1', '--', 'hostname'])).trim(), 'web-1');
    assert.equal((await c.k(['exec', 'web-1', '--', 'hostname', '-f'])).trim(), 'web-1.nginx.default.svc.cluster.local');
    // The headless Service answers with every pod.
    const all = (await c.k(['exec', 'dnsutils', '--', 'dig', '+short', 'nginx.default.svc.cluster.local'])).trim().split('\n').sort();
    assert.deepEqual(all, pods.map((p) => p.status.podIP!).sort());
  });
});
