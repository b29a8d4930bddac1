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
/** What a connection sent to the endpoint gets (upstream's endpoint chain, in the rule that chooses it): counted, DNATed. */
function then([, addr, mark]: E): string {
  return `ct mark set ${mark} ct mark @endpoint-connections meta l4proto tcp dnat to ${addr}`;
}
/** Each endpoint's conntrack mark is an element of the counting sets: its connections, its bytes in and out. */
function bytesElements(...eps: E[]): string {
  const bytes = eps.flatMap(([, , mark]) => [`original . ${mark}`, `reply . ${mark}`]);
  return [
    `add element ip kanzen-test-proxy endpoint-connections { ${eps.map(([chain, , mark]) => `${mark} comment "${chain}"`).join(', ')} }`,
    `add element ip kanzen-test-proxy endpoint-bytes { ${bytes.join(', ')} }`,
  ].join('\n');
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
      add chain ip kanzen-test-proxy ${svcChain}
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} numgen inc mod 2 0 ${then(E1)}
      ${T} ${svcChain} ${then(E2)}
      ${bytesElements(E1, E2)}
      add element ip kanzen-test-proxy service-ips { 10.96.0.41 . tcp . 80 : goto ${svcChain} }
    `),
  );
});

test('balance: random is kube-proxy\'s numgen random; least-connections has no kernel form and is round robin', () => {
  const three = [ep('10.244.1.2'), ep('10.244.2.3'), ep('10.244.3.4')];
  // Endpoint i of n is taken with probability 1/(n-i) of what is left: uniform for random, in turn for inc.
  assert.match(rendered(svc({ balance: 'random' }), three), /numgen random mod 3 0 ct mark set 1 .* dnat to 10\.244\.1\.2:8080\n.*numgen random mod 2 0 ct mark set 2 .* dnat to 10\.244\.2\.3:8080\n.*p80 ct mark set 3 .* dnat to 10\.244\.3\.4:8080\n/);
  assert.match(rendered(svc(), three, { ...opts, balance: 'random' }), /numgen random mod 3 0 ct mark/);
  assert.match(rendered(svc({ balance: 'least-connections' }), three), /numgen inc mod 3 0 ct mark/);
  assert.match(rendered(svc({ balance: 'round-robin' }), three, { ...opts, balance: 'random' }), /numgen inc mod 3 0 ct mark/);
  // One endpoint: no choice to make.
  assert.doesNotMatch(rendered(svc({ balance: 'random' }), [ep('10.244.1.2')]), /numgen/);
});

const noEndpoints = 'no-endpoints-ULMVA6XW-ns1/svc1/tcp/p80';

test('no endpoints: ClusterIP, externalIP and NodePort are counted as refused and go to the reject chain', () => {
  assert.equal(
    rendered(svc({ nodePort: 30080, externalIPs: ['192.168.99.11'] }), []),
    golden(`
      add chain ip kanzen-test-proxy ${noEndpoints}
      ${T} ${noEndpoints} ct mark set 1 ct mark @endpoint-connections
      ${T} ${noEndpoints} goto reject-chain
      add element ip kanzen-test-proxy endpoint-connections { 1 comment "refused-ULMVA6XW-ns1/svc1/tcp/p80" }
      add element ip kanzen-test-proxy no-endpoint-services { 10.96.0.41 . tcp . 80 : goto ${noEndpoints}, 192.168.99.11 . tcp . 80 : goto ${noEndpoints} }
      add element ip kanzen-test-proxy no-endpoint-nodeports { tcp . 30080 : goto ${noEndpoints} }
    `),
  );
});

test('NodePort (externalTrafficPolicy Cluster): the external chain masquerades, then balances', () => {
  assert.equal(
    rendered(svc({ nodePort: 30080 }), [ep('10.244.1.2'), ep('10.244.2.3')]),
    golden(`
      add chain ip kanzen-test-proxy ${svcChain}
      add chain ip kanzen-test-proxy ${extChain}
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} numgen inc mod 2 0 ${then(E1)}
      ${T} ${svcChain} ${then(E2)}
      ${T} ${extChain} jump mark-for-masquerade
      ${T} ${extChain} numgen inc mod 2 0 ${then(E1)}
      ${T} ${extChain} ${then(E2)}
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
  // Counted with the port's dropped traffic (mark 2: the endpoint has 1).
  assert.ok(out.includes(`${T} ${fw} ip saddr != { 10.0.0.0/30, 192.0.2.7/32 } ct mark set 2 ct mark @endpoint-connections drop\n`), out);
  assert.ok(out.includes(`add element ip kanzen-test-proxy firewall-ips { 192.168.99.22 . tcp . 80 : goto ${fw} }\n`), out);
  assert.ok(out.includes('2 comment "dropped-ULMVA6XW-ns1/svc1/tcp/p80"'), out);
  // A range holding the node's address admits the LoadBalancer IP itself as a source (upstream allowFromNode).
  const fromNode = rendered(lb, [ep('10.244.1.2')], { ...opts, nodeIPs: ['10.0.0.1'] });
  assert.ok(fromNode.includes(`${T} ${fw} ip saddr != { 10.0.0.0/30, 192.0.2.7/32, 192.168.99.22 } ct mark set 2 ct mark @endpoint-connections drop`), fromNode);
  // Without ranges, or without a LoadBalancer IP yet: no firewall.
  assert.doesNotMatch(rendered(svc({ loadBalancerIPs: ['192.168.99.22'] }), [ep('10.244.1.2')]), /firewall/);
  assert.doesNotMatch(rendered(svc({ nodePort: 30080, loadBalancerSourceRanges: ['10.0.0.0/30'] }), [ep('10.244.1.2')]), /firewall/);
});

