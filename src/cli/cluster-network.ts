// The addresses a cluster uses inside its own network namespaces (ARCHITECTURE.md,
// "Addresses"). Private-range addresses exist only inside namespaces kanzen creates.
import type { ClusterConfig } from './cluster-home.js';
import { serviceIPByIndex } from '../apiserver/allocators/clusterip-allocator.js';

/** The cluster bridge's /24, as kind's docker network: the control plane is .1, node-N is .(N+1). */
const nodeNetworkPrefix = '172.18.0';

export interface ClusterNetwork {
  nodeCIDR: string;
  apiServerAddress: string;
  nodeIP(index: number): string;
  podCIDR(index: number): string;
}

export function clusterNetwork(cfg: ClusterConfig): ClusterNetwork {
  const [a, b] = cfg.podCIDR.split('/')[0].split('.');
  return {
    nodeCIDR: `${nodeNetworkPrefix}.0/24`,
    apiServerAddress: `${nodeNetworkPrefix}.1`,
    nodeIP: (i) => `${nodeNetworkPrefix}.${i + 1}`,
    podCIDR: (i) => `${a}.${b}.${i}.0/24`,
  };
}

/** Names and addresses the API server certificate must cover. */
export function apiServerSANs(cfg: ClusterConfig): { ips: string[]; dnsNames: string[] } {
  const net = clusterNetwork(cfg);
  return {
    ips: ['127.0.0.1', serviceIPByIndex(cfg.serviceCIDR, 1), net.apiServerAddress],
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', cfg.name],
  };
}
