// The addresses a cluster uses inside its own network namespaces (ARCHITECTURE.md,
// "Addresses"), from its configuration: one plan (src/node/cluster-network.ts) shared by
// the daemon, the netns runtime and every node agent. Private-range addresses exist only
// inside namespaces kanzen creates.
import type { ClusterConfig } from './cluster-home.js';
import { serviceIPByIndex } from '../apiserver/allocators/clusterip-allocator.js';
import { planClusterNetwork, type ClusterNetwork, type ClusterNetworkOptions } from '../node/cluster-network.js';
import { nodePodCIDR } from '../node/node-registration.js';

export function clusterNetworkOptions(cfg: ClusterConfig): ClusterNetworkOptions {
  return { cluster: cfg.name, nodes: cfg.nodes, serviceCIDR: cfg.serviceCIDR, podCIDR: (i) => nodePodCIDR(cfg.podCIDR, i), nodePortRange: cfg.nodePortRange };
}

export function clusterNetwork(cfg: ClusterConfig): ClusterNetwork {
  return planClusterNetwork(clusterNetworkOptions(cfg));
}

/** Names and addresses the API server certificate must cover. */
export function apiServerSANs(cfg: ClusterConfig): { ips: string[]; dnsNames: string[] } {
  const net = clusterNetwork(cfg);
  return {
    ips: ['127.0.0.1', serviceIPByIndex(cfg.serviceCIDR, 1), net.apiServerAddress],
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', cfg.name],
  };
}
