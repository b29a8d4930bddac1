// NodeResourcesFit's filter (upstream pkg/scheduler/framework/plugins/noderesources/fit.go):
// a node fits a pod when one more pod stays within its allocatable "pods" and each resource
// the pod requests fits in what the node's pods have not requested yet. Requests, not use:
// a node is full when its pods asked for all of it, whatever they consume.
import type { Node, Pod } from '../api/types.js';
import { podRequests, resourceAmount as amount, type Amounts } from '../api/pod-resources.js';

export const reasonTooManyPods = 'Too many pods';
/** "Insufficient cpu", "Insufficient memory", "Insufficient example.com/gpu". */
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

export { type Amounts, podRequests };

/**
 * Why the node cannot take the pod (upstream fitsRequest's reasons, in its order: pods, cpu,
 * memory, ephemeral-storage, then other resources), empty when it fits. `podCount` counts
 * the node's pods (assumed ones too); `nodePods` lists them, asked only when the pod
 * requests something.
 */
export function resourcesFitReasons(pod: Pod, requests: Amounts, node: Node, podCount: number, nodePods: () => Pod[]): string[] {
  const allocatable = node.status?.allocatable ?? {};
  const reasons: string[] = [];
  const allowedPods = allocatable.pods === undefined ? Infinity : amount('pods', allocatable.pods);
  if (podCount + 1 > allowedPods) reasons.push(reasonTooManyPods);
  const wanted = [...requests].filter(([, v]) => v > 0);
  if (!wanted.length) return reasons;
  const requested: Amounts = new Map();
  for (const p of nodePods()) for (const [n, v] of podRequests(p)) requested.set(n, (requested.get(n) ?? 0) + v);
  const order = ['cpu', 'memory', 'ephemeral-storage'];
  wanted.sort(([a], [b]) => rank(order, a) - rank(order, b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, v] of wanted) {
    const free = (allocatable[name] === undefined ? 0 : amount(name, allocatable[name])) - (requested.get(name) ?? 0);
    if (v > free) reasons.push(insufficient(name));
  }
  return reasons;
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}
