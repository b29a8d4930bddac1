// The Endpoints controller (upstream pkg/controller/endpoint/endpoints_controller.go):
// keeps one Endpoints object per selector Service, named like it, listing the matching
// pods' addresses (ready ones in `addresses`, others in `notReadyAddresses`) per port,
// in the canonical packed layout (pkg/api/v1/endpoints RepackSubsets).
import { createHash } from 'node:crypto';
import { isNotFound } from '../api/errors.js';
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { splitKey } from '../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';
import { podHandlers, serviceHandlers } from './endpoint-handlers.js';
import {
  annotationLastChangeTriggerTime,
  annotationLeaderElection,
  annotationOverCapacity,
  findPort,
  formatRFC3339Nano,
  errMessage,
  hasSelector,
  isNamespaceTerminating,
  isIPv6,
  isPodReady,
  isServiceIPSet,
  labelHeadlessService,
  podIPs,
  semanticEqual,
  serviceKey,
  serviceSelectsPod,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  TriggerTimeTracker,
} from './endpoint-util.js';

/** Most addresses an Endpoints object holds; beyond it the controller truncates (maxCapacity). */
export const maxEndpointsCapacity = 1000;
const truncated = 'truncated';

export interface EndpointsControllerOptions {
  /**
   * Delay added to syncs triggered by pod changes to batch churn (upstream
   * --endpoint-updates-batch-period, default 0). kanzen keeps 0: its proxy follows
   * endpoints, so latency here is the time a new pod waits for traffic.
   */
  endpointUpdatesBatchPeriodMs?: number;
  /** Concurrent Service syncs (upstream --concurrent-endpoint-syncs, default 5). */
  workers?: number;
}

// ---- pure parts ----

/** podToEndpointAddressForService: the pod IP of the Service's (first) family. */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let v6: boolean;
  if ((svc.spec.ipFamilies ?? []).length > 0) v6 = svc.spec.ipFamilies![0] === 'IPv6';
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec.clusterIP!);
  else v6 = isIPv6(pod.status?.podIP ?? '');
  const ip = podIPs(pod).find((a) => isIPv6(a) === v6);
  if (!ip) return undefined;
  const addr: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec.hostname;
  if (pod.spec.nodeName) addr.nodeName = pod.spec.nodeName;
  addr.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  return addr;
}

/** The unpacked subsets: one per (pod, port), ready or not (addEndpointSubset). */
export function endpointSubsetsFor(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec.publishNotReadyAddresses;
  const subsets: EndpointSubset[] = [];
  const add = (pod: Pod, addr: EndpointAddress, port?: EndpointPort) => {
    const ports = port ? [port] : [];
    if (tolerateUnready || isPodReady(pod)) subsets.push({ addresses: [addr], ports });
    else subsets.push({ notReadyAddresses: [addr], ports });
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr = podToEndpointAddress(svc, pod);
    if (!addr) continue;
    const svcPorts = svc.spec.ports ?? [];
    // A headless Service may have no ports: its addresses are listed without any.
    if (svcPorts.length === 0) {
      if (svc.spec.clusterIP === 'None') add(pod, addr);
      continue;
    }
    for (const sp of svcPorts) {
      const portNum = findPort(pod, sp);
      if (portNum === undefined) continue;
      const epp: EndpointPort = { name: sp.name, port: portNum, protocol: sp.protocol ?? 'TCP' };
      if (!epp.name) delete epp.name;
      if (sp.appProtocol !== undefined) epp.appProtocol = sp.appProtocol;
      add(pod, addr, epp);
    }
  }
  return subsets;
}

// Go's spew rendering (k8s.io/utils/dump.ForHash) of the v1 types, so subsets and ports
// sort by the same md5 hashes upstream's SortSubsets uses.
function spewStr(s: string | undefined): string {
  return `(string)${s ?? ''}`;
}

function spewPort(p: EndpointPort): string {
  const app = p.appProtocol === undefined ? '(*string)<nil>' : `(*string)${p.appProtocol}`;
  return `(v1.EndpointPort){Name:${spewStr(p.name)} Port:(int32)${p.port} Protocol:(v1.Protocol)${p.protocol ?? ''} AppProtocol:${app}}`;
}

function spewAddress(a: EndpointAddress): string {
  const node = a.nodeName === undefined ? '(*string)<nil>' : `(*string)${a.nodeName}`;
  const r = a.targetRef;
  const ref = r
    ? `(*v1.ObjectReference){Kind:${spewStr(r.kind)} Namespace:${spewStr(r.namespace)} Name:${spewStr(r.name)} UID:(types.UID)${r.uid ?? ''} APIVersion:${spewStr(r.apiVersion)} ResourceVersion:${spewStr(r.resourceVersion)} FieldPath:${spewStr(r.fieldPath)}}`
    : '(*v1.ObjectReference)<nil>';
  return `(v1.EndpointAddress){IP:${spewStr(a.ip)} Hostname:${spewStr(a.hostname)} NodeName:${node} TargetRef:${ref}}`;
}

