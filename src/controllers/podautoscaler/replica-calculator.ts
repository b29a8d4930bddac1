// The replica calculator (upstream pkg/controller/podautoscaler/replica_calculator.go): from the
// pods a target selects and their metrics, the replica count that brings the usage to the target.
// Pods being deleted or finished are ignored; pending pods, and (for cpu) pods not yet ready or
// still starting, count as unready; pods without a metric are missing. On a scale-up unready
// pods count as using nothing and missing ones nothing; on a scale-down missing pods count as
// using their whole request (or the target, when it is above 100%) — so neither can push the
// count further in the direction the ready pods ask for.
import type { Pod } from '../../api/types.js';
import { milliValue } from '../../api/quantity.js';
import { podReadyCondition } from '../replicaset/pod-conditions.js';
import type { MetricsClient, PodMetricsInfo } from './metrics/metrics-client.js';
import { getMetricUsageRatio, getResourceUtilizationRatio } from './metrics/utilization.js';
import type { CrossVersionObjectReference } from '../../api/types.js';

/** How far the usage ratio may stray from 1 before the count changes (--horizontal-pod-autoscaler-tolerance). */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

export function withinTolerance(t: Tolerances, usageRatio: number): boolean {
  return 1 - t.scaleDown <= usageRatio && usageRatio <= 1 + t.scaleUp;
}

/** The pods of a namespace matching a label selector string (the shared pod informer's cache). */
export type PodLister = (namespace: string, selector: string) => Pod[];

export interface ReplicaCalculatorOptions {
  metrics: MetricsClient;
  pods: PodLister;
  /** --horizontal-pod-autoscaler-cpu-initialization-period: 5 minutes. */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay: 30 seconds. */
  delayOfInitialReadinessStatusMs: number;
  now: () => Date;
}

export interface ResourceReplicas {
  replicas: number;
  utilization: number;
  rawUtilization: number;
  timestamp: Date;
}

export interface UsageReplicas {
  replicas: number;
  usage: number;
  timestamp: Date;
}

const int32Max = 2 ** 31 - 1;
/** Go's zero time: what an unset lastTransitionTime reads as. */
const goZeroTime = Date.parse('0001-01-01T00:00:00Z');
const ceilReplicas = (x: number) => (x > int32Max ? int32Max : Math.ceil(x));

export class ReplicaCalculator {
  constructor(private readonly opts: ReplicaCalculatorOptions) {}

