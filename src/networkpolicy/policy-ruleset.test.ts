// The rule generator against the real kernel (root): a two-node cluster network made by
// cluster-network.ts and pod sandboxes made by pod-sandbox.ts (as the netns runtime makes
// them), servers in every pod, the generated table applied with the real nft in each node
// namespace, and every pod × pod × port probed with real connections — compared with the
// model's truth table for named and randomly generated policy shapes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setupClusterNetwork, teardownClusterNetwork, type ClusterNetwork } from '../node/cluster-network.js';
import { createPodSandbox } from '../node/pod-sandbox.js';
import { holdConnection, probeFrom, startProbeServer } from '../testing/netpol-probes.js';
import { namedShapes, randomShape, shapeNamedPorts, shapePorts, type PolicyShape, type ShapeContext } from '../testing/netpol-shapes.js';
import { cellKey, disagreements, expectedTable, formatTruthTable, type ProbeSource } from '../testing/netpol-truth-table.js';
import { nftApply, nftListJson } from '../util/nftables.js';
import { waitFor } from '../testing/wait.js';
import type { PolicyCluster, PolicyPod } from './policy-cluster.js';
import { policyRuleset, policyTableName } from './policy-ruleset.js';

const isRoot = process.getuid?.() === 0;
const cluster = 'np-kernel';
const table = policyTableName(cluster);
const namespaces = ['x', 'y', 'z'];
const podNames = ['a', 'b'];
/** A dropped probe waits this long; every probe of a round runs at once. */
const probeTimeoutMs = 1500;
const randomShapes = 16;

interface LabPod extends PolicyPod {
  netns: string;
  node: number;
}

test('no policy selects a pod: no chain, only the base chains', () => {
  const pod: PolicyPod = { namespace: 'x', name: 'a', labels: {}, ip: '10.244.1.2', namedPorts: [] };
  const text = policyRuleset({ pods: [pod], namespaceLabels: new Map(), policies: [] }, { table: 't', localPods: [pod], serviceCIDRs: ['10.96.0.0/12'] });
  assert.doesNotMatch(text, /chain ip t (ingress|egress)-/);
  assert.match(text, /^add table ip t\ndelete table ip t\n/);
  assert.match(text, /add rule ip t forward ct state established,related accept\n/);
});