function spewList<T>(type: string, items: T[] | undefined, f: (x: T) => string): string {
  return items === undefined ? `([]${type})<nil>` : `([]${type})[${items.map(f).join(' ')}]`;
}

function spewSubset(s: EndpointSubset): string {
  return `(v1.EndpointSubset){Addresses:${spewList('v1.EndpointAddress', s.addresses, spewAddress)} NotReadyAddresses:${spewList('v1.EndpointAddress', s.notReadyAddresses, spewAddress)} Ports:${spewList('v1.EndpointPort', s.ports, spewPort)}}`;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** LessEndpointAddress: by IP bytes, then target UID. */
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return Buffer.compare(Buffer.from(a.ip), Buffer.from(b.ip));
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * RepackSubsets: expand to (address, port) pairs, then group addresses offering the
 * same ports into one subset. An address not ready for any port is not ready in that
 * subset ("not ready always trumps ready"). Addresses are de-duplicated by IP + UID.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  const portKeys = new Map<string, EndpointPort | undefined>(); // undefined: "no port" (-1 upstream)
  const byPort = new Map<string, Map<EndpointAddress, boolean>>();
  const mapAddress = (addr: EndpointAddress, portKey: string, ready: boolean) => {
    const k = JSON.stringify([addr.ip, addr.targetRef?.uid ?? '']);
    let existing = allAddrs.get(k);
    if (!existing) allAddrs.set(k, (existing = addr));
    const set = byPort.get(portKey) ?? new Map<EndpointAddress, boolean>();
    byPort.set(portKey, set);
    const was = set.get(existing);
    if (was === undefined || was) set.set(existing, ready);
  };
  for (const ss of subsets) {
    const ports: (EndpointPort | undefined)[] = (ss.ports ?? []).length === 0 ? [undefined] : ss.ports!;
    for (const port of ports) {
      const pk = port ? JSON.stringify([port.name ?? '', port.port, port.protocol ?? '', port.appProtocol ?? null]) : '-1';
      portKeys.set(pk, port);
      for (const a of ss.addresses ?? []) mapAddress(a, pk, true);
      for (const a of ss.notReadyAddresses ?? []) mapAddress(a, pk, false);
    }
  }
  // Group ports by the exact set of (address, readiness) offering them.
  const groups = new Map<string, { addrs: Map<EndpointAddress, boolean>; ports: EndpointPort[] | undefined }>();
  for (const [pk, addrs] of byPort) {
    const key = [...addrs]
      .sort(([a], [b]) => compareAddresses(a, b))
      .map(([a, r]) => JSON.stringify([a.ip, a.targetRef?.uid ?? '', r]))
      .join(',');
    const g = groups.get(key) ?? { addrs, ports: undefined };
    groups.set(key, g);
    const port = portKeys.get(pk);
    if (port) g.ports = [...(g.ports ?? []), port];
  }
  const out: EndpointSubset[] = [];
  for (const { addrs, ports } of groups.values()) {
    const ready = [...addrs].filter(([, r]) => r).map(([a]) => a);
    const notReady = [...addrs].filter(([, r]) => !r).map(([a]) => a);
    const ss: EndpointSubset = {};
    if (ready.length) ss.addresses = ready.sort(compareAddresses);
    if (notReady.length) ss.notReadyAddresses = notReady.sort(compareAddresses);
    if (ports) ss.ports = ports.map((p) => ({ p, h: md5(spewPort(p)) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0)).map((x) => x.p);
    out.push(ss);
  }
  return out
    .map((s) => ({ s, h: md5(spewSubset(s)) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .map((x) => x.s);
}

function countAddresses(subsets: EndpointSubset[] | undefined): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets ?? []) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/**
 * truncateEndpoints: keep at most maxEndpointsCapacity addresses, ready ones first,
 * each subset keeping its proportional share (rounded up). Returns whether it cut.
 */
export function truncateEndpoints(subsets: EndpointSubset[], capacity = maxEndpointsCapacity): boolean {
  const { ready, notReady } = countAddresses(subsets);
  if (ready + notReady <= capacity) return false;
  const truncateReady = ready > capacity;
  const max = truncateReady ? capacity : capacity - ready;
  const total = truncateReady ? ready : notReady;
  let canBeAdded = max;
  for (const s of subsets) {
    const inSubset = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const toBeAdded = Math.min(Math.ceil((inSubset / total) * max), canBeAdded);
    if (truncateReady) {
      s.addresses = (s.addresses ?? []).slice(0, toBeAdded);
      delete s.notReadyAddresses;
      canBeAdded -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= s.notReadyAddresses.length;
    }
  }
  return true;
}

/** capacityAnnotationSetCorrectly: over capacity always needs a write; under it, no annotation. */
function capacityAnnotationSetCorrectly(ep: Endpoints): boolean {
  const { ready, notReady } = countAddresses(ep.subsets);
  if (ready + notReady > maxEndpointsCapacity) return false;
  return !(annotationOverCapacity in (ep.metadata.annotations ?? {}));
}

function withoutKey(m: Record<string, string> | undefined, key: string): Record<string, string> {
  const out = { ...(m ?? {}) };
  delete out[key];
  return out;
}

/**
 * The Endpoints to write for a Service, or undefined when the current one is already
 * right (same subsets ignoring targetRef resourceVersions, same labels, capacity
 * annotation consistent).
 */
export function desiredEndpoints(svc: Service, pods: Pod[], current: Endpoints | undefined, triggerTime: Date | undefined): Endpoints | undefined {
  const subsets = repackSubsets(endpointSubsetsFor(svc, pods));
  if (
    current &&
    semanticEqual(current.subsets, subsets) &&
    semanticEqual(withoutKey(current.metadata.labels, labelHeadlessService), svc.metadata.labels) &&
    capacityAnnotationSetCorrectly(current)
  ) {
    return undefined;
  }
  const next: Endpoints = current
    ? structuredClone(current)
    : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace } };
  const annotations = { ...(next.metadata.annotations ?? {}) };
  if (triggerTime) annotations[annotationLastChangeTriggerTime] = formatRFC3339Nano(triggerTime);
  else delete annotations[annotationLastChangeTriggerTime];
  if (truncateEndpoints(subsets)) annotations[annotationOverCapacity] = truncated;
  else delete annotations[annotationOverCapacity];
  const labels = { ...(svc.metadata.labels ?? {}) };
  if (!isServiceIPSet(svc)) labels[labelHeadlessService] = '';
  else delete labels[labelHeadlessService];
  next.metadata.labels = labels;
  next.metadata.annotations = annotations;
  if (Object.keys(labels).length === 0) delete next.metadata.labels;
  if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
  if (subsets.length > 0) next.subsets = subsets;
  else delete next.subsets;
  return next;
}

// ---- the controller ----

export function newEndpointsController(ctx: ControllerContext, opts: EndpointsControllerOptions = {}): Controller {
  const podsInfo = resourceFor('pods');
  const servicesInfo = resourceFor('services');
  const endpointsInfo = resourceFor('endpoints');
  const pods = ctx.informers.for<Pod>(podsInfo);
  const services = ctx.informers.for<Service>(servicesInfo);
  const endpoints = ctx.informers.for<Endpoints>(endpointsInfo);
  const recorder = ctx.recorder('endpoint-controller');
  const log = ctx.logger.child('endpoint-controller');
  const batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
  const triggerTimes = new TriggerTimeTracker();
  // staleEndpointsTracker: resourceVersions we replaced; seeing one again in the cache
  // means it has not caught up with our write yet.
  const staleVersions = new Map<string, string>();

  async function syncService(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const svc = services.getByName(namespace, name);
    if (!svc) {
      // The Service is gone: so are its Endpoints.
      try {
        await ctx.client.delete(endpointsInfo, namespace, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      triggerTimes.deleteService(key);
      staleVersions.delete(key);
      return;
    }
    // ExternalName Services get no endpoints (issues.k8s.io/105986); selector-less ones
    // keep the Endpoints their users manage.
    if (svc.spec.type === 'ExternalName' || !hasSelector(svc)) return;

    const matching = pods.candidatesForSelector(namespace, svc.spec.selector).filter((p) => serviceSelectsPod(svc, p));
    // Computed even when nothing is written, so the tracker's state stays current.
    const triggerTime = triggerTimes.compute(svc, matching);
    const current = endpoints.getByName(namespace, name);
    if (current && staleVersions.get(key) === current.metadata.resourceVersion) return { requeueAfterMs: 20 };

    const next = desiredEndpoints(svc, matching, current, triggerTime);
    if (!next) return;
    try {
      if (!current) {
        await ctx.client.create(endpointsInfo, namespace, next);
      } else {
        const updated = await ctx.client.update<Endpoints>(endpointsInfo, next);
        if (updated.metadata.resourceVersion !== current.metadata.resourceVersion) staleVersions.set(key, current.metadata.resourceVersion ?? '');
      }
    } catch (e) {
      // A terminating namespace refuses creates for good: drop the item, as upstream.
      if (!current && isNamespaceTerminating(e)) return;
      if (!current) recorder.event(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${errMessage(e)}`);
      else recorder.event(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${errMessage(e)}`);
      throw e;
    }
  }

  const queue = new WorkQueue(syncService, { name: 'endpoint', workers: opts.workers ?? 5, logger: log });
  const enqueueForPod = (keys: Set<string>) => {
    for (const k of keys) queue.addAfter(k, batchMs);
  };

  return {
    name: 'endpoint-controller',
    start() {
      services.addHandlers(serviceHandlers((k) => queue.add(k)));
      pods.addHandlers(podHandlers(services, enqueueForPod));
      endpoints.addHandlers({ delete: (ep) => queue.add(serviceKey(ep)) });
      // checkLeftoverEndpoints: once caches are warm, look at every Endpoints once so
      // those whose Service went while we were down are removed (leader-election
      // records, which have no Service, are left alone).
      void Promise.all([services.waitForSync(), endpoints.waitForSync()]).then(() => {
        for (const ep of endpoints.list()) {
          if (annotationLeaderElection in (ep.metadata.annotations ?? {})) continue;
          queue.add(serviceKey(ep));
        }
      });
    },
    stop() {
      queue.stop();
    },
  };
}