  /** The count for a target utilization (percentage of the pods' requests) of a resource. */
  async getResourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, tolerances: Tolerances, namespace: string, selector: string, container: string): Promise<ResourceReplicas> {
    const { metrics, timestamp } = await this.resourceMetric(resource, namespace, selector, container);
    const { pods, groups } = this.countedPods(metrics, namespace, selector, resource);
    const requests = calculateRequests(pods, container, resource);
    const { usageRatio, utilization, rawAverageValue } = getResourceUtilizationRatio(metrics, requests, targetUtilization);
    const result = (replicas: number): ResourceReplicas => ({ replicas, utilization, rawUtilization: rawAverageValue, timestamp });

    const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1;
    if (!scaleUpWithUnready && groups.missing.size === 0) {
      if (withinTolerance(tolerances, usageRatio)) return result(currentReplicas);
      return result(Math.ceil(usageRatio * groups.readyPodCount));
    }
    if (groups.missing.size > 0) {
      const fallback = Math.max(100, targetUtilization);
      for (const p of groups.missing) {
        if (usageRatio < 1) metrics.set(p, { timestamp, windowMs: 0, value: Math.trunc((requests.get(p)! * fallback) / 100) });
        else if (usageRatio > 1) metrics.set(p, { timestamp, windowMs: 0, value: 0 });
      }
    }
    if (scaleUpWithUnready) for (const p of groups.unready) metrics.set(p, { timestamp, windowMs: 0, value: 0 });
    const rerun = getResourceUtilizationRatio(metrics, requests, targetUtilization).usageRatio;
    return result(this.adjustedReplicas(currentReplicas, usageRatio, rerun, metrics.size, tolerances));
  }

  /** The count for a target average usage (milli-units) of a resource. */
  async getRawResourceReplicas(currentReplicas: number, targetUsage: number, resource: string, tolerances: Tolerances, namespace: string, selector: string, container: string): Promise<UsageReplicas> {
    const fetched = await this.resourceMetric(resource, namespace, selector, container);
    const { replicas, usage } = this.calcPlainMetricReplicas(fetched.metrics, currentReplicas, targetUsage, tolerances, namespace, selector, resource);
    return { replicas, usage, timestamp: fetched.timestamp };
  }

  /** The count for a target average of a custom per-pod metric. */
  async getMetricReplicas(currentReplicas: number, targetUsage: number, metricName: string, tolerances: Tolerances, namespace: string, selector: string): Promise<UsageReplicas> {
    let fetched: { metrics: PodMetricsInfo; timestamp: Date };
    try {
      fetched = await this.opts.metrics.getRawMetric(metricName, namespace, selector);
    } catch (e) {
      throw new Error(`unable to get metric ${metricName}: ${(e as Error).message}`);
    }
    const { replicas, usage } = this.calcPlainMetricReplicas(fetched.metrics, currentReplicas, targetUsage, tolerances, namespace, selector, '');
    return { replicas, usage, timestamp: fetched.timestamp };
  }

  /** The count for a target value of one object's metric. */
  async getObjectMetricReplicas(currentReplicas: number, targetUsage: number, metricName: string, tolerances: Tolerances, namespace: string, objectRef: CrossVersionObjectReference, selector: string): Promise<UsageReplicas> {
    let usage: number;
    try {
      usage = (await this.opts.metrics.getObjectMetric(metricName, namespace, objectRef)).value;
    } catch (e) {
      throw new Error(`unable to get metric ${metricName} on ${objectRef.kind} ${namespace}/${objectRef.name}: ${(e as Error).message}`);
    }
    return { replicas: this.usageRatioReplicaCount(currentReplicas, usage / targetUsage, tolerances, namespace, selector), usage, timestamp: new Date(0) };
  }

  /** The count for a target average per pod of one object's metric. */
  async getObjectPerPodMetricReplicas(statusReplicas: number, targetAverageUsage: number, metricName: string, tolerances: Tolerances, namespace: string, objectRef: CrossVersionObjectReference): Promise<UsageReplicas> {
    let fetched: { value: number; timestamp: Date };
    try {
      fetched = await this.opts.metrics.getObjectMetric(metricName, namespace, objectRef);
    } catch (e) {
      throw new Error(`unable to get metric ${metricName} on ${objectRef.kind} ${namespace}/${objectRef.name}: ${(e as Error).message}`);
    }
    return { ...perPodReplicas(statusReplicas, fetched.value, targetAverageUsage, tolerances), timestamp: fetched.timestamp };
  }

  /** The count for a target total value of an external metric. */
  async getExternalMetricReplicas(currentReplicas: number, targetUsage: number, metricName: string, tolerances: Tolerances, namespace: string, metricSelector: string, selector: string): Promise<UsageReplicas> {
    const { values } = await this.externalMetric(metricName, namespace, metricSelector);
    const usage = values.reduce((a, b) => a + b, 0);
    return { replicas: this.usageRatioReplicaCount(currentReplicas, usage / targetUsage, tolerances, namespace, selector), usage, timestamp: new Date(0) };
  }

  /** The count for a target value per pod of an external metric. */
  async getExternalPerPodMetricReplicas(statusReplicas: number, targetUsagePerPod: number, metricName: string, tolerances: Tolerances, namespace: string, metricSelector: string): Promise<UsageReplicas> {
    const { values, timestamp } = await this.externalMetric(metricName, namespace, metricSelector);
    return { ...perPodReplicas(statusReplicas, values.reduce((a, b) => a + b, 0), targetUsagePerPod, tolerances), timestamp };
  }

  private async externalMetric(metricName: string, namespace: string, metricSelector: string): Promise<{ values: number[]; timestamp: Date }> {
    try {
      return await this.opts.metrics.getExternalMetric(metricName, namespace);
    } catch (e) {
      throw new Error(`unable to get external metric ${namespace}/${metricName}/${metricSelector}: ${(e as Error).message}`);
    }
  }

  private async resourceMetric(resource: string, namespace: string, selector: string, container: string): Promise<{ metrics: PodMetricsInfo; timestamp: Date }> {
    try {
      return await this.opts.metrics.getResourceMetric(resource, namespace, selector, container);
    } catch (e) {
      throw new Error(`unable to get metrics for resource ${resource}: ${(e as Error).message}`);
    }
  }

  /** The selected pods, grouped; the metrics of ignored and unready pods dropped (none left is an error). */
  private countedPods(metrics: PodMetricsInfo, namespace: string, selector: string, resource: string): { pods: Pod[]; groups: PodGroups } {
    const pods = this.opts.pods(namespace, selector);
    if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
    const groups = groupPods(pods, metrics, resource, this.opts);
    for (const p of groups.ignored) metrics.delete(p);
    for (const p of groups.unready) metrics.delete(p);
    if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
    return { pods, groups };
  }

  private calcPlainMetricReplicas(metrics: PodMetricsInfo, currentReplicas: number, targetUsage: number, tolerances: Tolerances, namespace: string, selector: string, resource: string): { replicas: number; usage: number } {
    const { groups } = this.countedPods(metrics, namespace, selector, resource);
    const { usageRatio, usage } = getMetricUsageRatio(metrics, targetUsage);
    const scaleUpWithUnready = groups.unready.size > 0 && usageRatio > 1;
    if (!scaleUpWithUnready && groups.missing.size === 0) {
      if (withinTolerance(tolerances, usageRatio)) return { replicas: currentReplicas, usage };
      return { replicas: Math.ceil(usageRatio * groups.readyPodCount), usage };
    }
    const at = new Date(0);
    for (const p of groups.missing) {
      // On a scale-down a missing pod uses exactly the target; on a scale-up nothing.
      if (usageRatio < 1) metrics.set(p, { timestamp: at, windowMs: 0, value: targetUsage });
      else if (usageRatio > 1) metrics.set(p, { timestamp: at, windowMs: 0, value: 0 });
    }
    if (scaleUpWithUnready) for (const p of groups.unready) metrics.set(p, { timestamp: at, windowMs: 0, value: 0 });
    const rerun = getMetricUsageRatio(metrics, targetUsage).usageRatio;
    return { replicas: this.adjustedReplicas(currentReplicas, usageRatio, rerun, metrics.size, tolerances), usage };
  }

  /**
   * The count after the missing and unready pods were filled in: unchanged when the new ratio is
   * within tolerance, or when it (or the count) would turn the scaling the other way.
   */
  private adjustedReplicas(currentReplicas: number, usageRatio: number, newUsageRatio: number, podCount: number, tolerances: Tolerances): number {
    if (withinTolerance(tolerances, newUsageRatio) || (usageRatio < 1 && newUsageRatio > 1) || (usageRatio > 1 && newUsageRatio < 1)) return currentReplicas;
    const replicas = Math.ceil(newUsageRatio * podCount);
    if ((newUsageRatio < 1 && replicas > currentReplicas) || (newUsageRatio > 1 && replicas < currentReplicas)) return currentReplicas;
    return replicas;
  }

  /** For a target's total: scaled from the ready pods; from zero replicas the ratio itself (scale to zero). */
  private usageRatioReplicaCount(currentReplicas: number, usageRatio: number, tolerances: Tolerances, namespace: string, selector: string): number {
    if (currentReplicas === 0) return Math.ceil(usageRatio);
    if (withinTolerance(tolerances, usageRatio)) return currentReplicas;
    const pods = this.opts.pods(namespace, selector);
    if (pods.length === 0) throw new Error('unable to calculate ready pods: no pods returned by selector while calculating replica count');
    const ready = pods.filter((p) => p.status?.phase === 'Running' && podReadyCondition(p)?.status === 'True').length;
    return ceilReplicas(usageRatio * ready);
  }
}

