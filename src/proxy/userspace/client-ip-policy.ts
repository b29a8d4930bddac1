// When the proxy keeps the client's address as the source of its connection to an
// endpoint (ip-transparent.ts). The endpoint answers that address; the answer must come
// back through this node for the proxy to get it, so the address is kept only when that
// is certain — elsewhere the endpoint sees the node's address, where kube-proxy would
// masquerade:
//
//   ClusterIP traffic from a pod of this node          kept (the pod's answers route via its node)
//   ClusterIP traffic with internalTrafficPolicy Local kept (the endpoint is on this node)
//   NodePort/LB/externalIP traffic, policy Local       kept (the endpoint is on this node), as Kubernetes
//   NodePort/LB/externalIP traffic, policy Cluster     node address (kube-proxy masquerades too)
//   a pod calling a Service that picks the pod itself  node address (kube-proxy's hairpin masquerade)
//   clients on the host (127.0.0.0/8)                  node address (a loopback source means nothing in a pod)
import { cidrContains, parseCIDR } from '../../api/ipv4.js';
import type { ClientIPPolicy } from './tcp-listener.js';

export function clientIPPolicy(nodePodCIDR: string): ClientIPPolicy {
  const pods = parseCIDR(nodePodCIDR);
  return (clientIP, ep, route, external) => {
    if (!clientIP || clientIP === ep.info.ip || clientIP.startsWith('127.') || clientIP.includes(':')) return false;
    if (external) return route.info.externalPolicyLocal;
    return route.info.internalPolicyLocal || cidrContains(pods, clientIP);
  };
}
