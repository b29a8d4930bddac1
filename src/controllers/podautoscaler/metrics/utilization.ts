// Usage ratios (upstream pkg/controller/podautoscaler/metrics/utilization.go): how far the
// pods' usage is from the target, the number the replica count is scaled by.
import type { PodMetricsInfo } from './metrics-client.js';

/**
 * Utilization of requests over the pods that have both a metric and a request: the ratio to the
 * target percentage, the (truncated) utilization percentage and the average raw usage.
 */
export function getResourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, number>,
  targetUtilization: number,
): { usageRatio: number; utilization: number; rawAverageValue: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, metric] of metrics) {
    const request = requests.get(pod);
    // Missing requests are checked elsewhere: a metric without one is extraneous.
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  // The requests and the metrics name disjoint sets of pods.
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { usageRatio: utilization / targetUtilization, utilization, rawAverageValue: Math.trunc(metricsTotal / entries) };
}

/** The average usage per pod and its ratio to the target average. */
export function getMetricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { usageRatio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { usageRatio: usage / targetUsage, usage };
}
