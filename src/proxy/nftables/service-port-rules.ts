// Renders one Service port into nftables objects, following kube-proxy's nftables mode
// (upstream pkg/proxy/nftables/proxier.go, syncProxyRules): verdict-map elements send
// the port's addresses to a "service-" chain (ClusterIP traffic) or an "external-" chain
// (NodePort, externalIPs, LoadBalancer IPs); those pick an "endpoint-" chain, which DNATs.
// Which endpoints each chain may use was decided by topology.ts (the program); this file
// only writes it down. Pure: the same program always renders the same objects.
import type { EndpointInfo } from '../endpoint.js';
import type { BalanceMode } from '../service-port.js';
import { externallyAccessible } from '../service-port.js';
import type { ServicePortProgram } from '../userspace/service-port-route.js';
import { cidrContains, parseCIDR } from '../../api/ipv4.js';
import {
  firewallIPsMap,
  markForMasqueradeChain,
  noEndpointNodePortsMap,
  noEndpointServicesMap,
  rejectChain,
  serviceIPsMap,
  serviceNodePortsMap,
} from './base-ruleset.js';
import {
  affinitySetPrefix,
  endpointChainNameBase,
  endpointChainPrefix,
  externalChainPrefix,
  firewallChainPrefix,
  noEndpointsChainPrefix,
  serviceChainPrefix,
  servicePortChainNameBase,
} from './chain-names.js';
import { countingElements, endpointBytesSet, endpointConnectionsSet } from './endpoint-marks.js';
import { addElement, emptyObjects, type NftObjects } from './nft-objects.js';

export interface RenderOptions {
  /**
   * The pods' addresses (the cluster CIDR): ClusterIP traffic from anywhere else is
   * masqueraded, and pods reaching an externalTrafficPolicy Local port are sent to any
   * endpoint (upstream's local-traffic detector). Empty: no such rules, as upstream
   * without a detector.
   */
  clusterCIDRs: readonly string[];
  /** The default balance; a Service's kanzen.io/proxy-balance annotation overrides it. */
  balance: BalanceMode;
  /** The node's own addresses (for loadBalancerSourceRanges that hold them). */
  nodeIPs?: readonly string[];
}

/**
 * nftables picks an endpoint with `numgen`: `inc` (a counter per rule) is round robin,
 * `random` is kube-proxy's choice. Least-connections needs the connection counts of the
 * endpoints at the moment of choice, which no nftables expression reads: it falls back
 * to round robin (the userspace mode implements it).
 */
export function numgenMode(balance: BalanceMode): 'inc' | 'random' {
  return balance === 'random' ? 'random' : 'inc';
}

function ipv4(ips: readonly string[]): string[] {
  return ips.filter((ip) => !ip.includes(':'));
}

function setExpr(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `{ ${items.join(', ')} }`;
}

/** Names of one endpoint: upstream's endpoint chain name (the key of its conntrack mark) and its affinity set. */
export function endpointObjectNames(program: ServicePortProgram, ep: Pick<EndpointInfo, 'ip' | 'port'>): { chain: string; affinitySet: string } {
  const base = endpointChainNameBase(program.info.name, ep);
  return { chain: endpointChainPrefix + base, affinitySet: affinitySetPrefix + base };
}

/** The chain of a port's refused and dropped traffic, and the keys its counts' marks are handed out by (endpoint-marks.ts). */
export function servicePortObjectNames(program: ServicePortProgram): { noEndpointsChain: string; refusedCounter: string; droppedCounter: string } {
  const base = servicePortChainNameBase(program.info.name);
  return { noEndpointsChain: noEndpointsChainPrefix + base, refusedCounter: `refused-${base}`, droppedCounter: `dropped-${base}` };
}

/**
 * loadBalancerSourceRanges (upstream's firewall chain): a new connection to a LoadBalancer
 * IP from outside the ranges is dropped, and counted with the port's dropped traffic.
 * Checked before DNAT (base-ruleset.ts, firewall-check). A range holding the node's own
 * address lets the LoadBalancer IPs through as sources too, as upstream: a node reaching
 * a VIP that is local to it talks from the VIP itself.
 */
