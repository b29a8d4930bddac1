// metrics-server's storage (pkg/storage): from the last two readings of a node, the usage over
// the window between them — CPU as the rate of the cumulative counter (cores, written in
// nanocores: "1234567n"), memory as the latest working set (bytes, "1234Ki") — as NodeMetrics
// and PodMetrics. A container seen once has no rate yet, and a pod is reported only when every
// one of its running containers has one, as metrics-server reports them.
import { formatQuantity } from '../../api/quantity.js';
import { goDuration } from '../../api/protobuf/well-known.js';
import { rfc3339 } from '../../api/time.js';
import type { NodeMetrics, PodMetrics } from '../../api/types.js';
import type { NodeResourceUsage, Usage } from '../../api/node-resource-usage.js';

/** Two readings of one node, oldest first. */
export interface ReadingPair {
  node: string;
  labels?: Record<string, string>;
  prev: NodeResourceUsage;
  cur: NodeResourceUsage;
}

/** CPU cores as metrics-server writes them: whole nanocores, in Quantity's canonical form ("1234567n", "2m", "0"). */
export function cpuQuantity(cores: number): string {
  return formatQuantity(Math.max(0, Math.round(cores * 1e9)) / 1e9);
}

/** Bytes as a BinarySI quantity (resource.NewQuantity(b, BinarySI)): "1635148Ki", "4Mi", "1000". */
export function memoryQuantity(bytes: number): string {
  return formatQuantity(Math.max(0, Math.round(bytes)), true);
}

function usageOver(prev: Usage, cur: Usage, seconds: number): { cpu: string; memory: string } {
  return { cpu: cpuQuantity((cur.cpuCoreSeconds - prev.cpuCoreSeconds) / seconds), memory: memoryQuantity(cur.memoryWorkingSetBytes) };
}

function windowOf(r: ReadingPair): { seconds: number; window: string; timestamp: string } {
  const ms = r.cur.time.getTime() - r.prev.time.getTime();
  return { seconds: ms / 1000, window: goDuration(BigInt(ms) * 1_000_000n), timestamp: rfc3339(r.cur.time) };
}

export function nodeMetrics(r: ReadingPair, now: Date): NodeMetrics | undefined {
  const w = windowOf(r);
  if (w.seconds <= 0) return undefined;
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'NodeMetrics',
    metadata: { name: r.node, creationTimestamp: rfc3339(now), ...(r.labels ? { labels: r.labels } : {}) },
    timestamp: w.timestamp,
    window: w.window,
    usage: usageOver(r.prev.node, r.cur.node, w.seconds),
  };
}

/** The PodMetrics of the pods on one node, keyed namespace/name. */
export function podMetrics(r: ReadingPair, now: Date): PodMetrics[] {
  const w = windowOf(r);
  if (w.seconds <= 0) return [];
  const before = new Map(r.prev.containers.map((c) => [`${c.namespace}/${c.pod}/${c.container}`, c]));
  const pods = new Map<string, { pod: PodMetrics; complete: boolean }>();
  for (const c of r.cur.containers) {
    const key = `${c.namespace}/${c.pod}`;
    let entry = pods.get(key);
    if (!entry) {
      entry = {
        pod: { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: c.pod, namespace: c.namespace, creationTimestamp: rfc3339(now) }, timestamp: w.timestamp, window: w.window, containers: [] },
        complete: true,
      };
      pods.set(key, entry);
    }
    const prev = before.get(`${key}/${c.container}`);
    // A restarted container's counter starts again from 0: no rate over this window either.
    if (!prev || prev.cpuCoreSeconds > c.cpuCoreSeconds) entry.complete = false;
    else entry.pod.containers.push({ name: c.container, usage: usageOver(prev, c, w.seconds) });
  }
  return [...pods.values()].filter((e) => e.complete).map((e) => e.pod);
}
