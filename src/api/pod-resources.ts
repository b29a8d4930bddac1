// A pod's effective requests and limits (upstream component-helpers resource.PodRequests and
// PodLimits), shared by the scheduler's NodeResourcesFit, the LimitRanger's Pod limits and the
// quota evaluator.
import type { Pod, Quantity } from './types.js';
import { parseQuantity } from './quantity.js';

/** Amounts by resource name, cpu in millicores and the rest in units (bytes, devices). */
export type Amounts = Map<string, number>;

/** A quantity as upstream counts it: MilliValue for cpu, Value (rounded up) for the rest. */
export function resourceAmount(resource: string, q: Quantity): number {
  const v = parseQuantity(q);
  // Rounded up, as Quantity's MilliValue and Value do (less float noise: 0.1 * 1000 is 100).
  return Math.ceil(Math.round((resource === 'cpu' ? v * 1000 : v) * 1e6) / 1e6);
}

function add(into: Amounts, list: Record<string, Quantity> | undefined): void {
  for (const [name, q] of Object.entries(list ?? {})) into.set(name, (into.get(name) ?? 0) + resourceAmount(name, q));
}

function maxInto(into: Amounts, other: Amounts): void {
  for (const [name, v] of other) if (v > (into.get(name) ?? 0)) into.set(name, v);
}

/**
 * The pod's effective requests or limits: its containers' sum, or more when an init container
 * needs more while it runs; sidecars (init containers that restart Always) keep running, so
 * they add to both; plus the pod's overhead.
 */
export function podResourceAmounts(pod: Pod, which: 'requests' | 'limits'): Amounts {
  const total: Amounts = new Map();
  for (const c of pod.spec.containers ?? []) add(total, c.resources?.[which]);
  const sidecars: Amounts = new Map();
  const initPeak: Amounts = new Map();
  for (const c of pod.spec.initContainers ?? []) {
    const own: Amounts = new Map();
    add(own, c.resources?.[which]);
    if (c.restartPolicy === 'Always') {
      for (const [n, v] of own) {
        total.set(n, (total.get(n) ?? 0) + v);
        sidecars.set(n, (sidecars.get(n) ?? 0) + v);
      }
      maxInto(initPeak, sidecars);
    } else {
      const whileRunning = new Map(sidecars);
      for (const [n, v] of own) whileRunning.set(n, (whileRunning.get(n) ?? 0) + v);
      maxInto(initPeak, whileRunning);
    }
  }
  maxInto(total, initPeak);
  add(total, pod.spec.overhead);
  return total;
}

/** The pod's effective request (upstream resourcehelper.PodRequests). */
export function podRequests(pod: Pod): Amounts {
  return podResourceAmounts(pod, 'requests');
}
