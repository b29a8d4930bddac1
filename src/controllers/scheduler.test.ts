import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFor } from '../client/api-client.js';
import type { Affinity, Event, Node, Pod } from '../api/types.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { waitFor } from '../testing/wait.js';
import { fitErrorMessage, newScheduler } from './scheduler.js';

const nodesInfo = resourceFor('nodes');
const podsInfo = resourceFor('pods');

function node(name: string, extra: Partial<Node> = {}, ready: 'True' | 'False' | 'Unknown' = 'True'): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name }, ...(extra.metadata ?? {}) },
    spec: extra.spec ?? {},
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

function pod(name: string, spec: Partial<Pod['spec']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
}

/** The scheduler against a fresh API server; the test stops it. */
function setup(): Promise<ControllerHarness> {
  return startControllerHarness({ controllers: [newScheduler] });
}

async function nodeOf(client: import('../client/api-client.js').ApiClient, name: string): Promise<string> {
  return waitFor(async () => (await client.get<Pod>(podsInfo, 'default', name)).spec.nodeName);
}

test('scheduler spreads pods over ready nodes and records Scheduled', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1'));
    await client.create(nodesInfo, undefined, node('node-2'));
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid-1', controller: true };
    for (const n of ['web-1', 'web-2', 'web-3']) {
      const p = pod(n);
      p.metadata.ownerReferences = [owner];
      await client.create(podsInfo, 'default', p);
    }
    const placed = await Promise.all(['web-1', 'web-2', 'web-3'].map((n) => nodeOf(client, n)));
    assert.deepEqual(new Set(placed), new Set(['node-1', 'node-2']));
    const ev = await waitFor(async () =>
      (await client.list<Event>(resourceFor('events'), 'default')).items.find((e) => e.involvedObject.name === 'web-1' && e.reason === 'Scheduled'),
    );
    assert.equal(ev.message, `Successfully assigned default/web-1 to ${placed[0]}`);
    assert.equal(ev.source?.component, 'default-scheduler');
    assert.equal(ev.type, 'Normal');
  } finally {
    await stop();
  }
});

test('a burst of pods spreads evenly: pods bound but not yet seen bound count on their node', async () => {
  const harness = await setup();
  const { client, stop } = harness;
  try {
    for (const n of ['node-1', 'node-2', 'node-3']) await client.create(nodesInfo, undefined, node(n));
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'burst-abc', uid: 'rs-uid-burst', controller: true };
    const owned = (name: string, nodeName?: string): Pod => ({ ...pod(name, nodeName ? { nodeName } : {}), metadata: { name, namespace: 'default', ownerReferences: [owner] } });
    // Already placed: none on node-1, one on node-2, two on node-3.
    for (const [name, nodeName] of [['placed-a', 'node-2'], ['placed-b', 'node-3'], ['placed-c', 'node-3']]) await client.create(podsInfo, 'default', owned(name, nodeName));
    await waitFor(() => (harness.pods().filter((p) => p.metadata.name!.startsWith('placed-')).length === 3 ? true : undefined));
    // Created together: the scheduler places them faster than their bindings come back, so
    // only counting the ones it has just bound evens the nodes out (otherwise all go to node-1).
    const names = ['burst-0', 'burst-1', 'burst-2'];
    await Promise.all(names.map((n) => client.create(podsInfo, 'default', owned(n))));
    const placed = await Promise.all(names.map((n) => nodeOf(client, n)));
    const perNode = { 'node-1': 0, 'node-2': 1, 'node-3': 2 } as Record<string, number>;
    for (const n of placed) perNode[n]++;
    assert.deepEqual(perNode, { 'node-1': 2, 'node-2': 2, 'node-3': 2 }, `burst placed on ${placed.join(', ')}`);
  } finally {
    await stop();
  }
});

