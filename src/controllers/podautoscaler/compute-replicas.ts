// The desired count from an autoscaler's metrics (upstream horizontal.go computeReplicasForMetrics
// and computeStatusFor*Metric): each metric proposes a count and the largest wins; each metric's
// current value goes to status.currentMetrics. A metric that fails records its event and, when
// every metric failed (or a failure would let the rest scale down), ScalingActive False with the
// first failure's reason.
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget, Scale } from '../../api/types.js';
import { formatQuantity, milliValue } from '../../api/quantity.js';
import { formatLabelSelector } from '../../api/labels.js';
import type { EventType } from '../../client/event-recorder.js';
import { setCondition, type ConditionValue } from './conditions.js';
import type { ReplicaCalculator, Tolerances } from './replica-calculator.js';

export interface ComputeContext {
  calc: ReplicaCalculator;
  tolerances: Tolerances;
  event(hpa: HorizontalPodAutoscaler, type: EventType, reason: string, message: string): void;
  now: Date;
}

/** What the metrics propose: replicas -1 when nothing can be decided (error says why). */
export interface MetricsProposal {
  replicas: number;
  metric: string;
  statuses: MetricStatus[];
  error?: Error;
}

interface Proposal {
  replicas: number;
  metric: string;
  status: MetricStatus;
}

/** A failed metric: the error and the ScalingActive condition it would set. */
class MetricError extends Error {
  constructor(
    message: string,
    readonly condition: ConditionValue,
  ) {
    super(message);
  }
}

/** Milli-units as a quantity (resource.NewMilliQuantity); memory in binary SI, as metrics-server writes it. */
function milliQuantity(resource: string, milli: number): string {
  return formatQuantity(milli / 1000, resource === 'memory');
}

export async function computeReplicasForMetrics(ctx: ComputeContext, hpa: HorizontalPodAutoscaler, scale: Scale, selector: string): Promise<MetricsProposal> {
  const specs = hpa.spec.metrics ?? [];
  const specReplicas = scale.spec.replicas ?? 0;
  const statusReplicas = scale.status?.replicas ?? 0;
  const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
  let replicas = 0;
  let metric = '';
  let invalid = 0;
  let first: MetricError | undefined;
  for (const [i, spec] of specs.entries()) {
    try {
      const p = await computeReplicasForMetric(ctx, hpa, spec, specReplicas, statusReplicas, selector);
      statuses[i] = p.status;
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metric = p.metric;
      }
    } catch (e) {
      const err = e instanceof MetricError ? e : new MetricError((e as Error).message, unableToCompute(ctx, hpa, 'FailedGetResourceMetric', e as Error));
      invalid++;
      first ??= err;
    }
  }
  const error = first ? new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}`) : undefined;
  // Scaling down on the metrics that work while others fail could remove pods the failing ones need.
  if (first && (invalid >= specs.length || replicas < specReplicas)) {
    setCondition(hpa, first.condition, ctx.now);
    return { replicas: -1, metric: '', statuses, error };
  }
  setCondition(hpa, { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metric}` }, ctx.now);
  return { replicas, metric, statuses, error };
}

