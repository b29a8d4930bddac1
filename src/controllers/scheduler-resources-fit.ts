// NodeResourcesFit's filter (upstream pkg/scheduler/framework/plugins/noderesources/fit.go):
// a node fits a pod when one more pod stays within its allocatable "pods" and each resource
// the pod requests fits in what the node's pods have not requested yet. Requests, not use:
// a node is full when its pods asked for all of it, whatever they consume.
import type { Node, Pod, Quantity } from '../api/types.js';
import { parseQuantity } from '../api/quantity.js';

export const reasonTooManyPods = 'Too many pods';
/** "Insufficient cpu", "Insufficient memory", "Insufficient example.com/gpu". */
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

/** Amounts by resource name, cpu in millicores and the rest in units (bytes, devices). */
export type Amounts = Map<string, number>;

/** A quantity as upstream's scheduler counts it: MilliValue for cpu, Value (rounded up) for the rest. */
function amount(resource: string, q: Quantity): number {
  const v = parseQuantity(q);
  return Math.ceil(resource === 'cpu' ? v * 1000 : v);
}

function add(into: Amounts, list: Record<string, Quantity> | undefined): void {
  for (const [name, q] of Object.entries(list ?? {})) into.set(name, (into.get(name) ?? 0) + amount(name, q));
}

function maxInto(into: Amounts, other: Amounts): void {
  for (const [name, v] of other) if (v > (into.get(name) ?? 0)) into.set(name, v);
}

/**
 * A pod's effective request (upstream resourcehelper.PodRequests): its containers' sum, or more
 * when an init container needs more while it runs; sidecars (init containers that restart
 * Always) keep running, so they add to both; plus the pod's overhead.
 */
export function podRequests(pod: Pod): Amounts {
  const reqs: Amounts = new Map();
  for (const c of pod.spec.containers ?? []) add(reqs, c.resources?.requests);
  const sidecars: Amounts = new Map();
  const initPeak: Amounts = new Map();
  for (const c of pod.spec.initContainers ?? []) {
    const own: Amounts = new Map();
    add(own, c.resources?.requests);
    if (c.restartPolicy === 'Always') {
      for (const [n, v] of own) {
        reqs.set(n, (reqs.get(n) ?? 0) + v);
        sidecars.set(n, (sidecars.get(n) ?? 0) + v);
      }
      maxInto(initPeak, sidecars);
    } else {
      const whileRunning = new Map(sidecars);
      for (const [n, v] of own) whileRunning.set(n, (whileRunning.get(n) ?? 0) + v);
      maxInto(initPeak, whileRunning);
    }
  }
  maxInto(reqs, initPeak);
  add(reqs, pod.spec.overhead);
  return reqs;
}

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