test('scheduler honours nodeSelector, taints, unschedulable and readiness', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1', { metadata: { labels: { disk: 'ssd' } } }));
    await client.create(nodesInfo, undefined, node('node-2', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } }));
    await client.create(nodesInfo, undefined, node('node-3', { spec: { unschedulable: true } }));
    await client.create(nodesInfo, undefined, node('node-4', {}, 'False'));
    await client.create(podsInfo, 'default', pod('ssd', { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await nodeOf(client, 'ssd'), 'node-1');
    await client.create(
      podsInfo,
      'default',
      pod('db', { nodeSelector: { 'kubernetes.io/hostname': 'node-2' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }),
    );
    assert.equal(await nodeOf(client, 'db'), 'node-2');
    await client.create(podsInfo, 'default', pod('anything', { tolerations: [{ operator: 'Exists' }], nodeSelector: { 'kubernetes.io/hostname': 'node-3' } }));
    assert.equal(await nodeOf(client, 'anything'), 'node-3');
    // A pod pinned with nodeName is not the scheduler's.
    await client.create(podsInfo, 'default', pod('pinned', { nodeName: 'node-4' }));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await client.get<Pod>(podsInfo, 'default', 'pinned')).spec.nodeName, 'node-4');
  } finally {
    await stop();
  }
});

test('unschedulable pod gets FailedScheduling and PodScheduled=False, then fits when a node appears', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1'));
    await client.create(nodesInfo, undefined, node('node-2', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } }));
    await client.create(podsInfo, 'default', pod('picky', { nodeSelector: { zone: 'b' } }));
    const want =
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: db}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    const ev = await waitFor(async () =>
      (await client.list<Event>(resourceFor('events'), 'default')).items.find((e) => e.involvedObject.name === 'picky' && e.reason === 'FailedScheduling'),
    );
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, want);
    const cond = await waitFor(async () => (await client.get<Pod>(podsInfo, 'default', 'picky')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, want);
    const n3 = node('node-3');
    n3.metadata.labels = { zone: 'b' };
    await client.create(nodesInfo, undefined, n3);
    assert.equal(await nodeOf(client, 'picky'), 'node-3');
  } finally {
    await stop();
  }
});

test('NodeResourcesFit: Too many pods past allocatable pods, Insufficient cpu past what placed pods requested; a node that grows takes the pod', async () => {
  const { client, stop } = await setup();
  try {
    const sized = (name: string, cpu: string) => {
      const n = node(name);
      n.status!.allocatable = { cpu, memory: '1Gi', pods: '2' };
      return n;
    };
    await client.create(nodesInfo, undefined, sized('node-1', '1'));
    await client.create(nodesInfo, undefined, sized('node-2', '1'));
    const busy = (name: string) => pod(name, { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '300m' } } }] });
    await client.create(podsInfo, 'default', busy('busy-1'));
    await client.create(podsInfo, 'default', busy('busy-2'));
    await client.create(podsInfo, 'default', pod('big', { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1500m', memory: '64Mi' } } }] }));
    const want =
      '0/2 nodes are available: 1 Too many pods, 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    const cond = await waitFor(async () => (await client.get<Pod>(podsInfo, 'default', 'big')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, want);
    // The kubelet reports more CPU (allocatable changes): the waiting pod is tried again.
    const n2 = await client.get<Node>(nodesInfo, undefined, 'node-2');
    n2.status!.allocatable = { cpu: '2', memory: '1Gi', pods: '2' };
    await client.updateStatus(nodesInfo, n2);
    assert.equal(await nodeOf(client, 'big'), 'node-2');
    // A pod without requests fits anywhere there is room for one more pod.
    await client.create(podsInfo, 'default', pod('small'));
    assert.equal(await nodeOf(client, 'small'), 'node-2');
  } finally {
    await stop();
  }
});

test('FailedScheduling message matches upstream for selector mismatch on every node', () => {
  const reasons = new Map([
    ['node-1', ["node(s) didn't match Pod's node affinity/selector"]],
    ['node-2', ["node(s) didn't match Pod's node affinity/selector"]],
  ]);
  assert.equal(
    fitErrorMessage(pod('x'), reasons),
    "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  );
});

// ---- inter-pod affinity and preferred node affinity ------------------------------------

function zonedNode(name: string, zone: string): Node {
  return node(name, { metadata: { labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } } });
}

function labelled(name: string, labels: Record<string, string>, spec: Partial<Pod['spec']> = {}, namespace = 'default'): Pod {
  const p = pod(name, spec);
  p.metadata.labels = labels;
  p.metadata.namespace = namespace;
  return p;
}

/** kubeadm's CoreDNS anti-affinity (cmd/kubeadm/app/phases/addons/dns/manifests.go). */
const corednsAntiAffinity: Affinity = {
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' },
      },
    ],
  },
};

