import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeList, Lease, Node, Pod } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { silentLogger } from '../util/logger.js';
import { startFakeNodes } from './fake-runtime.js';

async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('startFakeNodes registers node-1…node-N with their leases and runs their pods', async (t) => {
  const api = await startApiFixture();
  const client = api.client('kanzen-fake-nodes');
  const fake = await startFakeNodes({ client, nodes: 3, podCIDR: '10.244.0.0/16', nodeIP: (i) => `172.18.0.${i + 1}`, logger: silentLogger, deletionGraceCapMs: 100 });
  t.after(async () => {
    await fake.stop();
    await api.stop();
  });

  const nodes: KubeList<Node> = await client.list<Node>(resourceFor('nodes'));
  assert.deepEqual(
    nodes.items.map((n) => [n.metadata.name, n.spec?.podCIDR, n.status?.addresses?.[0].address, n.status?.nodeInfo?.containerRuntimeVersion]),
    [
      ['node-1', '10.244.1.0/24', '172.18.0.2', 'fake://0.1.0'],
      ['node-2', '10.244.2.0/24', '172.18.0.3', 'fake://0.1.0'],
      ['node-3', '10.244.3.0/24', '172.18.0.4', 'fake://0.1.0'],
    ],
  );
  const leases = await client.list<Lease>(resourceFor('leases', 'coordination.k8s.io'), 'kube-node-lease');
  assert.deepEqual(leases.items.map((l) => [l.metadata.name, l.spec?.holderIdentity]).sort(), [
    ['node-1', 'node-1'],
    ['node-2', 'node-2'],
    ['node-3', 'node-3'],
  ]);

  const podsInfo = resourceFor('pods');
  await client.create<Pod>(podsInfo, 'default', { metadata: { name: 'x' }, spec: { nodeName: 'node-3', containers: [{ name: 'c', image: 'nginx' }] } });
  const pod = await waitFor(async () => {
    const p = await client.get<Pod>(podsInfo, 'default', 'x');
    return p.status?.phase === 'Running' && p;
  });
  assert.equal(pod.status?.podIP, '10.244.3.2');
  assert.equal(pod.status?.hostIP, '172.18.0.4');
});
