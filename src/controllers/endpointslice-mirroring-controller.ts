// The EndpointSlice mirroring controller (upstream pkg/controller/endpointslicemirroring):
// a Service without a selector has user-managed Endpoints; this controller mirrors
// them into EndpointSlices (managed by `endpointslicemirroring-controller.k8s.io`) so
// slice consumers such as the proxy see them. One slice per Endpoints subset (up to
// 1000 addresses each), skipped for Endpoints labelled
// `endpointslice.kubernetes.io/skip-mirror: "true"` and for leader-election records.
import { isIP } from 'node:net';
import { isNotFound } from '../api/errors.js';
import type { DiscoveryEndpointPort, Endpoint, EndpointPort, EndpointSlice, Endpoints, EndpointAddress, Service } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { splitKey } from '../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';
import {
  annotationLastApplied,
  annotationLastChangeTriggerTime,
  annotationLeaderElection,
  EndpointSliceTracker,
  hasSelector,
  labelManagedBy,
  labelServiceName,
  labelSkipMirror,
  semanticEqual,
  serviceKey,
} from './endpoint-util.js';
import { indexSlicesByService, managedSliceHandlers, sliceServiceIndex, sliceServiceKey } from './endpoint-handlers.js';
import { endpointHash, endpointsEqualBeyondHash, portMapKey } from './endpointslice/endpointslice-reconciler.js';
import { writeEndpointSlices } from './endpointslice/endpointslice-writer.js';

export const mirroringControllerName = 'endpointslicemirroring-controller.k8s.io';

/** Upstream --mirroring-max-endpoints-per-subset default. */
export const defaultMaxEndpointsPerSubset = 1000;

const staleCacheRetryMs = 20;

export interface EndpointSliceMirroringControllerOptions {
  maxEndpointsPerSubset?: number;
  /** Delay before resyncing after a mirrored slice changed (upstream --mirroring-endpointslice-updates-batch-period, 0). */
  endpointUpdatesBatchPeriodMs?: number;
  workers?: number;
}

// ---- pure parts ----

/** shouldMirror: not skip-mirror, not a leader-election record. */
export function shouldMirror(ep: Endpoints | undefined): boolean {
  if (!ep) return false;
  if (ep.metadata.labels?.[labelSkipMirror] === 'true') return false;
  return !(annotationLeaderElection in (ep.metadata.annotations ?? {}));
}

/** addressToEndpoint: one endpoint per address; only `ready` is known from an Endpoints. */
export function addressToEndpoint(address: EndpointAddress, ready: boolean): { endpoint: Endpoint; addressType: 'IPv4' | 'IPv6' } | undefined {
  const family = isIP(address.ip ?? '');
  if (family === 0) return undefined;
  const endpoint: Endpoint = { addresses: [address.ip], conditions: { ready } };
  if (address.hostname) endpoint.hostname = address.hostname;
  if (address.targetRef) endpoint.targetRef = address.targetRef;
  if (address.nodeName) endpoint.nodeName = address.nodeName;
  return { endpoint, addressType: family === 6 ? 'IPv6' : 'IPv4' };
}

/** epPortsToEpsPorts: names always present ("" when unnamed), as the slice API has them. */
export function endpointsPortsToSlicePorts(ports: EndpointPort[] | undefined): DiscoveryEndpointPort[] {
  return (ports ?? []).map((p) => {
    const out: DiscoveryEndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
    return out;
  });
}

function mirroredAnnotations(ep: Endpoints): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata.annotations ?? {})) {
    if (k !== annotationLastChangeTriggerTime && k !== annotationLastApplied) out[k] = v;
  }
  return out;
}

/** newEndpointSlice: the Endpoints' labels and annotations, owned by the Endpoints. */
export function newMirroredSlice(ep: Endpoints, ports: DiscoveryEndpointPort[], addressType: 'IPv4' | 'IPv6', sliceName?: string): EndpointSlice {
  const labels: Record<string, string> = { ...(ep.metadata.labels ?? {}) };
  labels[labelServiceName] = ep.metadata.name!;
  labels[labelManagedBy] = mirroringControllerName;
  const annotations = mirroredAnnotations(ep);
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: ep.metadata.namespace,
      labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata.name!, uid: ep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports,
  };
  if (Object.keys(annotations).length > 0) slice.metadata.annotations = annotations;
  if (sliceName) slice.metadata.name = sliceName;
  else slice.metadata.generateName = `${ep.metadata.name}-`;
  return slice;
}

