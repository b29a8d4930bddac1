import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Node, Pod } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { silentLogger } from '../util/logger.js';
import { EndpointDrainGate } from './endpoint-drain.js';
import { proxySyncAnnotation } from './proxy-sync-reporter.js';

const nodes = resourceFor('nodes');
const slices = resourceFor('endpointslices', 'discovery.k8s.io');

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'uid-web-1', deletionTimestamp: '2024-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
  status: { podIP: '10.244.1.5' },
};

async function node(client: ApiClient, name: string, ready: boolean, rv?: string): Promise<void> {
  const n = await client.create<Node>(nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, annotations: rv ? { [proxySyncAnnotation]: rv } : {} } });
  await client.updateStatus<Node>(nodes, { ...n, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
}

async function report(client: ApiClient, name: string, rv: string): Promise<void> {
  await client.patch(nodes, undefined, name, 'merge', { metadata: { annotations: { [proxySyncAnnotation]: rv } } });
}

function webSlice(conditions: { ready: boolean; terminating: boolean }, uid = pod.metadata.uid): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.1.5'], conditions: { ...conditions, serving: true }, targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid }, nodeName: 'node-1' }],
    ports: [{ name: '', port: 80, protocol: 'TCP' }],
  };
}

async function setup(t: { after(fn: () => unknown): void }) {
  const api = await startApiFixture();
  const client = api.client('test');
  const informers = new InformerFactory(client, silentLogger);
  const gate = new EndpointDrainGate({ slices: informers.for<EndpointSlice>(slices), nodes: informers.for<Node>(nodes) });
  informers.start();
  t.after(async () => {
    informers.stop();
    await api.stop();
  });
  /** Creates a slice and waits until the gate's informer has it (as a long-standing slice would be). */
  const createSlice = async (s: EndpointSlice) => {
    const created = await client.create<EndpointSlice>(slices, 'default', s);
    const inf = informers.for<EndpointSlice>(slices);
    for (let i = 0; i < 200 && inf.get(`default/${s.metadata.name}`)?.metadata.resourceVersion !== created.metadata.resourceVersion; i++) await new Promise((r) => setTimeout(r, 10));
    return created;
  };
  return { client, gate, createSlice };
}

test('a pod that no EndpointSlice lists (no Service) does not wait', async (t) => {
  const { client, gate, createSlice } = await setup(t);
  await node(client, 'node-1', true, '1');
  await createSlice(webSlice({ ready: true, terminating: false }, 'someone-else'));
  const r = await gate.waitUntilUnrouted({ ...pod, status: { podIP: '10.244.9.9' } }, 5000);
  assert.equal(r.outcome, 'not-an-endpoint');
  assert.ok(r.waitedMs < 1000);
});

test('waits until the slice shows the pod terminating and every Ready reporting node has programmed that write', async (t) => {
  const { client, gate, createSlice } = await setup(t);
  await node(client, 'node-1', true, '1');
  await node(client, 'node-2', true, '1');
  await node(client, 'node-3', false, '1'); // NotReady: its proxy is not asked
  await node(client, 'node-4', true); // reports nothing: no reporting proxy there
  const created = await createSlice(webSlice({ ready: true, terminating: false }));

  let settled = false;
  const pending = gate.waitUntilUnrouted(pod, 10_000).then((r) => {
    settled = true;
    return r;
  });
  const tick = () => new Promise((r) => setTimeout(r, 150));
  await tick();
  assert.equal(gate.waiting, 1);
  // Every proxy is ahead, but the slice still routes to the pod: keep waiting.
  await report(client, 'node-1', '100000');
  await report(client, 'node-2', '100000');
  await tick();
  assert.equal(settled, false);
  await report(client, 'node-1', '1');
  await report(client, 'node-2', '1');

  const terminating = await client.update<EndpointSlice>(slices, { ...webSlice({ ready: false, terminating: true }), metadata: created.metadata });
  const rv = Number(terminating.metadata.resourceVersion);
  await report(client, 'node-1', String(rv));
  await tick();
  assert.equal(settled, false, 'node-2 has not programmed the write yet');
  await report(client, 'node-2', String(rv - 1));
  await tick();
  assert.equal(settled, false);
  await report(client, 'node-2', String(rv + 3));
  const r = await pending;
  assert.equal(r.outcome, 'drained');
  assert.equal(gate.waiting, 0);
});

test('the wait is bounded; a pod dropped from its slice waits for a revision past the drop', async (t) => {
  const { client, gate, createSlice } = await setup(t);
  await node(client, 'node-1', true, '1');
  const created = await createSlice(webSlice({ ready: true, terminating: false }));
  const start = Date.now();
  const r = await gate.waitUntilUnrouted(pod, 300);
  assert.equal(r.outcome, 'timeout');
  assert.ok(Date.now() - start >= 290 && Date.now() - start < 2000);

  const pending = gate.waitUntilUnrouted(pod, 10_000);
  const emptied = await client.update<EndpointSlice>(slices, { ...webSlice({ ready: true, terminating: false }), endpoints: [], metadata: created.metadata });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(gate.waiting, 1);
  await report(client, 'node-1', emptied.metadata.resourceVersion!);
  assert.equal((await pending).outcome, 'drained');
});