async function failedScheduling(client: import('../client/api-client.js').ApiClient, name: string): Promise<string> {
  const ev = await waitFor(async () =>
    (await client.list<Event>(resourceFor('events'), 'default')).items.find((e) => e.involvedObject.name === name && e.reason === 'FailedScheduling'),
  );
  return ev.message!;
}

test('preferred podAntiAffinity (kubeadm CoreDNS) spreads replicas even onto the busier node', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1'));
    await client.create(nodesInfo, undefined, node('node-2'));
    // node-2 is busier: spreading by pod count alone would put both replicas on node-1.
    for (const n of ['busy-1', 'busy-2', 'busy-3']) await client.create(podsInfo, 'default', pod(n, { nodeName: 'node-2' }));
    const spec: Partial<Pod['spec']> = { affinity: corednsAntiAffinity };
    await client.create(podsInfo, 'default', labelled('coredns-a', { 'k8s-app': 'kube-dns' }, spec));
    assert.equal(await nodeOf(client, 'coredns-a'), 'node-1');
    await client.create(podsInfo, 'default', labelled('coredns-b', { 'k8s-app': 'kube-dns' }, spec));
    assert.equal(await nodeOf(client, 'coredns-b'), 'node-2');
  } finally {
    await stop();
  }
});

test('preferred podAffinity by zone and preferred nodeAffinity attract pods', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, zonedNode('node-1', 'a'));
    await client.create(nodesInfo, undefined, zonedNode('node-2', 'b'));
    await client.create(nodesInfo, undefined, zonedNode('node-3', 'b'));
    await client.create(podsInfo, 'default', labelled('cache', { app: 'cache' }, { nodeName: 'node-2' }));
    await client.create(podsInfo, 'default', pod('filler', { nodeName: 'node-3' }));
    // Zone b holds the cache: node-3 (same zone, other host) scores as high as node-2.
    const near: Partial<Pod['spec']> = {
      affinity: {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'topology.kubernetes.io/zone' } },
          ],
        },
      },
    };
    await client.create(podsInfo, 'default', labelled('web', { app: 'web' }, near));
    assert.match(await nodeOf(client, 'web'), /^node-[23]$/);
    const prefer3: Partial<Pod['spec']> = {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-3'] }] } },
          ],
        },
      },
    };
    for (const n of ['p-1', 'p-2']) await client.create(podsInfo, 'default', pod(n, prefer3));
    assert.equal(await nodeOf(client, 'p-1'), 'node-3');
    assert.equal(await nodeOf(client, 'p-2'), 'node-3');
  } finally {
    await stop();
  }
});

test('required podAffinity and podAntiAffinity filter nodes, with upstream reasons', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, zonedNode('node-1', 'a'));
    await client.create(nodesInfo, undefined, zonedNode('node-2', 'b'));
    await client.create(podsInfo, 'default', labelled('db', { app: 'db' }, { nodeName: 'node-2' }));
    const withDb: Partial<Pod['spec']> = {
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'topology.kubernetes.io/zone' }] } },
    };
    await client.create(podsInfo, 'default', pod('near-db', withDb));
    assert.equal(await nodeOf(client, 'near-db'), 'node-2');
    const awayFromDb: Partial<Pod['spec']> = {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    };
    await client.create(podsInfo, 'default', pod('away', awayFromDb));
    assert.equal(await nodeOf(client, 'away'), 'node-1');
    // Nothing matches app=cache anywhere and the pod is not one itself: no node will do.
    await client.create(
      podsInfo,
      'default',
      pod('lonely', {
        affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] } },
      }),
    );
    assert.equal(
      await failedScheduling(client, 'lonely'),
      "0/2 nodes are available: 2 node(s) didn't match pod affinity rules. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    // The first of a self-affine series may go anywhere.
    await client.create(
      podsInfo,
      'default',
      labelled('cache-1', { app: 'cache' }, {
        affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] } },
      }),
    );
    const cacheNode = await nodeOf(client, 'cache-1');
    // …and then the waiting pod fits next to it (retried when a pod is placed).
    assert.equal(await nodeOf(client, 'lonely'), cacheNode);
  } finally {
    await stop();
  }
});