export interface MirrorPlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
  invalidAddresses: number;
  skippedAddresses: number;
}

interface DesiredGroup {
  ports: DiscoveryEndpointPort[];
  addressType: 'IPv4' | 'IPv6';
  endpoints: Map<string, Endpoint>;
}

/** The reconciler: the mirrored slices an Endpoints needs, given those that exist. */
export function reconcileMirroredSlices(ep: Endpoints, existing: EndpointSlice[], maxPerSubset = defaultMaxEndpointsPerSubset): MirrorPlan {
  const desired = new Map<string, DesiredGroup>();
  let invalid = 0;
  let skipped = 0;
  for (const subset of ep.subsets ?? []) {
    const ports = endpointsPortsToSlicePorts(subset.ports);
    const groupFor = (t: 'IPv4' | 'IPv6') => {
      const key = `${t}/${portMapKey(ports)}`;
      let g = desired.get(key);
      if (!g) desired.set(key, (g = { ports, addressType: t, endpoints: new Map() }));
      return g;
    };
    // Both families get a (possibly empty) group, so slices of the other family go.
    groupFor('IPv4');
    groupFor('IPv6');
    const all = [...(subset.addresses ?? []).map((a) => [a, true] as const), ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as const)];
    let added = 0;
    for (const [address, ready] of all) {
      // At most maxPerSubset addresses per subset: one subset maps to one slice.
      if (added >= maxPerSubset) break;
      const conv = addressToEndpoint(address, ready);
      if (!conv) {
        invalid++;
        continue;
      }
      groupFor(conv.addressType).endpoints.set(endpointHash(conv.endpoint), conv.endpoint);
      added++;
    }
    skipped += all.length - added;
  }

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const key = `${s.addressType}/${portMapKey(s.ports)}`;
    existingByKey.set(key, [...(existingByKey.get(key) ?? []), s]);
  }

  const plan: MirrorPlan = { toCreate: [], toUpdate: [], toDelete: [], invalidAddresses: invalid, skippedAddresses: skipped - invalid };
  for (const [key, group] of desired) {
    const slices = existingByKey.get(key) ?? [];
    if (group.endpoints.size === 0) {
      plan.toDelete.push(...slices);
      continue;
    }
    if (slices.length > 0) {
      plan.toDelete.push(...slices.slice(1));
      if (sliceMatches(slices[0], ep, group)) continue;
    }
    const slice = newMirroredSlice(ep, group.ports, group.addressType, slices[0]?.metadata.name);
    if (slices[0]) {
      slice.metadata.uid = slices[0].metadata.uid;
      slice.metadata.resourceVersion = slices[0].metadata.resourceVersion;
    }
    slice.endpoints = [...group.endpoints.values()].slice(0, maxPerSubset);
    (slice.metadata.name ? plan.toUpdate : plan.toCreate).push(slice);
  }
  for (const [key, slices] of existingByKey) if (!desired.has(key)) plan.toDelete.push(...slices);
  recycleSlices(plan);
  return plan;
}

/** The first existing slice already has exactly the desired endpoints, labels and annotations. */
function sliceMatches(slice: EndpointSlice, ep: Endpoints, group: DesiredGroup): boolean {
  const current = slice.endpoints ?? [];
  if (current.length !== group.endpoints.size) return false;
  for (const e of current) {
    const want = group.endpoints.get(endpointHash(e));
    if (!want || !endpointsEqualBeyondHash(want, e)) return false;
  }
  const labels = { ...(slice.metadata.labels ?? {}) };
  delete labels[labelManagedBy];
  delete labels[labelServiceName];
  return semanticEqual(ep.metadata.labels, labels) && semanticEqual(mirroredAnnotations(ep), slice.metadata.annotations);
}