test('two local pods with one address: one chain, the first listed', () => {
  const live: PolicyPod = { namespace: 'x', name: 'new', labels: {}, ip: '10.244.1.2', namedPorts: [] };
  const old: PolicyPod = { ...live, name: 'old' };
  const policies = [{ metadata: { namespace: 'x', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress' as const] } }];
  const text = policyRuleset({ pods: [live, old], namespaceLabels: new Map(), policies }, { table: 't', localPods: [live, old], serviceCIDRs: [] });
  assert.equal(text.match(/add chain ip t ingress-10-244-1-2\n/g)?.length, 1);
  assert.equal(text.match(/10\.244\.1\.2 : jump/g)?.length, 1);
});

describe('NetworkPolicy nftables rules against the kernel, as a truth table', { skip: !isRoot && 'needs root' }, () => {
  let net0: ClusterNetwork;
  let home: string;
  const children = new Set<ChildProcess>();
  const pods: LabPod[] = [];

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-netpol-'));
    net0 = await setupClusterNetwork({ cluster, nodes: 2 });
    let i = 0;
    for (const ns of namespaces) {
      for (const name of podNames) {
        const node = net0.nodes[i % 2];
        const ip = `10.244.${node.index}.${10 + Math.floor(i / 2)}`;
        const uid = `${ns}${name}000000-0000-0000-0000-00000000000${i}`;
        const sandbox = await createPodSandbox({ cluster, home, pod: { metadata: { uid, name, namespace: ns }, spec: { containers: [] } }, node, podIP: ip, clusterDNS: [], hostResolvConf: '' });
        pods.push({ namespace: ns, name, labels: { pod: name }, ip, namedPorts: shapeNamedPorts(name), netns: sandbox.netns, node: node.index });
        i++;
      }
    }
    await Promise.all(pods.map((p) => startProbeServer(p.netns, shapePorts, children)));
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await teardownClusterNetwork(cluster);
    fs.rmSync(home, { recursive: true, force: true });
  });

  const policyCluster = (shape: PolicyShape): PolicyCluster => ({ pods, namespaceLabels: new Map(namespaces.map((n) => [n, { ns: n }])), policies: shape.policies });

  async function apply(shape: PolicyShape): Promise<void> {
    const c = policyCluster(shape);
    for (const node of net0.nodes) {
      await nftApply(policyRuleset(c, { table, localPods: pods.filter((p) => p.node === node.index), serviceCIDRs: [net0.serviceCIDR] }), { netns: node.netns });
      // The truth table judges new flows. A UDP probe whose ephemeral source port repeats one
      // an earlier shape allowed, within conntrack's 30 s, belongs to that established flow and
      // passes, as with any conntrack-based CNI: forget the earlier shapes' UDP flows. (Exit
      // status 1 means there were none.)
      spawnSync('ip', ['netns', 'exec', node.netns, 'conntrack', '-D', '-p', 'udp'], { stdio: 'ignore' });
    }
  }

  /** Probes every source × pod × port at once; the result is keyed as the truth table's cells. */
  async function probeAll(sources: { name: string; netns: string }[]): Promise<Map<string, boolean>> {
    const observed = new Map<string, boolean>();
    await Promise.all(
      sources.map(async (s) => {
        const targets = pods.filter((t) => `${t.namespace}/${t.name}` !== s.name).flatMap((t) => shapePorts.map((p) => `${t.ip}|${p}`));
        const got = await probeFrom(s.netns, targets, probeTimeoutMs);
        for (const t of pods) for (const p of shapePorts) if (got.has(`${t.ip}|${p}`)) observed.set(cellKey(s.name, `${t.namespace}/${t.name}`, p), got.get(`${t.ip}|${p}`)!);
      }),
    );
    return observed;
  }

  async function checkShape(shape: PolicyShape): Promise<void> {
    await apply(shape);
    const sources: ProbeSource[] = [...pods.map((p) => ({ name: `${p.namespace}/${p.name}`, endpoint: { pod: p } })), { name: 'outside', endpoint: { ip: net0.apiServerAddress } }];
    const expected = expectedTable(policyCluster(shape), sources, pods, shapePorts);
    const observed = await probeAll([...pods.map((p) => ({ name: `${p.namespace}/${p.name}`, netns: p.netns })), { name: 'outside', netns: net0.routerNetns }]);
    const wrong = disagreements(expected, observed);
    assert.deepEqual(wrong, [], `${shape.name}: the kernel disagrees with the model\n${JSON.stringify(shape.policies.map((p) => ({ ns: p.metadata.namespace, spec: p.spec })))}\n${formatTruthTable(expected, observed)}`);
  }

  const ctx = (): ShapeContext => ({ podKeys: pods.map((p) => `${p.namespace}/${p.name}`), podIP: (key) => pods.find((p) => `${p.namespace}/${p.name}` === key)!.ip, outsideIP: net0.apiServerAddress });

  test('named shapes: deny-all, namespaces, AND/OR peers, ipBlock with except, named ports, endPort', async () => {
    for (const shape of namedShapes(ctx())) await checkShape(shape);
  });

  test(`${randomShapes} random shapes`, async () => {
    const first = Number(process.env.KANZEN_NETPOL_SEED ?? 1);
    for (let seed = first; seed < first + randomShapes; seed++) await checkShape(randomShape(seed, ctx(), namespaces, podNames));
  });

  test('a connection opened before deny-all keeps going; a new one is dropped', async () => {
    await apply({ name: 'none', policies: [] });
    const [client, server] = [pods.find((p) => p.namespace === 'x' && p.name === 'a')!, pods.find((p) => p.namespace === 'y' && p.name === 'b')!];
    const held = await holdConnection(client.netns, server.ip, 80, 'ping', children);
    await waitFor(() => held.answers() > 0, 10_000, 'answers before the policy');
    await apply({ name: 'deny', policies: [{ metadata: { namespace: 'y', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }] });
    const before = held.answers();
    await waitFor(() => held.answers() >= before + 5, 10_000, 'answers on the established connection after deny-all');
    assert.equal(held.closed(), false);
    const fresh = await probeFrom(client.netns, [`${server.ip}|TCP/80`], probeTimeoutMs);
    assert.equal(fresh.get(`${server.ip}|TCP/80`), false, 'a new connection is dropped');
    held.child.kill('SIGKILL');
  });

  test('deny-all both ways: the node still reaches its own pods (kubelet probes), not the other node\'s', async () => {
    await apply({ name: 'deny', policies: namespaces.map((n) => ({ metadata: { namespace: n, name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } })) });
    const targets = pods.map((p) => `${p.ip}|TCP/80`);
    const got = await probeFrom(net0.nodes[0].netns, targets, probeTimeoutMs);
    for (const p of pods) assert.equal(got.get(`${p.ip}|TCP/80`), p.node === 1, `node-1 → ${p.namespace}/${p.name} on node-${p.node}`);
  });

  test('the table is one per node namespace, named after the cluster', async () => {
    const tables = (await nftListJson(['list', 'tables'], { netns: net0.nodes[0].netns })).map((t) => (t.table as { name?: string } | undefined)?.name);
    assert.ok(tables.includes(table), tables.join(','));
  });
});