function perPodReplicas(statusReplicas: number, usage: number, targetPerPod: number, tolerances: Tolerances): { replicas: number; usage: number } {
  let replicas = statusReplicas;
  if (!withinTolerance(tolerances, usage / (targetPerPod * statusReplicas))) replicas = ceilReplicas(usage / targetPerPod);
  return { replicas, usage: statusReplicas === 0 ? 0 : Math.ceil(usage / statusReplicas) };
}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * Sorts the selected pods (groupPods): deleted and finished pods are ignored, pending ones are
 * unready, pods without a metric missing. For cpu a pod is also unready while it starts: within
 * the cpu initialization period when it is not ready or its metric window began before it became
 * ready (start-up cpu would count), after it when it is not ready and never was (its readiness
 * changed within the initial readiness delay of its start).
 */
export function groupPods(pods: Pod[], metrics: PodMetricsInfo, resource: string, opts: Pick<ReplicaCalculatorOptions, 'cpuInitializationPeriodMs' | 'delayOfInitialReadinessStatusMs' | 'now'>): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  const now = opts.now().getTime();
  for (const pod of pods) {
    const name = pod.metadata.name!;
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Failed' || phase === 'Succeeded') {
      groups.ignored.add(name);
      continue;
    }
    if (phase === 'Pending') {
      groups.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = podReadyCondition(pod);
      const started = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!ready || started === undefined) unready = true;
      else {
        const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : goZeroTime;
        if (started + opts.cpuInitializationPeriodMs > now) unready = ready.status === 'False' || metric.timestamp.getTime() < transition + metric.windowMs;
        else unready = ready.status === 'False' && started + opts.delayOfInitialReadinessStatusMs > transition;
      }
      if (unready) {
        groups.unready.add(name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

/**
 * Each pod's request of the resource in milli-units: of one container when container is set,
 * else the sum over its containers and sidecars (init containers that restart Always).
 */
export function calculateRequests(pods: Pod[], container: string, resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const name = pod.metadata.name!;
    const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    let request = 0;
    let found = false;
    for (const c of containers) {
      if (container !== '' && container !== c.name) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${name}`);
      request += milliValue(q);
      if (container === c.name) {
        found = true;
        break;
      }
    }
    if (container !== '' && !found) throw new Error(`container ${container} not found in Pod ${name}`);
    requests.set(name, request);
  }
  return requests;
}
