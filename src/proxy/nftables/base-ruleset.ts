// The fixed part of the nftables Service proxy's table (upstream pkg/proxy/nftables
// setupNFTables): the base chains hooked into netfilter, the shared verdict maps every
// Service port adds elements to, and the masquerade and reject machinery. Written on a
// full sync only; partial syncs touch Service-port chains and map elements.
import { endpointBytesSet, endpointConnectionsSet } from './endpoint-marks.js';

/** Packet mark bit asking for masquerade at postrouting (upstream uses 0x4000; kanzen's transparent return path marks 0x4b5a, which contains that bit). */
export const masqueradeBit = 0x8000;

/** ClusterIP, externalIP and LoadBalancer IP traffic: "ip . proto . port" → goto the Service port's chain. */
export const serviceIPsMap = 'service-ips';
/** NodePort traffic to the node's addresses: "proto . port" → goto the Service port's external chain. */
export const serviceNodePortsMap = 'service-nodeports';
/** Service IPs with no endpoint for the traffic: "ip . proto . port" → goto reject-chain (none anywhere) or drop (Local policy). */
export const noEndpointServicesMap = 'no-endpoint-services';
/** The same for NodePorts: "proto . port". */
export const noEndpointNodePortsMap = 'no-endpoint-nodeports';
/** LoadBalancer IPs with loadBalancerSourceRanges: "ip . proto . port" → goto the port's firewall chain. */
export const firewallIPsMap = 'firewall-ips';
/** The node addresses NodePorts answer on. */
export const nodePortIPsSet = 'nodeport-ips';
/**
 * "<endpoint> . <endpoint>" for every endpoint address of every Service port: a connection
 * DNATed back to its own source (a pod reaching itself through its Service, hairpin) is
 * masqueraded, so the reply comes back through the node. Upstream's endpoint chain checks
 * `ip saddr <endpoint>` before its DNAT; kanzen has no endpoint chains (service-port-rules.ts).
 */
export const hairpinSet = 'hairpin';
export const markForMasqueradeChain = 'mark-for-masquerade';
export const rejectChain = 'reject-chain';

export interface BaseRulesetOptions {
  table: string;
  /** Addresses NodePorts answer on; loopback ones are left out (the kernel does not DNAT 127/8 to other hosts). */
  nodePortAddresses: readonly string[];
}

/** The family-qualified table, as every command names it. */
export function tableRef(table: string): string {
  return `ip ${table}`;
}

