// NetworkPolicyPort matching: protocol (TCP when left out), a port number, a range
// (port..endPort), or a named port resolved on the destination pod's containers — a
// connection to an address that is no pod, or to a pod without that port name for that
// protocol, matches no named port.
import type { NetworkPolicyPort } from '../api/types.js';
import type { NamedContainerPort } from './policy-cluster.js';

export interface PortRange {
  protocol: string;
  /** Both undefined: every port of the protocol. */
  first?: number;
  last?: number;
}

/** The numbers a policy port names on a destination with these named ports; undefined when a name does not resolve there. */
export function resolvePolicyPort(port: NetworkPolicyPort, namedPorts: readonly NamedContainerPort[] | undefined): PortRange | undefined {
  const protocol = port.protocol ?? 'TCP';
  if (port.port === undefined || port.port === null) return { protocol };
  if (typeof port.port === 'number') return { protocol, first: port.port, last: port.endPort ?? port.port };
  const named = namedPorts?.find((p) => p.name === port.port && p.protocol === protocol);
  return named ? { protocol, first: named.containerPort, last: named.containerPort } : undefined;
}

export function rangeContains(range: PortRange, protocol: string, port: number): boolean {
  if (range.protocol !== protocol) return false;
  return range.first === undefined || (port >= range.first && port <= (range.last ?? range.first));
}

/** A rule's `ports`: absent or empty allows every port and protocol; otherwise one of them must match. */
export function rulePortsAllow(ports: readonly NetworkPolicyPort[] | undefined, namedPorts: readonly NamedContainerPort[] | undefined, protocol: string, port: number): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    const r = resolvePolicyPort(p, namedPorts);
    return r !== undefined && rangeContains(r, protocol, port);
  });
}
