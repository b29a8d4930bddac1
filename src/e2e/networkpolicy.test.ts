// NetworkPolicy enforced on a real cluster (2 nodes, netns runtime), checked as upstream's
// netpol e2e checks a CNI: pods in namespaces x, y and z serving TCP and UDP on 80 and 81
// (agnhost netexec, one container per port, named ports "web" and "dgram"), every pod ×
// pod × port probed with real connections from inside the pods' network namespaces (and
// from the cluster router, an address that is no pod), compared with the model's truth
// table for named and random policy shapes; Services judged on the real endpoint; DNS to
// kube-dns only when a policy allows it; a connection open across a policy change.
// Runs once per proxy mode (KANZEN_PROXY_MODE). Needs root; skipped otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { NetworkPolicy, Pod } from '../api/types.js';
import { podNetnsName, routerNetnsName } from '../node/cluster-network.js';
import type { PolicyCluster, PolicyPod } from '../networkpolicy/policy-cluster.js';
import { holdConnection, probeFrom } from '../testing/netpol-probes.js';
import { namedShapes, randomShape, shapeNamedPorts, shapePorts, type PolicyShape, type ShapeContext } from '../testing/netpol-shapes.js';
import { cellKey, disagreements, expectedTable, formatTruthTable, type ProbeSource, type TruthTable } from '../testing/netpol-truth-table.js';
import { waitFor } from '../testing/wait.js';
import { transparentUnavailable } from '../proxy/userspace/ip-transparent.js';
import { passProxyMode, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
const mode = passProxyMode ?? 'nftables';
const namespaces = ['x', 'y', 'z'];
const podKeys = ['x/a', 'x/b', 'y/a', 'y/b', 'z/a'];
const probeTimeoutMs = 1500;
/** How long enforcement may take to follow a change (the agents' informers and one nft write). */
const convergeMs = 30_000;
const routerIP = '172.18.0.1';
const kubeDNS = '10.96.0.10';

interface E2EPod extends PolicyPod {
  netns: string;
  nodeName: string;
}

function podManifest(namespace: string, name: string): Pod {
  const container = (port: number) => ({
    name: `serve-${port}`,
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
    args: ['netexec', `--http-port=${port}`, `--udp-port=${port}`],
    ports: [
      ...shapeNamedPorts(name).filter((p) => p.containerPort === port).map((p) => ({ name: p.name, containerPort: port, protocol: p.protocol as 'TCP' | 'UDP' })),
      ...shapeNamedPorts(name).some((p) => p.containerPort === port && p.protocol === 'TCP') ? [] : [{ containerPort: port, protocol: 'TCP' as const }],
    ],
  });
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, labels: { pod: name } }, spec: { containers: [container(80), container(81)] } };
}

let c: TestCluster;
const pods: E2EPod[] = [];
const children = new Set<ChildProcess>();

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  const items: object[] = namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { ns: n } } }));
  for (const key of podKeys) items.push(podManifest(key.split('/')[0], key.split('/')[1]));
  await c.k(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  for (const n of namespaces) await c.k(['wait', '--for=condition=Ready', 'pods', '--all', '-n', n, '--timeout=120s']);
  const list = JSON.parse(await c.k(['get', 'pods', '-A', '-l', 'pod', '-o', 'json'])) as { items: Pod[] };
  for (const p of list.items) {
    const [namespace, name] = [p.metadata.namespace!, p.metadata.name!];
    pods.push({ namespace, name, labels: { pod: name }, ip: p.status!.podIP!, namedPorts: shapeNamedPorts(name), netns: podNetnsName(c.name, p.metadata.uid!), nodeName: p.spec.nodeName! });
  }
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  c?.down(true);
});