/** Commands creating the table's fixed part (after the table itself was created empty). */
export function baseRuleset(opts: BaseRulesetOptions): string[] {
  const t = tableRef(opts.table);
  const chain = (name: string, hook?: string) => `add chain ${t} ${name}${hook ? ` { ${hook} }` : ''}`;
  const rule = (name: string, r: string) => `add rule ${t} ${name} ${r}`;
  const nodeIPs = opts.nodePortAddresses.filter((a) => !a.includes(':') && !a.startsWith('127.'));
  const out = [
    `add table ${t} { comment "rules for kanzen's Service proxy"; }`,
    `add map ${t} ${serviceIPsMap} { type ipv4_addr . inet_proto . inet_service : verdict; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"; }`,
    `add map ${t} ${serviceNodePortsMap} { type inet_proto . inet_service : verdict; comment "NodePort traffic"; }`,
    `add map ${t} ${noEndpointServicesMap} { type ipv4_addr . inet_proto . inet_service : verdict; comment "vmap to drop or reject packets to services with no endpoints"; }`,
    `add map ${t} ${noEndpointNodePortsMap} { type inet_proto . inet_service : verdict; comment "vmap to drop or reject packets to service nodeports with no endpoints"; }`,
    `add set ${t} ${nodePortIPsSet} { type ipv4_addr; comment "IPs that accept NodePort traffic"; }`,
    `add set ${t} ${hairpinSet} { type ipv4_addr . ipv4_addr; comment "endpoint address twice: connections DNATed back to their source"; }`,
    ...(nodeIPs.length ? [`add element ${t} ${nodePortIPsSet} { ${nodeIPs.join(', ')} }`] : []),

    // Masquerade: a chain marks, postrouting masquerades what is marked (and clears the mark).
    chain(markForMasqueradeChain),
    rule(markForMasqueradeChain, `meta mark set meta mark | ${hex(masqueradeBit)}`),
    chain('masquerading'),
    rule('masquerading', `meta mark & ${hex(masqueradeBit)} == 0 return`),
    rule('masquerading', `meta mark set meta mark ^ ${hex(masqueradeBit)}`),
    rule('masquerading', 'masquerade fully-random'),
    chain('nat-postrouting', 'type nat hook postrouting priority srcnat; policy accept;'),
    rule('nat-postrouting', `ct status dnat ip saddr . ip daddr @${hairpinSet} masquerade fully-random`),
    rule('nat-postrouting', 'jump masquerading'),

    // No endpoints: refused before DNAT is even considered, as the userspace proxy refuses
    // (TCP reset; ICMP port unreachable for UDP).
    chain(rejectChain),
    rule(rejectChain, 'meta l4proto tcp reject with tcp reset'),
    rule(rejectChain, 'reject'),
    chain('service-endpoints-check'),
    rule('service-endpoints-check', `ip daddr . meta l4proto . th dport vmap @${noEndpointServicesMap}`),
    chain('nodeport-endpoints-check'),
    rule('nodeport-endpoints-check', `ip daddr @${nodePortIPsSet} meta l4proto . th dport vmap @${noEndpointNodePortsMap}`),
    // kanzen's node namespaces route the whole service CIDR to lo, so a packet for a
    // Service without endpoints goes to input, not forward: check it where it enters
    // (prerouting, output), before the nat hooks.
    // loadBalancerSourceRanges (service-port-rules.ts writeFirewall), before DNAT too.
    `add map ${t} ${firewallIPsMap} { type ipv4_addr . inet_proto . inet_service : verdict; comment "destinations that are subject to LoadBalancerSourceRanges"; }`,
    chain('firewall-check'),
    rule('firewall-check', `ip daddr . meta l4proto . th dport vmap @${firewallIPsMap}`),
    chain('filter-prerouting', 'type filter hook prerouting priority dstnat - 10; policy accept;'),
    rule('filter-prerouting', 'ct state new jump firewall-check'),
    rule('filter-prerouting', 'ct state new jump service-endpoints-check'),
    rule('filter-prerouting', 'ct state new jump nodeport-endpoints-check'),
    chain('filter-output', 'type filter hook output priority -110; policy accept;'),
    rule('filter-output', 'ct state new jump firewall-check'),
    rule('filter-output', 'ct state new jump service-endpoints-check'),
    rule('filter-output', 'ct state new jump nodeport-endpoints-check'),

    // Bytes per endpoint: after DNAT, in both directions (endpoint-marks.ts).
    `add set ${t} ${endpointConnectionsSet} { type mark; counter; comment "connections per endpoint mark"; }`,
    `add set ${t} ${endpointBytesSet} { type ct_dir . mark; counter; comment "bytes per conntrack direction and endpoint mark"; }`,
    chain('endpoint-bytes-count'),
    rule('endpoint-bytes-count', `ct mark != 0 ct direction . ct mark @${endpointBytesSet}`),
    chain('filter-forward', 'type filter hook forward priority filter; policy accept;'),
    rule('filter-forward', 'jump endpoint-bytes-count'),
    chain('filter-input', 'type filter hook input priority filter; policy accept;'),
    rule('filter-input', 'jump endpoint-bytes-count'),
    chain('filter-output-post-dnat', 'type filter hook output priority filter; policy accept;'),
    rule('filter-output-post-dnat', 'jump endpoint-bytes-count'),

    // DNAT: every new connection looks its destination up in the two verdict maps.
    chain('services'),
    rule('services', `ip daddr . meta l4proto . th dport vmap @${serviceIPsMap}`),
    rule('services', `ip daddr @${nodePortIPsSet} meta l4proto . th dport vmap @${serviceNodePortsMap}`),
    chain('nat-prerouting', 'type nat hook prerouting priority dstnat; policy accept;'),
    rule('nat-prerouting', 'jump services'),
    chain('nat-output', 'type nat hook output priority -100; policy accept;'),
    rule('nat-output', 'jump services'),
  ];
  return out;
}

export function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
