// The HorizontalPodAutoscaler controller (upstream pkg/controller/podautoscaler/horizontal.go):
// every sync period, for each autoscaler, read its target's scale, compute the count its metrics
// ask for (compute-replicas.ts), stabilize and limit it (normalize-replicas.ts), write the scale
// when it changes, and record the status, conditions and events kubectl describe shows.
// Handlers only enqueue; a new autoscaler is synced at once, every other sync waits for the period.
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus, MetricStatus, Pod, Scale } from '../../api/types.js';
import { matchLabels, parseLabelSelector, type LabelRequirement } from '../../api/labels.js';
import { rfc3339 } from '../../api/time.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { semanticEqual } from '../endpoint-util.js';
import { computeReplicasForMetrics, type ComputeContext, type MetricsProposal } from './compute-replicas.js';
import { setCondition } from './conditions.js';
import { RestMetricsClient } from './metrics/metrics-client.js';
import { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors } from './normalize-replicas.js';
import { ReplicaCalculator } from './replica-calculator.js';
import { getScale, groupOfAPIVersion, scaleMappings, updateScale } from './scale-target.js';
import { ScalingHistory } from './scaling-history.js';

/** The event source and controller name upstream gives it. */
export const horizontalPodAutoscalerControllerName = 'horizontal-pod-autoscaler';