const sources = (): (ProbeSource & { netns: string })[] => [
  ...pods.map((p) => ({ name: `${p.namespace}/${p.name}`, endpoint: { pod: p }, netns: p.netns })),
  { name: 'outside', endpoint: { ip: routerIP }, netns: routerNetnsName(c.name) },
];
const policyCluster = (policies: NetworkPolicy[]): PolicyCluster => ({ pods, namespaceLabels: new Map(namespaces.map((n) => [n, { ns: n, 'kubernetes.io/metadata.name': n }])), policies });
const podByKey = (key: string): E2EPod => pods.find((p) => `${p.namespace}/${p.name}` === key)!;

/** Replaces every policy of the test namespaces with these. */
async function applyPolicies(policies: NetworkPolicy[]): Promise<void> {
  for (const n of namespaces) await c.k(['delete', 'networkpolicy', '--all', '-n', n, '--wait=false']);
  if (policies.length) await c.k(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: policies }) });
}

async function probeAll(): Promise<Map<string, boolean>> {
  const observed = new Map<string, boolean>();
  await Promise.all(
    sources().map(async (s) => {
      const targets = pods.filter((t) => `${t.namespace}/${t.name}` !== s.name).flatMap((t) => shapePorts.map((p) => `${t.ip}|${p}`));
      const got = await probeFrom(s.netns, targets, probeTimeoutMs);
      for (const t of pods) for (const p of shapePorts) if (got.has(`${t.ip}|${p}`)) observed.set(cellKey(s.name, `${t.namespace}/${t.name}`, p), got.get(`${t.ip}|${p}`)!);
    }),
  );
  return observed;
}

/** Applies a shape and probes until the cluster agrees with the model (enforcement follows the API), or shows the last disagreement. */
async function checkShape(shape: PolicyShape): Promise<void> {
  await applyPolicies(shape.policies);
  const expected: TruthTable = expectedTable(policyCluster(shape.policies), sources(), pods, shapePorts);
  let observed = new Map<string, boolean>();
  const agreed = await waitFor(async () => {
    observed = await probeAll();
    return disagreements(expected, observed).length === 0;
  }, convergeMs, shape.name).catch(() => false);
  assert.ok(agreed, `${shape.name} (${mode}): the cluster disagrees with the model\n${JSON.stringify(shape.policies.map((p) => ({ ns: p.metadata.namespace, spec: p.spec })))}\n${formatTruthTable(expected, observed)}`);
}

async function reachable(from: string, target: string): Promise<boolean> {
  return (await probeFrom(podByKey(from).netns, [target], probeTimeoutMs)).get(target) ?? false;
}

