// The agent against an in-process API server and the real nft in a throwaway network
// namespace (root): it takes a predecessor's table over in place, follows policies and pods
// as they change, and leaves its table when stopped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resourceFor } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import type { NetworkPolicy, Pod } from '../api/types.js';
import { fileApiFixture } from '../testing/api-fixture.js';
import { nftApply, nftListJson } from '../util/nftables.js';
import { waitFor } from '../testing/wait.js';
import { NetworkPolicyAgent } from './network-policy-agent.js';

const isRoot = process.getuid?.() === 0;
const netns = `npagent-${process.pid}`;
const table = 'kanzen-npagent-policy';

/** Waits until the table's chains are these (the agent follows the API asynchronously). */
async function chainsBecome(want: string[], what: string): Promise<void> {
  let last: string[] = [];
  await waitFor(async () => JSON.stringify((last = await chains())) === JSON.stringify(want), 10_000, what).catch((err: Error) => {
    throw new Error(`${err.message}: chains ${last.join(', ')}`);
  });
}

async function chains(): Promise<string[]> {
  const items = await nftListJson(['list', 'table', 'ip', table], { netns });
  return items.map((i) => (i.chain as { name?: string } | undefined)?.name).filter((n): n is string => n !== undefined).sort();
}

describe('NetworkPolicyAgent', { skip: !isRoot && 'needs root for a network namespace' }, () => {
  const api = fileApiFixture();
  let informers: InformerFactory;
  let agent: NetworkPolicyAgent;

  before(() => {
    execFileSync('ip', ['netns', 'add', netns]);
  });
  after(() => {
    agent?.stop();
    informers?.stop();
    execFileSync('ip', ['netns', 'del', netns]);
  });

  test('replaces its predecessor\'s table in place, then follows pods and policies', async () => {
    // What an agent of an older kanzen may have left: a chain this one does not write.
    await nftApply(`add table ip ${table}\nadd chain ip ${table} leftover\n`, { netns });
    const client = api.client;
    await client.create(resourceFor('namespaces'), undefined, { metadata: { name: 'x' } });
    const pod = await client.create<Pod>(resourceFor('pods'), 'x', { metadata: { name: 'a', namespace: 'x', labels: { pod: 'a' } }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'pause' }] } });
    await client.updateStatus(resourceFor('pods'), { ...pod, status: { phase: 'Running', podIP: '10.244.1.5' } });
    // A pod of another node: a peer, but no chain here.
    const other = await client.create<Pod>(resourceFor('pods'), 'x', { metadata: { name: 'b', namespace: 'x', labels: { pod: 'b' } }, spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'pause' }] } });
    await client.updateStatus(resourceFor('pods'), { ...other, status: { phase: 'Running', podIP: '10.244.2.5' } });

    informers = new InformerFactory(client);
    agent = new NetworkPolicyAgent({ informers, nodeName: 'node-1', table, serviceCIDRs: ['10.96.0.0/12'], netns });
    agent.start();
    informers.start();
    await chainsBecome(['forward', 'input', 'output'], 'the leftover chain gone; no pod isolated');

    const policy = await client.create<NetworkPolicy>(resourceFor('networkpolicies', 'networking.k8s.io'), 'x', {
      metadata: { name: 'from-b', namespace: 'x' },
      spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] },
    });
    await chainsBecome(['forward', 'ingress-10-244-1-5', 'input', 'output'], 'a chain for the local pod only');
    const text = JSON.stringify(await nftListJson(['list', 'chain', 'ip', table, 'ingress-10-244-1-5'], { netns }));
    assert.match(text, /"saddr"}},"right":"@peers-0"/, 'the peer x/b by its shared set');
    const set = JSON.stringify(await nftListJson(['list', 'set', 'ip', table, 'peers-0'], { netns }));
    assert.match(set, /10\.244\.2\.5/);

    const writes = agent.syncCount;
    await client.patch(resourceFor('namespaces'), undefined, 'x', 'merge', { metadata: { labels: { unrelated: 'change' } } });
    await waitFor(() => informers.for(resourceFor('namespaces')).getByName(undefined, 'x')?.metadata.labels?.unrelated === 'change', 10_000, 'the label seen');
    await agent.nextSync();
    assert.equal(agent.syncCount, writes, 'an unchanged table is not written again');

    await client.delete(resourceFor('networkpolicies', 'networking.k8s.io'), 'x', policy.metadata.name!);
    await chainsBecome(['forward', 'input', 'output'], 'the chain gone with the policy');

    agent.stop();
    assert.deepEqual(await chains(), ['forward', 'input', 'output'], 'a stopped agent leaves its table for the next one');
  });
});
