// Golden rulesets per Service shape, as upstream's pkg/proxy/nftables/proxier_test.go:
// the exact nft commands a Service port's first sync writes (its chains, rules and map
// elements), from a program made by topology.ts the way the proxier makes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';
import { servicePortProgram } from '../topology.js';
import { testServicePortInfo } from '../../testing/service-port-info.js';
import { EndpointMarks } from './endpoint-marks.js';
import { renderServicePort, type RenderOptions } from './service-port-rules.js';
import { partialTransaction } from './transaction.js';

const node = 'node-1';
const opts: RenderOptions = { clusterCIDRs: ['10.244.0.0/16'], balance: 'round-robin' };

function svc(o: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return testServicePortInfo({ namespace: 'ns1', service: 'svc1', portName: 'p80', clusterIPs: ['10.96.0.41'], ...o });
}

function ep(ip: string, o: { local?: boolean; ready?: boolean; terminating?: boolean; serving?: boolean; port?: number } = {}): EndpointInfo {
  const port = o.port ?? 8080;
  const ready = o.ready ?? true;
  return { key: `${ip}:${port}`, ip, port, ready, serving: o.serving ?? ready, terminating: o.terminating ?? false, nodeName: o.local ? node : 'node-2' };
}

function rendered(info: ServicePortInfo, endpoints: EndpointInfo[], o: RenderOptions = opts): string {
  const program = servicePortProgram(info, endpoints, node);
  // Conntrack marks are handed out in the order endpoints are rendered: 1, 2, …
  return partialTransaction('kanzen-test-proxy', [{ after: renderServicePort(program, o, new EndpointMarks().forPort(info.key).markOf) }]);
}

function golden(lines: string): string {
  return lines
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .join('\n') + '\n';
}


const T = 'add rule ip kanzen-test-proxy';
const ep1 = 'endpoint-Z3J52OID-ns1/svc1/tcp/p80__10.244.1.2/8080';
const ep2 = 'endpoint-PXYJRAYN-ns1/svc1/tcp/p80__10.244.2.3/8080';
const svcChain = 'service-ULMVA6XW-ns1/svc1/tcp/p80';
const extChain = 'external-ULMVA6XW-ns1/svc1/tcp/p80';

type E = [chain: string, address: string, mark: number];
/** The endpoint chains and counters every shape with these endpoints starts with. */
function endpointChains(...eps: E[]): string {
  return [
    ...eps.flatMap(([chain]) => [chain, `${chain}/in`, `${chain}/out`].map((c) => `add counter ip kanzen-test-proxy ${c}`)),
    ...eps.map(([chain]) => `add chain ip kanzen-test-proxy ${chain}`),
  ].join('\n');
}
function endpointRules(...eps: E[]): string {
  return eps
    .map(
      ([chain, addr, mark]) =>
        `${T} ${chain} ip saddr ${addr.split(':')[0]} jump mark-for-masquerade\n${T} ${chain} ct mark set ${mark}\n${T} ${chain} counter name "${chain}" meta l4proto tcp dnat to ${addr}`,
    )
    .join('\n');
}
/** Each endpoint's conntrack mark finds its byte counters. */
function bytesElements(...eps: E[]): string {
  const items = eps.flatMap(([chain, , mark]) => [`original . ${mark} : "${chain}/in"`, `reply . ${mark} : "${chain}/out"`]);
  return `add element ip kanzen-test-proxy endpoint-bytes { ${items.join(', ')} }`;
}
const E1: E = [ep1, '10.244.1.2:8080', 1];
const E2: E = [ep2, '10.244.2.3:8080', 2];

test('chain names: hash and readable part as upstream (ULMVA6XW-ns1/svc1/tcp/p80 is upstream\'s own example)', () => {
  assert.match(rendered(svc(), [ep('10.244.1.2')]), /service-ULMVA6XW-ns1\/svc1\/tcp\/p80/);
});

test('ClusterIP: masquerade from outside the pod network, round robin over the endpoints', () => {
  assert.equal(
    rendered(svc(), [ep('10.244.1.2'), ep('10.244.2.3')]),
    golden(`
      ${endpointChains(E1, E2)}
      add chain ip kanzen-test-proxy ${svcChain}
      ${endpointRules(E1, E2)}
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} numgen inc mod 2 vmap { 0 : goto ${ep1}, 1 : goto ${ep2} }
      ${bytesElements(E1, E2)}
      add element ip kanzen-test-proxy service-ips { 10.96.0.41 . tcp . 80 : goto ${svcChain} }
    `),
  );
});

