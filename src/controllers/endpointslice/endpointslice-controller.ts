// The EndpointSlice controller (upstream pkg/controller/endpointslice/
// endpointslice_controller.go): for every Service with a selector, keeps the
// EndpointSlices labelled `kubernetes.io/service-name` and managed by
// `endpointslice-controller.k8s.io` in step with the pods it selects. Handlers only
// enqueue Service keys; syncService reads caches and hands the decision to the pure
// reconciler (endpointslice-reconciler.ts), then applies its plan.
import type { EndpointSlice, Node, Pod, Service } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { splitKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { indexSlicesByService, managedSliceHandlers, podHandlers, serviceHandlers, sliceServiceIndex, sliceServiceKey } from '../endpoint-handlers.js';
import { EndpointSliceTracker, errMessage, hasSelector, labelManagedBy, serviceSelectsPod, TriggerTimeTracker } from '../endpoint-util.js';
import { reconcileEndpointSlices } from './endpointslice-reconciler.js';
import { writeEndpointSlices } from './endpointslice-writer.js';

/** The managed-by value marking slices this controller owns. */
export const endpointSliceControllerName = 'endpointslice-controller.k8s.io';

/** Upstream --max-endpoints-per-slice default. */
export const defaultMaxEndpointsPerSlice = 100;

/**
 * Minimum delay before resyncing a Service after someone else changed one of its
 * slices, so several such changes are handled together (endpointSliceChangeMinSyncDelay).
 */
const endpointSliceChangeMinSyncDelayMs = 1000;

/** How soon to look again when the slice cache has not caught up with our own writes. */
const staleCacheRetryMs = 20;

export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
  /**
   * Delay added to syncs triggered by pod changes to batch churn (upstream
   * --endpoint-updates-batch-period, default 0). kanzen keeps 0: its proxy follows
   * slices, so latency here is the time a new pod waits for traffic.
   */
  endpointUpdatesBatchPeriodMs?: number;
  /** Concurrent Service syncs (upstream --concurrent-service-endpoint-syncs, default 5). */
  workers?: number;
}

export function newEndpointSliceController(ctx: ControllerContext, opts: EndpointSliceControllerOptions = {}): Controller {
  const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');
  const pods = ctx.informers.for<Pod>(resourceFor('pods'));
  const services = ctx.informers.for<Service>(resourceFor('services'));
  const nodes = ctx.informers.for<Node>(resourceFor('nodes'));
  const slices = ctx.informers.for<EndpointSlice>(slicesInfo);
  const recorder = ctx.recorder('endpoint-slice-controller');
  const log = ctx.logger.child('endpointslice-controller');
  const maxEndpointsPerSlice = opts.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
  const batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
  const tracker = new EndpointSliceTracker();
  const triggerTimes = new TriggerTimeTracker();

  const managedByUs = (s: EndpointSlice) => s.metadata.labels?.[labelManagedBy] === endpointSliceControllerName;

  async function syncService(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const svc = services.getByName(namespace, name);
    if (!svc) {
      // The garbage collector removes the slices through their ownerReferences.
      triggerTimes.deleteService(key);
      tracker.deleteService(key);
      return;
    }
    // ExternalName Services get no endpoints (issues.k8s.io/105986); selector-less ones
    // get slices from their users (or the mirroring controller).
    if (svc.spec.type === 'ExternalName' || !hasSelector(svc)) return;

    const matching = pods.candidatesForSelector(namespace, svc.spec.selector).filter((p) => serviceSelectsPod(svc, p));
    const existing = slices
      .byIndex(sliceServiceIndex, key)
      .filter((s) => managedByUs(s) && !s.metadata.deletionTimestamp);
    if (tracker.staleSlices(key, existing)) return { requeueAfterMs: staleCacheRetryMs };
    // Computed before the (possibly no-op) reconcile so the tracker's state stays current.
    const triggerTime = triggerTimes.compute(svc, matching);

    const plan = reconcileEndpointSlices({
      service: svc,
      pods: matching,
      existingSlices: existing,
      node: (n) => nodes.getByName(undefined, n),
      maxEndpointsPerSlice,
      controllerName: endpointSliceControllerName,
      triggerTime,
    });
    try {
      await writeEndpointSlices(ctx.client, tracker, plan);
    } catch (e) {
      recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${namespace}/${name}: ${errMessage(e)}`);
      throw e;
    }
    // Pods on unknown Nodes were left out: try again (with back-off) until they resolve.
    if (plan.errors.length > 0) throw new Error(plan.errors.join('; '));
  }

  const queue = new WorkQueue(syncService, { name: 'endpoint_slice', workers: opts.workers ?? 5, logger: log });
  const enqueueForPod = (keys: Set<string>) => {
    for (const k of keys) queue.addAfter(k, batchMs);
  };
  const enqueueForSlice = (s: EndpointSlice) => {
    const k = sliceServiceKey(s);
    if (k) queue.addAfter(k, Math.max(endpointSliceChangeMinSyncDelayMs, batchMs));
  };

  return {
    name: 'endpointslice-controller',
    start() {
      indexSlicesByService(slices);
      services.addHandlers(serviceHandlers((k) => queue.add(k)));
      pods.addHandlers(podHandlers(services, enqueueForPod));
      slices.addHandlers(managedSliceHandlers(tracker, managedByUs, enqueueForSlice));
    },
    stop() {
      queue.stop();
    },
  };
}