/** getUnableComputeReplicaCountCondition: records the event and returns the condition. */
function unableToCompute(ctx: ComputeContext, hpa: HorizontalPodAutoscaler, reason: string, err: Error): ConditionValue {
  ctx.event(hpa, 'Warning', reason, err.message);
  return { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${err.message}` };
}

async function computeReplicasForMetric(ctx: ComputeContext, hpa: HorizontalPodAutoscaler, spec: MetricSpec, specReplicas: number, statusReplicas: number, selector: string): Promise<Proposal> {
  const fail = async <T>(reason: string, wrap: (m: string) => string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof MetricError) throw e;
      throw new MetricError(wrap((e as Error).message), unableToCompute(ctx, hpa, reason, e as Error));
    }
  };
  switch (spec.type) {
    case 'Resource': {
      const r = spec.resource!;
      return fail('FailedGetResourceMetric', (m) => `failed to get ${r.name} resource metric value: ${m}`, async () => {
        const v = await resourceMetric(ctx, hpa, r.target, r.name, specReplicas, selector, '');
        return { replicas: v.replicas, metric: v.metric, status: { type: 'Resource', resource: { name: r.name, current: v.current } } };
      });
    }
    case 'ContainerResource': {
      const r = spec.containerResource!;
      return fail('FailedGetContainerResourceMetric', (m) => `failed to get ${r.container} container metric value: ${m}`, async () => {
        const v = await resourceMetric(ctx, hpa, r.target, r.name, specReplicas, selector, r.container);
        return { replicas: v.replicas, metric: v.metric, status: { type: 'ContainerResource', containerResource: { name: r.name, container: r.container, current: v.current } } };
      });
    }
    case 'Pods': {
      const p = spec.pods!;
      return fail('FailedGetPodsMetric', (m) => `failed to get pods metric value: ${m}`, async () => {
        const v = await ctx.calc.getMetricReplicas(specReplicas, milliValue(p.target.averageValue ?? 0), p.metric.name, ctx.tolerances, hpa.metadata.namespace!, selector);
        return { replicas: v.replicas, metric: `pods metric ${p.metric.name}`, status: { type: 'Pods', pods: { metric: p.metric, current: { averageValue: formatQuantity(v.usage / 1000) } } } };
      });
    }
    case 'Object': {
      const o = spec.object!;
      return fail('FailedGetObjectMetric', (m) => `failed to get object metric value: ${m}`, async () => {
        const ns = hpa.metadata.namespace!;
        const status = (current: MetricStatus['object']) => ({ type: 'Object', object: current });
        if (o.target.type === 'Value' && o.target.value != null) {
          const v = await ctx.calc.getObjectMetricReplicas(specReplicas, milliValue(o.target.value), o.metric.name, ctx.tolerances, ns, o.describedObject, selector);
          return { replicas: v.replicas, metric: `${o.describedObject.kind} metric ${o.metric.name}`, status: status({ describedObject: o.describedObject, metric: o.metric, current: { value: formatQuantity(v.usage / 1000) } }) };
        }
        if (o.target.type === 'AverageValue' && o.target.averageValue != null) {
          const v = await ctx.calc.getObjectPerPodMetricReplicas(statusReplicas, milliValue(o.target.averageValue), o.metric.name, ctx.tolerances, ns, o.describedObject);
          return { replicas: v.replicas, metric: `external metric ${o.metric.name}(${formatLabelSelector(o.metric.selector)})`, status: status({ describedObject: o.describedObject, metric: o.metric, current: { averageValue: formatQuantity(v.usage / 1000) } }) };
        }
        throw new Error('invalid object metric source: neither a value target nor an average value target was set');
      });
    }
    case 'External': {
      const x = spec.external!;
      const selectorText = formatLabelSelector(x.metric.selector);
      return fail('FailedGetExternalMetric', (m) => `failed to get ${x.metric.name} external metric value: ${m}`, async () => {
        const ns = hpa.metadata.namespace!;
        const metric = `external metric ${x.metric.name}(${selectorText})`;
        if (x.target.averageValue != null) {
          const v = await ctx.calc.getExternalPerPodMetricReplicas(statusReplicas, milliValue(x.target.averageValue), x.metric.name, ctx.tolerances, ns, selectorText);
          return { replicas: v.replicas, metric, status: { type: 'External', external: { metric: x.metric, current: { averageValue: formatQuantity(v.usage / 1000) } } } };
        }
        if (x.target.value != null) {
          const v = await ctx.calc.getExternalMetricReplicas(specReplicas, milliValue(x.target.value), x.metric.name, ctx.tolerances, ns, selectorText, selector);
          return { replicas: v.replicas, metric, status: { type: 'External', external: { metric: x.metric, current: { value: formatQuantity(v.usage / 1000) } } } };
        }
        throw new Error('invalid external metric source: neither a value target nor an average value target was set');
      });
    }
    default: {
      // Validation refuses other types; an object stored before a type was withdrawn could still have one.
      const err = new Error(`unknown metric source type "${spec.type}"`);
      throw new MetricError(err.message, unableToCompute(ctx, hpa, 'InvalidMetricSourceType', err));
    }
  }
}

/** A Resource or ContainerResource metric: an averageValue target, else an averageUtilization one. */
async function resourceMetric(ctx: ComputeContext, hpa: HorizontalPodAutoscaler, target: MetricTarget, resource: string, currentReplicas: number, selector: string, container: string) {
  const ns = hpa.metadata.namespace!;
  if (target.averageValue != null) {
    let v;
    try {
      v = await ctx.calc.getRawResourceReplicas(currentReplicas, milliValue(target.averageValue), resource, ctx.tolerances, ns, selector, container);
    } catch (e) {
      throw new Error(`failed to get ${resource} usage: ${(e as Error).message}`);
    }
    return { replicas: v.replicas, metric: `${resource} resource`, current: { averageValue: milliQuantity(resource, v.usage) } };
  }
  if (target.averageUtilization == null) throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  let v;
  try {
    v = await ctx.calc.getResourceReplicas(currentReplicas, target.averageUtilization, resource, ctx.tolerances, ns, selector, container);
  } catch (e) {
    throw new Error(`failed to get ${resource} utilization: ${(e as Error).message}`);
  }
  const metric = container ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
  return { replicas: v.replicas, metric, current: { averageUtilization: v.utilization, averageValue: milliQuantity(resource, v.rawUtilization) } };
}