/** recycleSlices: creates become updates of same-family slices that would be deleted. */
function recycleSlices(plan: MirrorPlan): void {
  for (const t of ['IPv4', 'IPv6']) {
    const creates = plan.toCreate.filter((s) => s.addressType === t);
    const deletes = plan.toDelete.filter((s) => s.addressType === t);
    for (let i = 0; i < creates.length && i < deletes.length; i++) {
      plan.toCreate.splice(plan.toCreate.indexOf(creates[i]), 1);
      plan.toDelete.splice(plan.toDelete.indexOf(deletes[i]), 1);
      const s = creates[i];
      delete s.metadata.generateName;
      s.metadata.name = deletes[i].metadata.name;
      s.metadata.uid = deletes[i].metadata.uid;
      s.metadata.resourceVersion = deletes[i].metadata.resourceVersion;
      plan.toUpdate.push(s);
    }
  }
}

// ---- the controller ----

export function newEndpointSliceMirroringController(ctx: ControllerContext, opts: EndpointSliceMirroringControllerOptions = {}): Controller {
  const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');
  const services = ctx.informers.for<Service>(resourceFor('services'));
  const endpoints = ctx.informers.for<Endpoints>(resourceFor('endpoints'));
  const slices = ctx.informers.for<EndpointSlice>(slicesInfo);
  const recorder = ctx.recorder('endpoint-slice-mirroring-controller');
  const log = ctx.logger.child('endpointslicemirroring-controller');
  const maxPerSubset = opts.maxEndpointsPerSubset ?? defaultMaxEndpointsPerSubset;
  const batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
  const tracker = new EndpointSliceTracker();

  const managedByUs = (s: EndpointSlice) => s.metadata.labels?.[labelManagedBy] === mirroringControllerName;
  const mirroredSlices = (key: string) => slices.byIndex(sliceServiceIndex, key).filter(managedByUs);

  async function deleteMirroredSlices(key: string): Promise<void> {
    tracker.deleteService(key);
    for (const s of mirroredSlices(key)) {
      try {
        await ctx.client.delete(slicesInfo, s.metadata.namespace, s.metadata.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  async function syncEndpoints(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const ep = endpoints.getByName(namespace, name);
    const svc = services.getByName(namespace, name);
    // Mirror only user-managed Endpoints: their Service exists and has no selector.
    if (!ep || !shouldMirror(ep) || !svc || hasSelector(svc)) return deleteMirroredSlices(key);

    const existing = mirroredSlices(key);
    if (tracker.staleSlices(key, existing)) return { requeueAfterMs: staleCacheRetryMs };
    const plan = reconcileMirroredSlices(ep, existing, maxPerSubset);
    if (plan.invalidAddresses > 0) {
      recorder.event(ep, 'Warning', 'InvalidIPAddress', `Skipped ${plan.invalidAddresses} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (plan.skippedAddresses > 0) {
      recorder.event(
        ep,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${maxPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skippedAddresses + plan.invalidAddresses} addresses were skipped`,
      );
    }
    // No new slices for an Endpoints being deleted.
    await writeEndpointSlices(ctx.client, tracker, { ...plan, toCreate: ep.metadata.deletionTimestamp ? [] : plan.toCreate });
  }

  const queue = new WorkQueue(syncEndpoints, { name: 'endpointslicemirroring', workers: opts.workers ?? 2, logger: log });
  const enqueueForSlice = (s: EndpointSlice) => {
    const k = sliceServiceKey(s);
    if (k) queue.addAfter(k, batchMs);
  };

  return {
    name: 'endpointslicemirroring-controller',
    start() {
      indexSlicesByService(slices);
      services.addHandlers({
        add: (s) => {
          if (!hasSelector(s)) queue.add(serviceKey(s));
        },
        update: (o, s) => {
          if (hasSelector(o) !== hasSelector(s)) queue.add(serviceKey(s));
        },
        delete: (s) => {
          if (!hasSelector(s)) queue.add(serviceKey(s));
        },
      });
      endpoints.addHandlers({
        add: (ep) => {
          if (shouldMirror(ep)) queue.add(serviceKey(ep));
        },
        update: (o, ep) => {
          if (shouldMirror(o) || shouldMirror(ep)) queue.add(serviceKey(ep));
        },
        delete: (ep) => {
          if (shouldMirror(ep)) queue.add(serviceKey(ep));
        },
      });
      slices.addHandlers(managedSliceHandlers(tracker, managedByUs, enqueueForSlice));
    },
    stop() {
      queue.stop();
    },
  };
}