test('ClientIP affinity: a set per endpoint, filled when the endpoint is chosen, checked before numgen', () => {
  const a1 = ep1.replace('endpoint-', 'affinity-');
  const a2 = ep2.replace('endpoint-', 'affinity-');
  assert.equal(
    rendered(svc({ stickyMaxAgeSeconds: 600 }), [ep('10.244.1.2'), ep('10.244.2.3')]),
    golden(`
      add set ip kanzen-test-proxy ${a1} { type ipv4_addr; flags dynamic,timeout; timeout 600s; }
      add set ip kanzen-test-proxy ${a2} { type ipv4_addr; flags dynamic,timeout; timeout 600s; }
      add chain ip kanzen-test-proxy ${svcChain}
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} ip saddr @${a1} update @${a1} { ip saddr } ${then(E1)}
      ${T} ${svcChain} ip saddr @${a2} update @${a2} { ip saddr } ${then(E2)}
      ${T} ${svcChain} numgen inc mod 2 0 update @${a1} { ip saddr } ${then(E1)}
      ${T} ${svcChain} update @${a2} { ip saddr } ${then(E2)}
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
    `${T} ${extChain} ${then(E1)}`,
  ]);
  assert.ok(out.includes(`${T} ${svcChain} numgen inc mod 2 0 ${then(E1)}\n${T} ${svcChain} ${then(E2)}\n`), out);
});

test('externalTrafficPolicy Local without a local endpoint: outside traffic is dropped, pods still served', () => {
  const out = rendered(svc({ nodePort: 30080, externalPolicyLocal: true }), [ep('10.244.2.3')]);
  const external = out.split('\n').filter((l) => l.startsWith(`${T} ${extChain} `));
  // Counted under a mark of its own (the endpoint has 1), then dropped.
  assert.deepEqual(external.slice(-2), [`${T} ${extChain} ct mark set 2 ct mark @endpoint-connections`, `${T} ${extChain} drop`]);
  assert.match(out, /add element ip kanzen-test-proxy endpoint-connections \{ 1 comment "endpoint-[^"]+", 2 comment "dropped-[^"]+" \}/);
  assert.equal(external[0], `${T} ${extChain} ip saddr 10.244.0.0/16 goto ${svcChain}`);
  assert.ok(out.includes(`add element ip kanzen-test-proxy service-nodeports { tcp . 30080 : goto ${extChain} }`));
});

test('internalTrafficPolicy Local without a local endpoint: ClusterIP traffic is dropped, not rejected', () => {
  assert.equal(
    rendered(svc({ internalPolicyLocal: true }), [ep('10.244.2.3')]),
    golden(`
      add chain ip kanzen-test-proxy ${noEndpoints}
      ${T} ${noEndpoints} ct mark set 1 ct mark @endpoint-connections
      ${T} ${noEndpoints} drop
      add element ip kanzen-test-proxy endpoint-connections { 1 comment "dropped-ULMVA6XW-ns1/svc1/tcp/p80" }
      add element ip kanzen-test-proxy no-endpoint-services { 10.96.0.41 . tcp . 80 : goto ${noEndpoints} }
    `),
  );
  const local = rendered(svc({ internalPolicyLocal: true }), [ep('10.244.1.2', { local: true }), ep('10.244.2.3')]);
  assert.ok(local.includes(`${T} ${svcChain} ${then(E1)}\n`), local);
  assert.doesNotMatch(local, /10\.244\.2\.3/);
});

test('terminating fallback: with no ready endpoint, serving terminating ones are used; non-serving never', () => {
  assert.equal(
    rendered(svc(), [ep('10.244.1.2', { ready: false, serving: true, terminating: true }), ep('10.244.2.3', { ready: false, serving: false, terminating: true })]),
    golden(`
      add chain ip kanzen-test-proxy ${svcChain}
      ${T} ${svcChain} ip daddr 10.96.0.41 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
      ${T} ${svcChain} ${then(E1)}
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