test('balance: random is kube-proxy\'s numgen random; least-connections has no kernel form and is round robin', () => {
  assert.match(rendered(svc({ balance: 'random' }), [ep('10.244.1.2'), ep('10.244.2.3')]), /numgen random mod 2 vmap/);
  assert.match(rendered(svc(), [ep('10.244.1.2')], { ...opts, balance: 'random' }), /numgen random mod 1 vmap/);
  assert.match(rendered(svc({ balance: 'least-connections' }), [ep('10.244.1.2')]), /numgen inc mod 1 vmap/);
  assert.match(rendered(svc({ balance: 'round-robin' }), [ep('10.244.1.2')], { ...opts, balance: 'random' }), /numgen inc mod 1 vmap/);
});

const noEndpoints = 'no-endpoints-ULMVA6XW-ns1/svc1/tcp/p80';

test('no endpoints: ClusterIP, externalIP and NodePort are counted as refused and go to the reject chain', () => {
  assert.equal(
    rendered(svc({ nodePort: 30080, externalIPs: ['192.168.99.11'] }), []),
    golden(`
      add counter ip kanzen-test-proxy refused-ULMVA6XW-ns1/svc1/tcp/p80
      add chain ip kanzen-test-proxy ${noEndpoints}
      ${T} ${noEndpoints} counter name "refused-ULMVA6XW-ns1/svc1/tcp/p80" goto reject-chain
      add element ip kanzen-test-proxy no-endpoint-services { 10.96.0.41 . tcp . 80 : goto ${noEndpoints}, 192.168.99.11 . tcp . 80 : goto ${noEndpoints} }
      add element ip kanzen-test-proxy no-endpoint-nodeports { tcp . 30080 : goto ${noEndpoints} }
    `),
  );
});

test('NodePort (externalTrafficPolicy Cluster): the external chain masquerades, then balances', () => {
  assert.equal(
    rendered(svc({ nodePort: 30080 }), [ep('10.244.1.2'), ep('10.244.2.3')]),
    golden(`
      ${endpointChains(E1, E2)}
      add chain ip kanzen-test-proxy ${svcChain}
      add chain ip kanzen-test-proxy ${extChain}
      ${endpointRules(E1, E2)}
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} numgen inc mod 2 vmap { 0 : goto ${ep1}, 1 : goto ${ep2} }
      ${T} ${extChain} jump mark-for-masquerade
      ${T} ${extChain} numgen inc mod 2 vmap { 0 : goto ${ep1}, 1 : goto ${ep2} }
      ${bytesElements(E1, E2)}
      add element ip kanzen-test-proxy service-ips { 10.96.0.41 . tcp . 80 : goto ${svcChain} }
      add element ip kanzen-test-proxy service-nodeports { tcp . 30080 : goto ${extChain} }
    `),
  );
});

test('LoadBalancer and externalIPs: their addresses go to the external chain', () => {
  const out = rendered(svc({ nodePort: 30080, externalIPs: ['192.168.99.11'], loadBalancerIPs: ['192.168.99.22'] }), [ep('10.244.1.2')]);
  assert.ok(
    out.includes(
      `add element ip kanzen-test-proxy service-ips { 10.96.0.41 . tcp . 80 : goto ${svcChain}, 192.168.99.11 . tcp . 80 : goto ${extChain}, 192.168.99.22 . tcp . 80 : goto ${extChain} }\n`,
    ),
    out,
  );
  assert.ok(out.includes(`add element ip kanzen-test-proxy service-nodeports { tcp . 30080 : goto ${extChain} }\n`), out);
});

