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
import { byteCounterNames, endpointBytesMap } from './endpoint-marks.js';
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

/** The endpoint chain and affinity set names of one endpoint. */
export function endpointObjectNames(program: ServicePortProgram, ep: Pick<EndpointInfo, 'ip' | 'port'>): { chain: string; affinitySet: string } {
  const base = endpointChainNameBase(program.info.name, ep);
  return { chain: endpointChainPrefix + base, affinitySet: affinitySetPrefix + base };
}

/** `markOf`: the conntrack mark of an endpoint chain (endpoint-marks.ts), for its byte counters. */
/** The chain and counters of a port's refused and dropped traffic. */
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
function writeFirewall(o: NftObjects, program: ServicePortProgram, opts: RenderOptions, droppedCounter: string): void {
  const info = program.info;
  const lbIPs = ipv4(info.loadBalancerIPs);
  if (!lbIPs.length || !info.loadBalancerSourceRanges.length) return;
  const chain = firewallChainPrefix + servicePortChainNameBase(info.name);
  const sources = [...info.loadBalancerSourceRanges];
  const ranges = sources.map((r) => parseCIDR(r));
  if ((opts.nodeIPs ?? []).some((ip) => ranges.some((r) => cidrContains(r, ip)))) sources.push(...lbIPs);
  o.counters.add(droppedCounter);
  o.chains.set(chain, [`ip saddr != { ${sources.join(', ')} } counter name "${droppedCounter}" drop`]);
  const proto = info.protocol.toLowerCase();
  for (const ip of lbIPs) addElement(o, firewallIPsMap, `${ip} . ${proto} . ${info.port}`, `goto ${chain}`);
}

export function renderServicePort(program: ServicePortProgram, opts: RenderOptions, markOf: (endpointChain: string) => number): NftObjects {
  const o = emptyObjects();
  const info = program.info;
  const proto = info.protocol.toLowerCase();
  const base = servicePortChainNameBase(info.name);
  const serviceChain = serviceChainPrefix + base;
  const externalChain = externalChainPrefix + base;
  const affinity = info.stickyMaxAgeSeconds > 0;
  const numgen = numgenMode(info.balance ?? opts.balance);
  const names = servicePortObjectNames(program);
  // Refused or dropped traffic goes through a chain of the port's own, which counts it
  // (created only while the port has traffic to refuse or drop).
  const noEndpointVerdict = `goto ${names.noEndpointsChain}`;
  let noEndpointsUsed = false;
  const useNoEndpoints = (): string => {
    if (!noEndpointsUsed) {
      noEndpointsUsed = true;
      const counter = program.hasAnyEndpoints ? names.droppedCounter : names.refusedCounter;
      o.counters.add(counter);
      o.chains.set(names.noEndpointsChain, [`counter name "${counter}" ${program.hasAnyEndpoints ? 'drop' : `goto ${rejectChain}`}`]);
    }
    return noEndpointVerdict;
  };

  // One endpoint chain per endpoint some traffic may reach.
  const endpoints = new Map<string, EndpointInfo>();
  for (const ep of [...program.internal, ...program.external]) if (!ep.ip.includes(':')) endpoints.set(ep.key, ep);
  for (const ep of endpoints.values()) {
    const names = endpointObjectNames(program, ep);
    const rules = [
      // Hairpin: an endpoint reaching itself through the Service must see the reply come
      // back through the node, so its source becomes the node's.
      `ip saddr ${ep.ip} jump ${markForMasqueradeChain}`,
    ];
    if (affinity) {
      o.sets.set(names.affinitySet, `{ type ipv4_addr; flags dynamic,timeout; timeout ${info.stickyMaxAgeSeconds}s; }`);
      rules.push(`update @${names.affinitySet} { ip saddr }`);
    }
    // The nat hooks see the first packet of a connection only: the counter counts connections (UDP: flows).
    o.counters.add(names.chain);
    const mark = markOf(names.chain);
    const bytes = byteCounterNames(names.chain);
    o.counters.add(bytes.in);
    o.counters.add(bytes.out);
    addElement(o, endpointBytesMap, `original . ${mark}`, `"${bytes.in}"`);
    addElement(o, endpointBytesMap, `reply . ${mark}`, `"${bytes.out}"`);
    rules.push(`ct mark set ${mark}`);
    rules.push(`counter name "${names.chain}" meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
    o.chains.set(names.chain, rules);
  }

  /**
   * Rules choosing among `eps`: the client's affinity first, then numgen over an
   * anonymous verdict map, as upstream. Measured alternative: one shared named map with a
   * numgen `offset` range per chain avoids anonymous sets (whose naming makes the kernel
   * scan every set of the table: a full sync grows quadratically), but every element added
   * to a map bound by 10,000 rules makes the kernel's loop check walk all its bindings —
   * a one-endpoint change took 36 s instead of 0.4 s at 10,000 Service ports.
   */
  const dispatch = (eps: readonly EndpointInfo[]): string[] => {
    const chains = eps.filter((ep) => !ep.ip.includes(':')).map((ep) => endpointObjectNames(program, ep));
    const rules: string[] = [];
    if (affinity) for (const n of chains) rules.push(`ip saddr @${n.affinitySet} goto ${n.chain}`);
    rules.push(`numgen ${numgen} mod ${chains.length} vmap { ${chains.map((n, i) => `${i} : goto ${n.chain}`).join(', ')} }`);
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
  writeFirewall(o, program, opts, names.droppedCounter);
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
    else {
      o.counters.add(names.droppedCounter);
      rules.push(`counter name "${names.droppedCounter}" drop`);
    }
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