export function newHorizontalController(ctx: ControllerContext): Controller {
  const hpaInfo = resourceFor('horizontalpodautoscalers', 'autoscaling');
  const hpas = ctx.informers.for<HorizontalPodAutoscaler>(hpaInfo);
  const pods = ctx.informers.for<Pod>(resourceFor('pods'));
  const recorder = ctx.recorder(horizontalPodAutoscalerControllerName);
  const log = ctx.logger.child('horizontal-pod-autoscaler');
  const o = ctx.options;
  const syncPeriodMs = o.horizontalPodAutoscalerSyncPeriodMs;
  const history = new ScalingHistory(ctx.now, o.horizontalPodAutoscalerDownscaleStabilizationMs);
  const podsMatching = (namespace: string, selector: string) => {
    const reqs = parseLabelSelector(selector);
    return pods.list(namespace).filter((p) => matchLabels(reqs, p.metadata.labels));
  };
  const calc = new ReplicaCalculator({
    metrics: new RestMetricsClient(ctx.client),
    pods: podsMatching,
    cpuInitializationPeriodMs: o.horizontalPodAutoscalerCPUInitializationPeriodMs,
    delayOfInitialReadinessStatusMs: o.horizontalPodAutoscalerInitialReadinessDelayMs,
    now: ctx.now,
  });
  const tolerances = { scaleUp: o.horizontalPodAutoscalerTolerance, scaleDown: o.horizontalPodAutoscalerTolerance };
  /** The last selector each autoscaler's target had, to find pods two autoscalers fight over. */
  const selectors = new Map<string, LabelRequirement[]>();

  /** Events about the autoscaler name it as autoscaling/v2, the version the controller reads. */
  const event: ComputeContext['event'] = (hpa, type, reason, message) => recorder.event(hpa, type, reason, message);

  async function updateStatusIfNeeded(original: HorizontalPodAutoscalerStatus, hpa: HorizontalPodAutoscaler): Promise<void> {
    if (semanticEqual(original, hpa.status)) return;
    try {
      await ctx.client.updateStatus(hpaInfo, hpa);
    } catch (e) {
      event(hpa, 'Warning', 'FailedUpdateStatus', (e as Error).message);
      log.warn('failed to update status', { hpa: objectKey(hpa), err: (e as Error).message });
    }
  }

  /** validateAndParseSelector: the target's selector, refused when missing, malformed or shared with another autoscaler. */
  function targetSelector(hpa: HorizontalPodAutoscaler, key: string, selector: string | undefined, now: Date): string | Error {
    const fail = (reason: string, eventMessage: string, conditionMessage = eventMessage, eventReason = reason) => {
      event(hpa, 'Warning', eventReason, eventMessage);
      setCondition(hpa, { type: 'ScalingActive', status: 'False', reason, message: conditionMessage }, now);
      return new Error(eventMessage);
    };
    if (!selector) return fail('InvalidSelector', 'selector is required', "the HPA target's scale is missing a selector", 'SelectorRequired');
    let reqs: LabelRequirement[];
    try {
      reqs = parseLabelSelector(selector);
    } catch (e) {
      return fail('InvalidSelector', `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`);
    }
    selectors.set(key, reqs);
    const namespace = hpa.metadata.namespace!;
    const selected = podsMatching(namespace, selector);
    const controlling = [...selectors]
      .filter(([k, r]) => k.startsWith(`${namespace}/`) && hpas.get(k) && selected.some((p) => matchLabels(r, p.metadata.labels)))
      .map(([k]) => k)
      .sort();
    if (controlling.length > 1) return fail('AmbiguousSelector', `pods by selector ${selector} are controlled by multiple HPAs: [${controlling.join(' ')}]`);
    return selector;
  }

  async function reconcileAutoscaler(shared: HorizontalPodAutoscaler, key: string): Promise<void> {
    // A copy: the informer's object is shared.
    const hpa = structuredClone(shared);
    hpa.apiVersion ??= 'autoscaling/v2';
    hpa.kind ??= 'HorizontalPodAutoscaler';
    hpa.status ??= { desiredReplicas: 0 };
    const original = structuredClone(hpa.status);
    const now = ctx.now();
    const ref = hpa.spec.scaleTargetRef;
    const namespace = hpa.metadata.namespace!;
    const reference = `${ref.kind}/${namespace}/${ref.name}`;

    let target: Awaited<ReturnType<typeof getScale>>;
    try {
      target = await getScale(ctx.client, scaleMappings(groupOfAPIVersion(ref.apiVersion), ref.kind), namespace, ref.name);
    } catch (e) {
      const message = (e as Error).message;
      event(hpa, 'Warning', 'FailedGetScale', message);
      setCondition(hpa, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${message}` }, now);
      await updateStatusIfNeeded(original, hpa);
      log.debug('failed to query scale subresource', { reference, err: message });
      return;
    }
    const { scale, info } = target;
    setCondition(hpa, { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" }, now);
    const currentReplicas = scale.spec.replicas ?? 0;
    history.recordInitialRecommendation(key, currentReplicas);
    const minReplicas = hpa.spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let statuses: MetricStatus[] = [];

    if (currentReplicas === 0 && minReplicas !== 0) {
      // A target scaled to zero by hand is left alone until someone scales it up.
      rescale = false;
      setCondition(hpa, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }, now);
    } else if (currentReplicas > hpa.spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = hpa.spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const proposal = await metricsProposal(hpa, key, scale, now);
      statuses = proposal.statuses;
      if (proposal.replicas === -1) {
        setStatus(hpa, currentReplicas, hpa.status.desiredReplicas, statuses, false, now);
        await updateStatusIfNeeded(original, hpa);
        event(hpa, 'Warning', 'FailedComputeMetricsReplicas', proposal.error!.message);
        log.debug('failed to compute desired number of replicas', { reference, err: proposal.error!.message });
        return;
      }
      let rescaleMetric = '';
      if (proposal.replicas > desiredReplicas) {
        desiredReplicas = proposal.replicas;
        rescaleMetric = proposal.metric;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = hpa.spec.behavior
        ? normalizeDesiredReplicasWithBehaviors(hpa, history, key, currentReplicas, desiredReplicas, minReplicas, now)
        : normalizeDesiredReplicas(hpa, history, key, currentReplicas, desiredReplicas, minReplicas, now);
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await updateScale(ctx.client, info, scale, desiredReplicas);
      } catch (e) {
        const message = (e as Error).message;
        event(hpa, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${message}`);
        setCondition(hpa, { type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${message}` }, now);
        setStatus(hpa, currentReplicas, hpa.status.desiredReplicas, statuses, false, now);
        await updateStatusIfNeeded(original, hpa);
        return;
      }
      setCondition(hpa, { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desiredReplicas}` }, now);
      event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      history.storeScaleEvent(hpa.spec.behavior ?? undefined, key, currentReplicas, desiredReplicas);
      log.info('successfully rescaled', { hpa: key, currentReplicas, desiredReplicas, reason: rescaleReason });
    } else {
      desiredReplicas = currentReplicas;
    }
    setStatus(hpa, currentReplicas, desiredReplicas, statuses, rescale, now);
    await updateStatusIfNeeded(original, hpa);
  }

  async function metricsProposal(hpa: HorizontalPodAutoscaler, key: string, scale: Scale, now: Date): Promise<MetricsProposal> {
    const selector = targetSelector(hpa, key, scale.status?.selector, now);
    if (selector instanceof Error) return { replicas: -1, metric: '', statuses: [], error: selector };
    return computeReplicasForMetrics({ calc, tolerances, event, now }, hpa, scale, selector);
  }

  async function reconcileKey(key: string): Promise<ReconcileResult> {
    const hpa = hpas.get(key);
    if (!hpa) {
      history.forget(key);
      selectors.delete(key);
      return;
    }
    try {
      await reconcileAutoscaler(hpa, key);
    } catch (e) {
      log.warn('reconcile failed', { hpa: key, err: (e as Error).message });
    }
    // Every autoscaler is looked at again one sync period later, whatever happened.
    return { requeueAfterMs: syncPeriodMs };
  }

  const queue = new WorkQueue(reconcileKey, { name: 'horizontalpodautoscaler', logger: log });

  return {
    name: horizontalPodAutoscalerControllerName,
    start() {
      hpas.addHandlers({
        add: (h) => queue.add(objectKey(h)),
        // The controller's own status writes come back as updates: they wait for the period.
        update: (_old, h) => queue.addAfter(objectKey(h), syncPeriodMs),
        delete: (h) => queue.add(objectKey(h)),
      });
    },
    stop() {
      queue.stop();
    },
  };
}

/** setStatus: the counts, the metrics' values and lastScaleTime on a rescale; the conditions set along the way. */
function setStatus(hpa: HorizontalPodAutoscaler, currentReplicas: number, desiredReplicas: number, statuses: MetricStatus[], rescale: boolean, now: Date): void {
  const prev = hpa.status!;
  hpa.status = {
    ...(hpa.metadata.generation ? { observedGeneration: hpa.metadata.generation } : {}),
    ...(rescale ? { lastScaleTime: rfc3339(now) } : prev.lastScaleTime ? { lastScaleTime: prev.lastScaleTime } : {}),
    currentReplicas,
    desiredReplicas,
    ...(statuses.length ? { currentMetrics: statuses } : {}),
    ...(prev.conditions ? { conditions: prev.conditions } : {}),
  };
}