test('loadBalancerSourceRanges: the LoadBalancer IPs (not the NodePort, not externalIPs) go through a firewall chain that drops other sources', () => {
  const lb = svc({ nodePort: 30080, externalIPs: ['192.168.99.11'], loadBalancerIPs: ['192.168.99.22'], loadBalancerSourceRanges: ['10.0.0.0/30', '192.0.2.7/32'] });
  const fw = 'firewall-ULMVA6XW-ns1/svc1/tcp/p80';
  const out = rendered(lb, [ep('10.244.1.2')]);
  assert.ok(out.includes(`add chain ip kanzen-test-proxy ${fw}\n`), out);
  assert.ok(out.includes(`${T} ${fw} ip saddr != { 10.0.0.0/30, 192.0.2.7/32 } counter name "dropped-ULMVA6XW-ns1/svc1/tcp/p80" drop\n`), out);
  assert.ok(out.includes(`add element ip kanzen-test-proxy firewall-ips { 192.168.99.22 . tcp . 80 : goto ${fw} }\n`), out);
  assert.ok(out.includes('add counter ip kanzen-test-proxy dropped-ULMVA6XW-ns1/svc1/tcp/p80\n'), out);
  // A range holding the node's address admits the LoadBalancer IP itself as a source (upstream allowFromNode).
  const fromNode = rendered(lb, [ep('10.244.1.2')], { ...opts, nodeIPs: ['10.0.0.1'] });
  assert.ok(fromNode.includes(`${T} ${fw} ip saddr != { 10.0.0.0/30, 192.0.2.7/32, 192.168.99.22 } counter name`), fromNode);
  // Without ranges, or without a LoadBalancer IP yet: no firewall.
  assert.doesNotMatch(rendered(svc({ loadBalancerIPs: ['192.168.99.22'] }), [ep('10.244.1.2')]), /firewall/);
  assert.doesNotMatch(rendered(svc({ nodePort: 30080, loadBalancerSourceRanges: ['10.0.0.0/30'] }), [ep('10.244.1.2')]), /firewall/);
});

test('ClientIP affinity: a set per endpoint, filled by the endpoint chain, checked before numgen', () => {
  const a1 = ep1.replace('endpoint-', 'affinity-');
  const a2 = ep2.replace('endpoint-', 'affinity-');
  assert.equal(
    rendered(svc({ stickyMaxAgeSeconds: 600 }), [ep('10.244.1.2'), ep('10.244.2.3')]),
    golden(`
      add set ip kanzen-test-proxy ${a1} { type ipv4_addr; flags dynamic,timeout; timeout 600s; }
      add set ip kanzen-test-proxy ${a2} { type ipv4_addr; flags dynamic,timeout; timeout 600s; }
      ${endpointChains(E1, E2)}
      add chain ip kanzen-test-proxy ${svcChain}
      ${T} ${ep1} ip saddr 10.244.1.2 jump mark-for-masquerade
      ${T} ${ep1} update @${a1} { ip saddr }
      ${T} ${ep1} ct mark set 1
      ${T} ${ep1} counter name "${ep1}" meta l4proto tcp dnat to 10.244.1.2:8080
      ${T} ${ep2} ip saddr 10.244.2.3 jump mark-for-masquerade
      ${T} ${ep2} update @${a2} { ip saddr }
      ${T} ${ep2} ct mark set 2
      ${T} ${ep2} counter name "${ep2}" meta l4proto tcp dnat to 10.244.2.3:8080
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} ip saddr @${a1} goto ${ep1}
      ${T} ${svcChain} ip saddr @${a2} goto ${ep2}
      ${T} ${svcChain} numgen inc mod 2 vmap { 0 : goto ${ep1}, 1 : goto ${ep2} }
      ${bytesElements(E1, E2)}
      add element ip kanzen-test-proxy service-ips { 10.96.0.41 . tcp . 80 : goto ${svcChain} }
    `),
  );
});

test('externalTrafficPolicy Local: pods and the node go to any endpoint, outside traffic to local ones, unmasqueraded', () => {
  const out = rendered(svc({ nodePort: 30080, externalPolicyLocal: true }), [ep('10.244.1.2', { local: true }), ep('10.244.2.3')]);
  const external = out.split('\n').filter((l) => l.startsWith(`${T} ${extChain} `));
  assert.deepEqual(external, [
    `${T} ${extChain} ip saddr 10.244.0.0/16 goto ${svcChain}`,
    `${T} ${extChain} fib saddr type local jump mark-for-masquerade`,
    `${T} ${extChain} fib saddr type local goto ${svcChain}`,
    `${T} ${extChain} numgen inc mod 1 vmap { 0 : goto ${ep1} }`,
  ]);
  assert.match(out, new RegExp(`${svcChain.replace(/[/.]/g, '\\$&')} numgen inc mod 2 vmap`));
});