test("placed pods' required anti-affinity keeps matching pods away; namespaceSelector picks namespaces", async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1'));
    await client.create(nodesInfo, undefined, node('node-2'));
    await client.create(resourceFor('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } });
    // A loner on node-1 refusing any app=noisy pod of namespaces labelled team=a.
    const loner = labelled('loner', {}, {
      nodeName: 'node-1',
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'noisy' } }, namespaceSelector: { matchLabels: { team: 'a' } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
    });
    await client.create(podsInfo, 'default', loner);
    await client.create(podsInfo, 'default', pod('full', { nodeName: 'node-2', containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 80 }] }] }));
    const noisy = (name: string, ns: string) =>
      labelled(name, { app: 'noisy' }, { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 80 }] }] }, ns);
    // In team-a: node-1 refuses it (the loner), node-2 has port 80 taken.
    await client.create(podsInfo, 'team-a', noisy('noisy-a', 'team-a'));
    const ev = await waitFor(async () =>
      (await client.list<Event>(resourceFor('events'), 'team-a')).items.find((e) => e.involvedObject.name === 'noisy-a' && e.reason === 'FailedScheduling'),
    );
    assert.equal(
      ev.message,
      "0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    );
    // In default (not selected by the namespaceSelector) the loner does not mind it.
    await client.create(podsInfo, 'default', noisy('noisy-default', 'default'));
    assert.equal(await nodeOf(client, 'noisy-default'), 'node-1');
    // The loner gone (and the port free again), the team-a pod fits on node-1: it is
    // retried when a placed pod goes.
    await client.delete(podsInfo, 'default', 'noisy-default', { gracePeriodSeconds: 0 });
    await client.delete(podsInfo, 'default', 'loner', { gracePeriodSeconds: 0 });
    assert.equal(
      await waitFor(async () => (await client.get<Pod>(podsInfo, 'team-a', 'noisy-a')).spec.nodeName),
      'node-1',
    );
  } finally {
    await stop();
  }
});

// The DaemonSet controller pins each pod with required node affinity on the node's name
// (matchFields metadata.name In [node]); the NodeAffinity filter reads node fields as upstream.
test('required node affinity matchFields metadata.name binds the pod to that node', async () => {
  const { client, stop } = await setup();
  try {
    for (const n of ['node-1', 'node-2', 'node-3']) await client.create(nodesInfo, undefined, node(n));
    const onName = (operator: 'In' | 'NotIn', values: string[]): Affinity => ({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator, values }] }] } },
    });
    for (const name of ['daemon-a', 'daemon-b', 'daemon-c']) await client.create(podsInfo, 'default', pod(name, { affinity: onName('In', ['node-2']) }));
    for (const name of ['daemon-a', 'daemon-b', 'daemon-c']) assert.equal(await nodeOf(client, name), 'node-2');
    await client.create(podsInfo, 'default', pod('not-1-or-2', { affinity: onName('NotIn', ['node-1', 'node-2']) }));
    assert.equal(await nodeOf(client, 'not-1-or-2'), 'node-3');
  } finally {
    await stop();
  }
});

test('a ReadWriteOncePod claim in use keeps a second pod Pending with VolumeRestrictions\' reason, until the first goes', async () => {
  const { client, stop } = await setup();
  try {
    for (const n of ['node-1', 'node-2']) await client.create(nodesInfo, undefined, node(n));
    await client.create(resourceFor('persistentvolumes'), undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-solo' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOncePod'], hostPath: { path: '/tmp/pv-solo' }, claimRef: { namespace: 'default', name: 'solo' } },
    });
    await client.create(resourceFor('persistentvolumeclaims'), 'default', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'solo', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } },
      spec: { accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-solo', storageClassName: '' },
    });
    const volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'solo' } }];
    await client.create(podsInfo, 'default', pod('first', { volumes }));
    assert.ok(await nodeOf(client, 'first'));
    await client.create(podsInfo, 'default', pod('second', { volumes }));
    const want =
      '0/2 nodes are available: 2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    const ev = await waitFor(async () =>
      (await client.list<Event>(resourceFor('events'), 'default')).items.find((e) => e.involvedObject.name === 'second' && e.reason === 'FailedScheduling'),
    );
    assert.equal(ev.message, want);
    // No kubelet here: deleted at once (a terminating pod still holds the claim).
    await client.delete(podsInfo, 'default', 'first', { gracePeriodSeconds: 0 });
    assert.ok(await nodeOf(client, 'second'));
  } finally {
    await stop();
  }
});
