// The HPA's metrics client (upstream pkg/controller/podautoscaler/metrics/client.go): resource
// metrics come from the metrics.k8s.io/v1beta1 PodMetrics API, listed through the API server
// with the target's label selector, as the REST client reads metrics-server. kanzen serves no
// custom.metrics.k8s.io or external.metrics.k8s.io API, so Pods, Object and External metrics
// fail with the errors upstream's clients give on a cluster without such an adapter.
import type { PodMetrics } from '../../../api/types.js';
import { milliValue } from '../../../api/quantity.js';
import { resourceFor, type ApiClient } from '../../../client/api-client.js';
import { parseGoDuration } from '../../../util/cron/go-duration.js';
import type { CrossVersionObjectReference } from '../../../api/types.js';

/** One pod's usage of a resource or metric, in milli-units, over a window ending at timestamp. */
export interface PodMetric {
  timestamp: Date;
  windowMs: number;
  value: number;
}

/** Pod name → its metric. */
export type PodMetricsInfo = Map<string, PodMetric>;

export interface MetricsClient {
  /** A resource's usage per pod matching the selector (of one container when container is set), and the oldest timestamp. */
  getResourceMetric(resource: string, namespace: string, selector: string, container: string): Promise<{ metrics: PodMetricsInfo; timestamp: Date }>;
  /** A custom metric per pod matching the selector. */
  getRawMetric(metricName: string, namespace: string, selector: string): Promise<{ metrics: PodMetricsInfo; timestamp: Date }>;
  /** A custom metric of one object. */
  getObjectMetric(metricName: string, namespace: string, objectRef: CrossVersionObjectReference): Promise<{ value: number; timestamp: Date }>;
  /** The values of an external metric. */
  getExternalMetric(metricName: string, namespace: string): Promise<{ values: number[]; timestamp: Date }>;
}

export class RestMetricsClient implements MetricsClient {
  private readonly podMetrics = resourceFor('pods', 'metrics.k8s.io');

  constructor(private readonly client: ApiClient) {}

  async getResourceMetric(resource: string, namespace: string, selector: string, container: string): Promise<{ metrics: PodMetricsInfo; timestamp: Date }> {
    let items: PodMetrics[];
    try {
      items = (await this.client.list<PodMetrics>(this.podMetrics, namespace, { labelSelector: selector })).items;
    } catch (e) {
      throw new Error(`unable to fetch metrics from resource metrics API: ${(e as Error).message}`);
    }
    if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
    const metrics = resourceMetricsOf(items, resource, container);
    return { metrics, timestamp: new Date(items[0].timestamp) };
  }

  async getRawMetric(): Promise<{ metrics: PodMetricsInfo; timestamp: Date }> {
    throw new Error(`unable to fetch metrics from custom metrics API: ${noCustomMetricsAPI}`);
  }

  async getObjectMetric(): Promise<{ value: number; timestamp: Date }> {
    throw new Error(`unable to fetch metrics from custom metrics API: ${noCustomMetricsAPI}`);
  }

  async getExternalMetric(metricName: string): Promise<{ values: number[]; timestamp: Date }> {
    // client-go's text for a 404 without a Status body, as the external metrics client gets it.
    throw new Error(`unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${metricName}.external.metrics.k8s.io)`);
  }
}

/** The custom metrics client's discovery error when no APIService serves custom.metrics.k8s.io. */
const noCustomMetricsAPI = 'no custom metrics API (custom.metrics.k8s.io) registered';

function metricOf(m: PodMetrics, value: number): PodMetric {
  return { timestamp: new Date(m.timestamp), windowMs: parseGoDuration(m.window), value };
}

/**
 * The usage of a resource per pod from PodMetrics: one container's when container is set, else
 * the sum of the containers' (a pod with a container missing the resource has none).
 */
export function resourceMetricsOf(items: PodMetrics[], resource: string, container: string): PodMetricsInfo {
  return container ? containerMetrics(items, resource, container) : podMetricsOf(items, resource);
}

function podMetricsOf(items: PodMetrics[], resource: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    if (m.containers.length === 0) continue;
    let sum = 0;
    let missing = false;
    for (const c of m.containers) {
      const q = c.usage[resource];
      if (q === undefined) {
        missing = true;
        break;
      }
      sum += milliValue(q);
    }
    if (!missing) out.set(m.metadata.name!, metricOf(m, sum));
  }
  return out;
}

function containerMetrics(items: PodMetrics[], resource: string, container: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    const q = m.containers.find((c) => c.name === container)?.usage[resource];
    if (q !== undefined) out.set(m.metadata.name!, metricOf(m, milliValue(q)));
  }
  return out;
}