test('externalTrafficPolicy Local without a local endpoint: outside traffic is dropped, pods still served', () => {
  const out = rendered(svc({ nodePort: 30080, externalPolicyLocal: true }), [ep('10.244.2.3')]);
  const external = out.split('\n').filter((l) => l.startsWith(`${T} ${extChain} `));
  assert.equal(external.at(-1), `${T} ${extChain} counter name "dropped-ULMVA6XW-ns1/svc1/tcp/p80" drop`);
  assert.equal(external[0], `${T} ${extChain} ip saddr 10.244.0.0/16 goto ${svcChain}`);
  assert.ok(out.includes(`add element ip kanzen-test-proxy service-nodeports { tcp . 30080 : goto ${extChain} }`));
});

test('internalTrafficPolicy Local without a local endpoint: ClusterIP traffic is dropped, not rejected', () => {
  assert.equal(
    rendered(svc({ internalPolicyLocal: true }), [ep('10.244.2.3')]),
    golden(`
      add counter ip kanzen-test-proxy dropped-ULMVA6XW-ns1/svc1/tcp/p80
      add chain ip kanzen-test-proxy ${noEndpoints}
      ${T} ${noEndpoints} counter name "dropped-ULMVA6XW-ns1/svc1/tcp/p80" drop
      add element ip kanzen-test-proxy no-endpoint-services { 10.96.0.41 . tcp . 80 : goto ${noEndpoints} }
    `),
  );
  const local = rendered(svc({ internalPolicyLocal: true }), [ep('10.244.1.2', { local: true }), ep('10.244.2.3')]);
  assert.match(local, /numgen inc mod 1 vmap \{ 0 : goto endpoint-Z3J52OID/);
  assert.doesNotMatch(local, /10\.244\.2\.3/);
});

test('terminating fallback: with no ready endpoint, serving terminating ones are used; non-serving never', () => {
  assert.equal(
    rendered(svc(), [ep('10.244.1.2', { ready: false, serving: true, terminating: true }), ep('10.244.2.3', { ready: false, serving: false, terminating: true })]),
    golden(`
      ${endpointChains(E1)}
      add chain ip kanzen-test-proxy ${svcChain}
      ${endpointRules(E1)}
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} numgen inc mod 1 vmap { 0 : goto ${ep1} }
      ${bytesElements(E1)}
      add element ip kanzen-test-proxy service-ips { 10.96.0.41 . tcp . 80 : goto ${svcChain} }
    `),
  );
  // A ready endpoint next to it: the terminating one is no longer chosen.
  assert.doesNotMatch(rendered(svc(), [ep('10.244.1.2', { ready: false, serving: true, terminating: true }), ep('10.244.2.3')]), /10\.244\.1\.2/);
});

test('UDP: udp in the map key, the masquerade match and the DNAT', () => {
  const udp = testServicePortInfo({ namespace: 'ns1', service: 'svc1', portName: 'dns', protocol: 'UDP', clusterIPs: ['10.96.0.41'], port: 53 });
  const out = rendered(udp, [ep('10.244.1.2', { port: 53 })]);
  assert.match(out, /meta l4proto udp dnat to 10\.244\.1\.2:53\n/);
  assert.match(out, /ip daddr 10\.96\.0\.41 udp dport 53 ip saddr != 10\.244\.0\.0\/16 jump mark-for-masquerade/);
  assert.match(out, /service-ips \{ 10\.96\.0\.41 \. udp \. 53 : goto service-7T5VOJIX-ns1\/svc1\/udp\/dns \}/);
});

test('without a cluster CIDR there is no ClusterIP masquerade rule and no pod short-circuit (upstream without a local detector)', () => {
  const out = rendered(svc({ nodePort: 30080, externalPolicyLocal: true }), [ep('10.244.1.2', { local: true })], { clusterCIDRs: [], balance: 'round-robin' });
  assert.doesNotMatch(out, /ip daddr 10\.96\.0\.41 tcp dport 80/);
  assert.doesNotMatch(out, /ip saddr 10\.244\.0\.0\/16/);
  assert.match(out, /fib saddr type local goto service-/);
});