function writeFirewall(o: NftObjects, program: ServicePortProgram, opts: RenderOptions, countDropped: () => string): void {
  const info = program.info;
  const lbIPs = ipv4(info.loadBalancerIPs);
  if (!lbIPs.length || !info.loadBalancerSourceRanges.length) return;
  const chain = firewallChainPrefix + servicePortChainNameBase(info.name);
  const sources = [...info.loadBalancerSourceRanges];
  const ranges = sources.map((r) => parseCIDR(r));
  if ((opts.nodeIPs ?? []).some((ip) => ranges.some((r) => cidrContains(r, ip)))) sources.push(...lbIPs);
  o.chains.set(chain, [`ip saddr != { ${sources.join(', ')} } ${countDropped()} drop`]);
  const proto = info.protocol.toLowerCase();
  for (const ip of lbIPs) addElement(o, firewallIPsMap, `${ip} . ${proto} . ${info.port}`, `goto ${chain}`);
}

/** `markOf`: the conntrack mark of an endpoint (by its chain name) or of a refused/dropped count (endpoint-marks.ts), which its counters are found by. */
export function renderServicePort(program: ServicePortProgram, opts: RenderOptions, markOf: (key: string) => number): NftObjects {
  const o = emptyObjects();
  const info = program.info;
  const proto = info.protocol.toLowerCase();
  const base = servicePortChainNameBase(info.name);
  const serviceChain = serviceChainPrefix + base;
  const externalChain = externalChainPrefix + base;
  const affinity = info.stickyMaxAgeSeconds > 0;
  const numgen = numgenMode(info.balance ?? opts.balance);
  const names = servicePortObjectNames(program);
  /** A rule counting a connection (its first packet) as `key`'s: the mark's element in endpoint-connections. */
  const countAs = (key: string): string => {
    const mark = markOf(key);
    // The key rides along as the element's comment: an agent taking over the table reads the marks back (readEndpointMarks).
    addElement(o, endpointConnectionsSet, countingElements(mark).connections, `comment "${key}"`);
    return `ct mark set ${mark} ct mark @${endpointConnectionsSet}`;
  };
  // Refused or dropped traffic goes through a chain of the port's own, which counts it
  // (created only while the port has traffic to refuse or drop).
  const noEndpointVerdict = `goto ${names.noEndpointsChain}`;
  let noEndpointsUsed = false;
  const useNoEndpoints = (): string => {
    if (!noEndpointsUsed) {
      noEndpointsUsed = true;
      const count = countAs(program.hasAnyEndpoints ? names.droppedCounter : names.refusedCounter);
      o.chains.set(names.noEndpointsChain, [count, program.hasAnyEndpoints ? 'drop' : `goto ${rejectChain}`]);
    }
    return noEndpointVerdict;
  };

  // What a connection sent to an endpoint gets: upstream's endpoint chain, folded into the
  // rules that choose the endpoint (no chain per endpoint: nft before 1.1.3 lists every
  // chain of the namespace for each partial sync, and the kernel validates every chain at
  // each commit). The hairpin masquerade of upstream's endpoint chain is done in
  // postrouting instead (base-ruleset.ts, hairpinSet).
  const endpoints = new Map<string, EndpointInfo>();
  for (const ep of [...program.internal, ...program.external]) if (!ep.ip.includes(':')) endpoints.set(ep.key, ep);
  const statements = new Map<string, string>();
  for (const ep of endpoints.values()) {
    const names = endpointObjectNames(program, ep);
    const parts: string[] = [];
    if (affinity) {
      o.sets.set(names.affinitySet, `{ type ipv4_addr; flags dynamic,timeout; timeout ${info.stickyMaxAgeSeconds}s; }`);
      parts.push(`update @${names.affinitySet} { ip saddr }`);
    }
    // The nat hooks see the first packet of a connection only: the lookup counts connections (UDP: flows).
    parts.push(countAs(names.chain));
    const counting = countingElements(markOf(names.chain));
    addElement(o, endpointBytesSet, counting.bytesIn, '');
    addElement(o, endpointBytesSet, counting.bytesOut, '');
    parts.push(`meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
    statements.set(ep.key, parts.join(' '));
  }

  /**
   * Rules choosing among `eps`: the client's affinity first, then one rule per endpoint,
   * as kube-proxy's iptables mode chooses. Rule i of n takes the connection with
   * probability 1/(n-i) of what the rules before it left: each rule has a numgen of its
   * own (a counter per rule for `inc`, starting at 0), so `inc` visits the endpoints in
   * turn (0, 1, …, n-1, 0, …) and `random` picks each with probability 1/n; the last
   * endpoint (the only one, for n = 1) needs no numgen.
   *
   * Not upstream's `numgen … vmap { … }`: every such anonymous map is a set the kernel
   * names by scanning all the table's sets and looks up by scanning the transaction, so a
   * full sync of 10,000 Service ports took 51 s (quadratic); a named map per port is
   * found by a linear name scan too (5,000 ports: 5.3 s against 2.1 s with rules). One
   * shared map bound by every service chain makes each element added re-check every
   * binding (one change: 36 s at 10,000 ports). Rules cost a new connection one numgen
   * per endpoint passed over, nothing per Service; later packets follow conntrack.
   */
  const dispatch = (eps: readonly EndpointInfo[]): string[] => {
    const chosen = eps.filter((ep) => !ep.ip.includes(':')).map((ep) => ({ names: endpointObjectNames(program, ep), then: statements.get(ep.key) ?? '' }));
    const rules: string[] = [];
    if (affinity) for (const e of chosen) rules.push(`ip saddr @${e.names.affinitySet} ${e.then}`);
    chosen.forEach((e, i) => {
      const left = chosen.length - i;
      rules.push(left > 1 ? `numgen ${numgen} mod ${left} 0 ${e.then}` : e.then);
    });
    return rules;
  };

  const clusterIPs = ipv4(info.clusterIPs);
  const hasInternal = program.internal.length > 0;
  if (hasInternal) {
    const rules: string[] = [];
    // ClusterIP traffic from outside the pod network is masqueraded, so the reply comes back through this node.
    if (opts.clusterCIDRs.length) {
      for (const ip of clusterIPs) rules.push(`ip daddr ${ip} ${proto} dport ${info.port} ip saddr != ${setExpr(opts.clusterCIDRs)} jump ${markForMasqueradeChain}`);
    }
    rules.push(...dispatch(program.internal));
    o.chains.set(serviceChain, rules);
  }
  for (const ip of clusterIPs) {
    addElement(o, hasInternal ? serviceIPsMap : noEndpointServicesMap, `${ip} . ${proto} . ${info.port}`, hasInternal ? `goto ${serviceChain}` : useNoEndpoints());
  }

  if (!externallyAccessible(info)) return o;
  writeFirewall(o, program, opts, () => countAs(names.droppedCounter));
  // With externalTrafficPolicy Local, traffic from pods and from the node itself still
  // goes to any endpoint (through the service chain): only traffic from outside must stay here.
  const shortCircuit = info.externalPolicyLocal && hasInternal;
  const hasExternalChain = program.external.length > 0 || shortCircuit;
  if (hasExternalChain) {
    const rules: string[] = [];
    if (!info.externalPolicyLocal) {
      // Cluster policy: the endpoint may be on another node, whose reply must come back here.
      rules.push(`jump ${markForMasqueradeChain}`);
    } else {
      if (shortCircuit && opts.clusterCIDRs.length) rules.push(`ip saddr ${setExpr(opts.clusterCIDRs)} goto ${serviceChain}`);
      if (shortCircuit) rules.push(`fib saddr type local jump ${markForMasqueradeChain}`, `fib saddr type local goto ${serviceChain}`);
    }
    // Local policy and no local endpoint: external traffic is dropped here (pods and the node were sent on above).
    if (program.external.length) rules.push(...dispatch(program.external));
    else rules.push(countAs(names.droppedCounter), 'drop');
    o.chains.set(externalChain, rules);
  }
  const externalIPs = ipv4([...info.externalIPs, ...info.loadBalancerIPs]);
  for (const ip of externalIPs) {
    addElement(o, hasExternalChain ? serviceIPsMap : noEndpointServicesMap, `${ip} . ${proto} . ${info.port}`, hasExternalChain ? `goto ${externalChain}` : useNoEndpoints());
  }
  if (info.nodePort) {
    addElement(o, hasExternalChain ? serviceNodePortsMap : noEndpointNodePortsMap, `${proto} . ${info.nodePort}`, hasExternalChain ? `goto ${externalChain}` : useNoEndpoints());
  }
  return o;
}
