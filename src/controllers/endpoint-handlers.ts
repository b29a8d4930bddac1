// Informer wiring shared by the endpoint controllers (Endpoints, EndpointSlice and
// EndpointSlice mirroring): handlers that turn an object change into the keys of the
// Services to sync, and the slice index they look slices up by.
import type { EndpointSlice, Pod, Service } from '../api/types.js';
import type { Informer, InformerHandlers } from '../client/informer.js';
import { hasSelector, labelServiceName, podServiceMemberships, serviceKey, servicesToUpdateOnPodChange, type EndpointSliceTracker } from './endpoint-util.js';

/** onServiceUpdate/onServiceDelete: any change of a Service syncs it. */
export function serviceHandlers(enqueue: (key: string) => void): InformerHandlers<Service> {
  return {
    add: (s) => enqueue(serviceKey(s)),
    update: (_o, s) => enqueue(serviceKey(s)),
    delete: (s) => enqueue(serviceKey(s)),
  };
}

/** Index of Services with a selector by "<namespace>/<key>=<value>" of one selector pair. */
const serviceSelectorIndex = 'endpoint-service-selector';

/**
 * The Services that may select one of these pods: those indexed under one of the pods'
 * label pairs (a superset; callers check the whole selector). A pod change then costs
 * the Services that may select it, not every Service in the namespace.
 */
export function servicesThatMaySelect(services: Informer<Service>, ...pods: Pod[]): Service[] {
  if (!services.hasIndex(serviceSelectorIndex)) {
    services.addIndex(serviceSelectorIndex, (svc) => {
      const first = hasSelector(svc) ? Object.entries(svc.spec.selector!)[0] : undefined;
      return first ? [`${svc.metadata.namespace}/${first[0]}=${first[1]}`] : [];
    });
  }
  const found = new Map<string, Service>();
  for (const pod of pods) {
    for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
      for (const svc of services.byIndex(serviceSelectorIndex, `${pod.metadata.namespace}/${k}=${v}`)) found.set(serviceKey(svc), svc);
    }
  }
  return [...found.values()];
}

/** addPod/updatePod/deletePod: the Services selecting the pod (before or after an update) sync. */
export function podHandlers(services: Informer<Service>, enqueue: (serviceKeys: Set<string>) => void): InformerHandlers<Pod> {
  return {
    add: (p) => enqueue(podServiceMemberships(servicesThatMaySelect(services, p), p)),
    update: (o, p) => enqueue(servicesToUpdateOnPodChange(servicesThatMaySelect(services, o, p), o, p)),
    delete: (p) => enqueue(podServiceMemberships(servicesThatMaySelect(services, p), p)),
  };
}

/** Index of slices by "<namespace>/<service-name label>", the key of the Service they serve. */
export const sliceServiceIndex = 'endpointslice-service';

export function sliceServiceKey(s: EndpointSlice): string | undefined {
  const svc = s.metadata.labels?.[labelServiceName];
  return svc ? `${s.metadata.namespace}/${svc}` : undefined;
}

export function indexSlicesByService(slices: Informer<EndpointSlice>): void {
  slices.addIndex(sliceServiceIndex, (s) => {
    const k = sliceServiceKey(s);
    return k ? [k] : [];
  });
}

/**
 * onEndpointSliceAdd/Update/Delete of the slice controllers: our own writes come back
 * through the informer, and the tracker ignores those echoes, so only slices changed (or
 * deleted) by someone else, moved between Services or taken from or given to another
 * manager make their Service sync.
 */
export function managedSliceHandlers(tracker: EndpointSliceTracker, managedByUs: (s: EndpointSlice) => boolean, enqueue: (s: EndpointSlice) => void): InformerHandlers<EndpointSlice> {
  return {
    add: (s) => {
      if (managedByUs(s) && tracker.shouldSync(s)) enqueue(s);
    },
    update: (o, s) => {
      if (o.metadata.labels?.[labelServiceName] !== s.metadata.labels?.[labelServiceName]) {
        enqueue(s);
        enqueue(o);
      } else if (managedByUs(o) !== managedByUs(s) || (managedByUs(s) && tracker.shouldSync(s))) {
        enqueue(s);
      }
    },
    delete: (s) => {
      if (managedByUs(s) && tracker.has(s) && !tracker.handleDeletion(s)) enqueue(s);
    },
  };
}