describe(`NetworkPolicy enforcement (${mode} proxy)`, { skip: !isRoot && 'needs root for network namespaces' }, () => {
  const ctx = (): ShapeContext => ({ podKeys, podIP: (key) => podByKey(key).ip, outsideIP: routerIP });

  test('truth tables: named shapes', async () => {
    for (const shape of namedShapes(ctx())) await checkShape(shape);
  });

  test('truth tables: random shapes', async () => {
    const first = Number(process.env.KANZEN_NETPOL_SEED ?? 100);
    for (let seed = first; seed < first + 4; seed++) await checkShape(randomShape(seed, ctx(), namespaces, ['a', 'b']));
  });

  // The userspace proxy without its native helper cannot keep client addresses: its leg to
  // the endpoint comes from the proxy's node, allowed into that node's pods and judged as an
  // outside address on other nodes, so which pod asked does not matter (docs/networkpolicy.md).
  const clientAddressLost = mode === 'userspace' && transparentUnavailable() !== undefined;
  test('traffic through a ClusterIP is judged on the real endpoint', { skip: clientAddressLost && 'the userspace proxy runs without its native helper (npm run build)' }, async () => {
    await c.k(['create', 'service', 'clusterip', 'yb', '-n', 'y', '--tcp=80:80']);
    await c.k(['set', 'selector', 'service', 'yb', '-n', 'y', 'pod=b']);
    const ip = (await c.k(['get', 'service', 'yb', '-n', 'y', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await applyPolicies([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'y', name: 'b-from-xa' }, spec: { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } }, podSelector: { matchLabels: { pod: 'a' } } }] }] } }]);
    await waitFor(async () => (await reachable('x/a', `${ip}|HTTP/80`)) && !(await reachable('x/b', `${ip}|HTTP/80`)), convergeMs, 'x/a through the Service, x/b not');
    assert.equal(await reachable('y/a', `${ip}|HTTP/80`), false, 'y/a is not x/a');
    await c.k(['delete', 'service', 'yb', '-n', 'y']);
  });

  test('egress to DNS only: kube-dns answers, nothing else is reachable; deny-all egress blocks DNS too', async () => {
    const dnsOnly: NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: 'x', name: 'dns-only' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      },
    };
    await applyPolicies([dnsOnly]);
    await waitFor(async () => (await reachable('x/a', `${kubeDNS}|DNS/53`)) && !(await reachable('x/a', `${podByKey('y/b').ip}|TCP/80`)), convergeMs, 'DNS answered, y/b unreachable');
    await applyPolicies([{ ...dnsOnly, metadata: { namespace: 'x', name: 'deny-egress' }, spec: { podSelector: {}, policyTypes: ['Egress'] } }]);
    await waitFor(async () => !(await reachable('x/a', `${podByKey('y/b').ip}|TCP/81`)), convergeMs, 'deny-all egress in force');
    // The userspace proxy forwards UDP from the node's own address (client-ip-policy.ts): a
    // DNS query through it is the node's traffic, which policies do not judge (docs/networkpolicy.md).
    assert.equal(await reachable('x/a', `${kubeDNS}|DNS/53`), mode === 'userspace', `DNS through the ${mode} proxy under deny-all egress`);
    await applyPolicies([]);
  });

  test('a connection open across a policy change keeps going; new ones are dropped', async () => {
    await applyPolicies([]);
    const server = podByKey('y/b');
    await waitFor(() => reachable('x/a', `${server.ip}|TCP/80`), convergeMs, 'no policy in force');
    // One keep-alive HTTP connection asking agnhost netexec for its hostname every 50 ms.
    const held = await holdConnection(podByKey('x/a').netns, server.ip, 80, 'GET /hostname HTTP/1.1\r\nHost: b\r\n\r\n', children);
    const answers = held.answers;
    await waitFor(() => answers() > 0, 10_000, 'answers before the policy');
    await applyPolicies([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'y', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }]);
    await waitFor(async () => !(await reachable('x/a', `${server.ip}|TCP/80`)), convergeMs, 'new connections dropped');
    const before = answers();
    await waitFor(() => answers() >= before + 5, 10_000, 'answers on the open connection');
    assert.equal(held.closed(), false);
    held.child.kill('SIGKILL');
    await applyPolicies([]);
  });

  test("kill -9 of a node agent: its pods stay isolated while it is down, and the new agent takes over the table", async (t) => {
    const deny: NetworkPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'x', name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    await applyPolicies([deny]);
    const target = podByKey('x/a');
    const probe = `${target.ip}|TCP/80`;
    await waitFor(async () => !(await reachable('y/b', probe)), convergeMs, 'deny-all ingress in x');
    const pidFile = path.join(c.home, 'nodes', target.nodeName, 'agent.pid');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    // Until the supervisor has a new agent running and synced, every probe finds x/a isolated.
    let probes = 0;
    await waitFor(async () => {
      assert.equal(await reachable('y/b', probe), false, `x/a reachable ${probes} probes after its agent was killed`);
      probes++;
      const now = Number(fs.readFileSync(pidFile, 'utf8'));
      return now !== pid && /node agent ready/.test(fs.readFileSync(path.join(c.home, 'logs', `${target.nodeName}.log`), 'utf8').split('\n').slice(-50).join('\n'));
    }, 60_000, 'a new agent');
    t.diagnostic(`${probes} probes of x/a while its agent was down or starting: all blocked`);
    assert.ok(probes > 0);
    await applyPolicies([]);
    await waitFor(() => reachable('y/b', probe), convergeMs, 'the new agent lifted the policy');
  });
});
