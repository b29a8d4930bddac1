// PriorityClass, LimitRange and ResourceQuota on a fake-runtime cluster, driven by the real
// kubectl 1.27 and 1.33: the built-in classes and a pod's resolved priority, LimitRanger
// defaults and refusals, quota refusals as kubectl prints them, kubectl describe of both
// policies, and a Deployment whose ReplicaSet records FailedCreate past its quota.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, eventually, parseTable, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ nodes: 1 });
});

after(() => {
  c?.down(true);
});

const podManifest = (name: string, ns: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${extra}  containers:
  - name: app
    image: nginx
`;

for (const bin of passClients) {
  const v = clientVersion(bin).replace('.', '');
  const run = (args: string[], input?: string) => c.kubectl(args, { input, bin });
  const k = async (args: string[], input?: string): Promise<string> => {
    const r = await run(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  /** What quota q in ns has used of resource, as kubectl's jsonpath reads it. */
  const used = (ns: string, resource: string) => k(['get', 'quota', 'q', '-n', ns, '-o', `jsonpath={.status.used.${resource.replace(/\./g, '\\.')}}`]);
  /** A new namespace with quota q of these hard limits, once the controller has written its usage. */
  const namespaceWithQuota = async (ns: string, hard: Record<string, string>) => {
    await k(['create', 'namespace', ns]);
    await k(['create', 'quota', 'q', `--hard=${Object.entries(hard).map(([r, n]) => `${r}=${n}`).join(',')}`, '-n', ns]);
    await eventually(async () => (await used(ns, Object.keys(hard)[0])) !== '');
  };

  describe(`policy resources with kubectl ${clientVersion(bin)}`, () => {
    test('PriorityClass: the system classes, a pod resolved to its class, an unknown class refused', async () => {
      const rows = parseTable(await k(['get', 'pc']));
      assert.deepEqual(Object.keys(rows[0]), ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
      const system = rows.find((r) => r.NAME === 'system-node-critical');
      assert.deepEqual([system?.VALUE, system?.['GLOBAL-DEFAULT'], system?.PREEMPTIONPOLICY], ['2000001000', 'false', 'PreemptLowerPriority']);
      assert.equal(rows.find((r) => r.NAME === 'system-cluster-critical')?.VALUE, '2000000000');

      const ns = `prio-${v}`;
      await k(['create', 'namespace', ns]);
      await k(['create', 'priorityclass', `high-${v}`, '--value=1000', '--description=important']);
      await k(['create', '-f', '-'], podManifest('urgent', ns, `  priorityClassName: high-${v}\n`));
      assert.equal(await k(['get', 'pod', 'urgent', '-n', ns, '-o', 'jsonpath={.spec.priority} {.spec.preemptionPolicy}']), '1000 PreemptLowerPriority');
      const unknown = await run(['create', '-f', '-'], podManifest('x', ns, '  priorityClassName: foo\n'));
      assert.notEqual(unknown.code, 0);
      assert.equal(unknown.stderr, 'Error from server (Forbidden): error when creating "STDIN": pods "x" is forbidden: no PriorityClass with name foo was found\n');
      // Cluster DNS runs as upstream's CoreDNS does.
      assert.equal(await k(['get', 'deployment', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.priorityClassName}']), 'system-cluster-critical');
    });

    test('LimitRange: defaults a pod, refuses a container past max, and kubectl describe prints it', async () => {
      const ns = `limits-${v}`;
      await k(['create', 'namespace', ns]);
      await k(['apply', '-f', '-'], `apiVersion: v1
kind: LimitRange
metadata:
  name: bounds
  namespace: ${ns}
spec:
  limits:
  - type: Container
    max:
      cpu: "1"
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 100m
      memory: 128Mi
`);
      assert.deepEqual(parseTable(await k(['get', 'limits', '-n', ns])).map((r) => r.NAME), ['bounds']);
      await k(['run', 'plain', '--image=nginx', '-n', ns]);
      const resources = JSON.parse(await k(['get', 'pod', 'plain', '-n', ns, '-o', 'jsonpath={.spec.containers[0].resources}']));
      assert.deepEqual(resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
      const big = await run(['run', 'big', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx', resources: { limits: { cpu: '2' } } }] } })]);
      assert.notEqual(big.code, 0);
      assert.equal(big.stderr, 'Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2\n');
      const described = await k(['describe', 'limitrange', 'bounds', '-n', ns]);
      assert.match(described, /^Name:\s+bounds$/m);
      assert.match(described, /^Type\s+Resource\s+Min\s+Max\s+Default Request\s+Default Limit\s+Max Limit\/Request Ratio$/m);
      assert.match(described, /^Container\s+cpu\s+-\s+1\s+100m\s+500m\s+-$/m);
      assert.match(described, /^Container\s+memory\s+-\s+-\s+128Mi\s+256Mi\s+-$/m);
    });

    test('ResourceQuota: kubectl create quota, the third pod refused as kubectl prints it, describe and get show Used/Hard', async () => {
      const ns = `quota-${v}`;
      await namespaceWithQuota(ns, { pods: '2' });
      await k(['run', 'p1', '--image=nginx', '-n', ns]);
      await k(['run', 'p2', '--image=nginx', '-n', ns]);
      const third = await run(['run', 'p3', '--image=nginx', '-n', ns]);
      assert.notEqual(third.code, 0);
      assert.equal(third.stderr, 'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2\n');
      const described = await k(['describe', 'quota', 'q', '-n', ns]);
      assert.match(described, /^Resource\s+Used\s+Hard$/m);
      assert.match(described, /^pods\s+2\s+2$/m);
      const [row] = parseTable(await k(['get', 'quota', '-n', ns]));
      assert.deepEqual([row.NAME, row.REQUEST, row.LIMIT], ['q', 'pods: 2/2', '']);
    });

    test('quota on updates: a Service turned NodePort or LoadBalancer is charged its node ports and load balancer', async () => {
      const ns = `svc-quota-${v}`;
      await namespaceWithQuota(ns, { 'services.nodeports': '1', 'services.loadbalancers': '0' });
      await k(['create', 'service', 'clusterip', 'web', '--tcp=80:80,81:81', '-n', ns]);
      const nodePort = await run(['patch', 'service', 'web', '-n', ns, '-p', '{"spec":{"type":"NodePort"}}']);
      assert.notEqual(nodePort.code, 0);
      assert.equal(nodePort.stderr, 'Error from server (Forbidden): services "web" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1\n');
      await k(['create', 'service', 'clusterip', 'one', '--tcp=80:80', '-n', ns]);
      await k(['patch', 'service', 'one', '-n', ns, '-p', '{"spec":{"type":"NodePort"}}']);
      assert.equal(await used(ns, 'services.nodeports'), '1');
      const described = await k(['describe', 'quota', 'q', '-n', ns]);
      assert.match(described, /^services\.loadbalancers\s+0\s+0$/m);
      assert.match(described, /^services\.nodeports\s+1\s+1$/m);
      const lb = await run(['patch', 'service', 'one', '-n', ns, '-p', '{"spec":{"type":"LoadBalancer"}}']);
      assert.equal(lb.stderr, 'Error from server (Forbidden): services "one" is forbidden: exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0\n');
      // Back to ClusterIP costs nothing; the controller gives the node port back.
      await k(['patch', 'service', 'one', '-n', ns, '--type=merge', '-p', '{"spec":{"type":"ClusterIP","ports":[{"port":80,"targetPort":80,"nodePort":null}]}}']);
      await eventually(async () => (await used(ns, 'services.nodeports')) === '0');
    });

    test('updates of claims: LimitRanger refuses a resize past its max, quota one past requests.storage', async () => {
      const ns = `pvc-policy-${v}`;
      await k(['create', 'namespace', ns]);
      await k(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: `expandable-${v}` },
        provisioner: 'rancher.io/local-path',
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
      }));
      await k(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', namespace: ns },
        spec: { storageClassName: `expandable-${v}`, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
      }));
      await k(['run', 'user', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }], containers: [{ name: 'user', image: 'nginx', volumeMounts: [{ name: 'd', mountPath: '/d' }] }] } })]);
      await eventually(async () => (await k(['get', 'pvc', 'data', '-n', ns, '-o', 'jsonpath={.status.phase}'])) === 'Bound', 60_000);
      await k(['create', 'quota', 'q', '--hard=requests.storage=15Mi', '-n', ns]);
      await eventually(async () => (await used(ns, 'requests.storage')) === '10Mi');
      const grow = (size: string) => run(['patch', 'pvc', 'data', '-n', ns, '-p', JSON.stringify({ spec: { resources: { requests: { storage: size } } } })]);
      const past = await grow('20Mi');
      assert.equal(past.stderr, 'Error from server (Forbidden): persistentvolumeclaims "data" is forbidden: exceeded quota: q, requested: requests.storage=10Mi, used: requests.storage=10Mi, limited: requests.storage=15Mi\n');
      await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'claims', namespace: ns }, spec: { limits: [{ type: 'PersistentVolumeClaim', max: { storage: '12Mi' } }] } }));
      assert.match(await k(['describe', 'limits', 'claims', '-n', ns]), /^PersistentVolumeClaim\s+storage\s+-\s+12Mi\s+-\s+-\s+-$/m);
      const limited = await grow('14Mi');
      assert.equal(limited.stderr, 'Error from server (Forbidden): persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 12Mi, but request is 14Mi\n');
      (await grow('12Mi')).code === 0 || assert.fail('a resize within the range and the quota is allowed');
      await eventually(async () => (await used(ns, 'requests.storage')) === '12Mi');
    });

    test('quota scopes: BestEffort counts only pods without requests, a PriorityClass scopeSelector only its class; kubectl describe quota names them', async () => {
      const ns = `scoped-${v}`;
      await k(['create', 'namespace', ns]);
      await k(['create', 'quota', 'best', '--hard=pods=1', '--scopes=BestEffort', '-n', ns]);
      await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `high-${v}` }, value: 1000 }));
      await k(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'high', namespace: ns },
        spec: { hard: { pods: '0' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [`high-${v}`] }] } },
      }));
      await eventually(async () => (await k(['get', 'quota', '-n', ns, '-o', 'jsonpath={.items[*].status.used.pods}'])) === '0 0');
      await k(['run', 'free1', '--image=nginx', '-n', ns]);
      const second = await run(['run', 'free2', '--image=nginx', '-n', ns]);
      assert.equal(second.stderr, 'Error from server (Forbidden): pods "free2" is forbidden: exceeded quota: best, requested: pods=1, used: pods=1, limited: pods=1\n');
      // Requests make it Burstable: no BestEffort quota counts it.
      await k(['run', 'sized', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { containers: [{ name: 'sized', image: 'nginx', resources: { requests: { cpu: '10m' } } }] } })]);
      const high = await run(['run', 'vip', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { priorityClassName: `high-${v}`, containers: [{ name: 'vip', image: 'nginx', resources: { requests: { cpu: '10m' } } }] } })]);
      assert.equal(high.stderr, 'Error from server (Forbidden): pods "vip" is forbidden: exceeded quota: high, requested: pods=1, used: pods=0, limited: pods=0\n');
      const described = await k(['describe', 'quota', 'best', '-n', ns]);
      assert.match(described, /^Scopes:\s+BestEffort$/m);
      assert.match(described, /^ \* Matches all pods that do not have resource requirements set\. These pods have a best effort quality of service\.$/m);
      assert.match(described, /^pods\s+1\s+1$/m);
      await k(['delete', 'priorityclass', `high-${v}`]);
    });

    test('a Deployment past its quota: the ReplicaSet records FailedCreate with the quota message', async () => {
      const ns = `deploy-quota-${v}`;
      await namespaceWithQuota(ns, { pods: '2' });
      await k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '-n', ns]);
      const message = await eventually(async () => {
        const events = JSON.parse(await k(['get', 'events', '-n', ns, '-o', 'json'])) as { items: { reason: string; message: string; involvedObject: { kind: string } }[] };
        return events.items.find((e) => e.reason === 'FailedCreate' && e.involvedObject.kind === 'ReplicaSet')?.message;
      }, 60_000);
      assert.match(message, /^Error creating: pods "web-[a-z0-9]+-" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2$/);
      assert.equal((await k(['get', 'pods', '-n', ns, '-o', 'name'])).trim().split('\n').length, 2);
      assert.equal(await used(ns, 'pods'), '2');
    });
  });
}
