// Pure helpers shared by the Endpoints, EndpointSlice and EndpointSlice-mirroring
// controllers (upstream: k8s.io/endpointslice/util controller_utils.go,
// trigger_time_tracker.go, endpointslice_tracker.go, and podutil.FindPort).
// Nothing here does I/O, so each rule is unit-tested on plain objects.
import { isApiError } from '../api/errors.js';
import { matchLabels, selectorFromSet } from '../api/labels.js';
import type { EndpointSlice, Pod, PodCondition, Service, ServicePort } from '../api/types.js';

// ---- well-known names (k8s.io/api discovery/v1 and core/v1 constants) ----

export const labelServiceName = 'kubernetes.io/service-name';
export const labelManagedBy = 'endpointslice.kubernetes.io/managed-by';
export const labelSkipMirror = 'endpointslice.kubernetes.io/skip-mirror';
export const labelHeadlessService = 'service.kubernetes.io/headless';
export const labelTopologyZone = 'topology.kubernetes.io/zone';
export const annotationLastChangeTriggerTime = 'endpoints.kubernetes.io/last-change-trigger-time';
export const annotationOverCapacity = 'endpoints.kubernetes.io/over-capacity';
export const annotationLastApplied = 'kubectl.kubernetes.io/last-applied-configuration';
export const annotationLeaderElection = 'control-plane.alpha.kubernetes.io/leader';

// ---- pods ----

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Succeeded or Failed: every container stopped for good. */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * status.podIPs, or [status.podIP] when only the singular field is set (the v1→internal
 * conversion upstream fills podIPs from podIP the same way).
 */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * ShouldPodBeInEndpoints: not terminal, has an IP, and (unless includeTerminating) not
 * being deleted. Terminal ("Succeeded/Failed") is distinct from terminating
 * (deletionTimestamp set).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod asked for a hostname under this Service's subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec.hostname && pod.spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/**
 * FindPort: a numeric targetPort is used as is; a named one is looked up by name and
 * protocol in the pod's containers, then in its sidecars (init containers with
 * restartPolicy Always). undefined when the pod has no such port.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = svcPort.protocol ?? 'TCP';
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => (c as { restartPolicy?: string }).restartPolicy === 'Always');
  for (const c of [...pod.spec.containers, ...sidecars]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

// ---- services ----

/**
 * Whether the Service selects pods. A missing selector means "no pods" (the endpoints
 * are user-managed). An empty map is the same: upstream's storage drops empty maps, so
 * `selector: {}` reads back as nil there.
 */
export function hasSelector(svc: Service): boolean {
  return !!svc.spec.selector && Object.keys(svc.spec.selector).length > 0;
}

/** The Service's selector matches the pod (same namespace). */
export function serviceSelectsPod(svc: Service, pod: Pod): boolean {
  return svc.metadata.namespace === pod.metadata.namespace && hasSelector(svc) && matchLabels(selectorFromSet(svc.spec.selector), pod.metadata.labels);
}

/** helper.IsServiceIPSet: a ClusterIP that is neither empty nor None. */
export function isServiceIPSet(svc: Service): boolean {
  return !!svc.spec.clusterIP && svc.spec.clusterIP !== 'None';
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

export function serviceKey(svc: { metadata: { namespace?: string; name?: string } }): string {
  return `${svc.metadata.namespace}/${svc.metadata.name}`;
}

/** GetPodServiceMemberships: keys of the Services (in the pod's namespace) selecting the pod. */
export function podServiceMemberships(services: Service[], pod: Pod): Set<string> {
  const keys = new Set<string>();
  for (const svc of services) if (serviceSelectsPod(svc, pod)) keys.add(serviceKey(svc));
  return keys;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

/**
 * podEndpointsChanged: podChanged when something an endpoint shows changed (deletion
 * timestamp, readiness, IPs); labelsChanged when membership may have (labels, hostname,
 * subdomain).
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !sameLabels(oldPod.metadata.labels, newPod.metadata.labels) ||
    oldPod.spec.hostname !== newPod.spec.hostname ||
    oldPod.spec.subdomain !== newPod.spec.subdomain;
  const oldIPs = podIPs(oldPod);
  const newIPs = podIPs(newPod);
  const podChanged =
    oldPod.metadata.deletionTimestamp !== newPod.metadata.deletionTimestamp ||
    isPodReady(oldPod) !== isPodReady(newPod) ||
    oldIPs.length !== newIPs.length ||
    oldIPs.some((ip, i) => ip !== newIPs[i]) ||
    // Not in upstream's list because the kubelet never regresses a pod's phase; here a
    // pod turning terminal must still leave the endpoints at once.
    isPodTerminal(oldPod) !== isPodTerminal(newPod);
  return { podChanged, labelsChanged };
}

/**
 * GetServicesToUpdateOnPodChange: the Services to resync after a pod update. When only
 * labels changed, only Services whose membership flipped need it (symmetric
 * difference); when the pod changed too, all old and new ones.
 */
export function servicesToUpdateOnPodChange(services: Service[], oldPod: Pod, newPod: Pod): Set<string> {
  if (oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const now = podServiceMemberships(services, newPod);
  if (!labelsChanged) return now;
  const before = podServiceMemberships(services, oldPod);
  const out = new Set<string>();
  if (podChanged) {
    for (const k of now) out.add(k);
    for (const k of before) out.add(k);
  } else {
    for (const k of now) if (!before.has(k)) out.add(k);
    for (const k of before) if (!now.has(k)) out.add(k);
  }
  return out;
}

// ---- time ----

/** Go's time.RFC3339Nano of a UTC time: fractional seconds without trailing zeros. */
export function formatRFC3339Nano(d: Date): string {
  const iso = d.toISOString(); // 2024-01-02T03:04:05.678Z
  const [base, frac] = iso.slice(0, -1).split('.');
  const trimmed = (frac ?? '').replace(/0+$/, '');
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

function parseTime(s: string | undefined): number {
  if (!s) return 0;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * TriggerTimeTracker: computes endpoints.kubernetes.io/last-change-trigger-time. A
 * pod's trigger time is its Ready condition's lastTransitionTime; a Service's is its
 * creationTimestamp. The result is the earliest trigger time that changed since the
 * previous sync of the Service (the oldest change not yet reflected), or the Service's
 * creation time on its first sync; undefined means "clear the annotation".
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, { service: number; pods: Map<string, number> }>();

  compute(svc: Service, pods: Pod[]): Date | undefined {
    const key = serviceKey(svc);
    const state = this.states.get(key);
    let minChanged = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parseTime(podReadyCondition(pod)?.lastTransitionTime);
      if (!t) continue;
      podTimes.set(pod.metadata.name!, t);
      if (t > (state?.pods.get(pod.metadata.name!) ?? 0) && (!minChanged || t < minChanged)) minChanged = t;
    }
    const svcTime = parseTime(svc.metadata.creationTimestamp);
    if (svcTime > (state?.service ?? 0) && (!minChanged || svcTime < minChanged)) minChanged = svcTime;
    this.states.set(key, { service: svcTime, pods: podTimes });
    if (!state) return svcTime ? new Date(svcTime) : undefined;
    return minChanged ? new Date(minChanged) : undefined;
  }

  deleteService(key: string): void {
    this.states.delete(key);
  }
}

// ---- EndpointSlice tracker ----

function rvNumber(rv: string | undefined): bigint {
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : 0n;
}

const expectDeleted = -1n;

/**
 * EndpointSliceTracker: the resourceVersion this controller last wrote for each of its
 * slices, per Service. It tells a handler to ignore the echo of our own write and tells
 * a sync that the informer cache is still behind (a slice we created is not there yet,
 * one we deleted still is, or the cached copy is older than our write) — syncing on a
 * stale cache would create duplicates. Upstream compares metadata.generation; kanzen's
 * resourceVersions are ordered revisions, so they serve the same purpose.
 */
export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, bigint>>();

  private keyOf(slice: EndpointSlice): string {
    return `${slice.metadata.namespace}/${slice.metadata.labels?.[labelServiceName] ?? ''}`;
  }

  has(slice: EndpointSlice): boolean {
    return this.byService.get(this.keyOf(slice))?.has(slice.metadata.uid ?? '') ?? false;
  }

  /** True unless this is (an older copy of) a write we made ourselves. */
  shouldSync(slice: EndpointSlice): boolean {
    const expected = this.byService.get(this.keyOf(slice))?.get(slice.metadata.uid ?? '');
    if (expected === undefined) return true;
    return rvNumber(slice.metadata.resourceVersion) > expected;
  }

  staleSlices(serviceKey: string, slices: EndpointSlice[]): boolean {
    const expected = this.byService.get(serviceKey);
    if (!expected) return false;
    const cached = new Map(slices.map((s) => [s.metadata.uid ?? '', s]));
    for (const [uid, rv] of expected) {
      const slice = cached.get(uid);
      if (rv === expectDeleted) {
        if (slice) return true;
      } else if (!slice || rvNumber(slice.metadata.resourceVersion) < rv) {
        return true;
      }
    }
    return false;
  }

  update(slice: EndpointSlice): void {
    const key = this.keyOf(slice);
    const m = this.byService.get(key) ?? new Map<string, bigint>();
    this.byService.set(key, m);
    m.set(slice.metadata.uid ?? '', rvNumber(slice.metadata.resourceVersion));
  }

  expectDeletion(slice: EndpointSlice): void {
    const key = this.keyOf(slice);
    const m = this.byService.get(key) ?? new Map<string, bigint>();
    this.byService.set(key, m);
    m.set(slice.metadata.uid ?? '', expectDeleted);
  }

  /** Forgets a deleted slice; true when we expected the deletion (it was ours). */
  handleDeletion(slice: EndpointSlice): boolean {
    const m = this.byService.get(this.keyOf(slice));
    const uid = slice.metadata.uid ?? '';
    const rv = m?.get(uid);
    if (rv === undefined) return true;
    m!.delete(uid);
    return rv === expectDeleted;
  }

  deleteService(key: string): void {
    this.byService.delete(key);
  }
}

// ---- comparison ----

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/**
 * apiequality.Semantic.DeepEqual on JSON: absent, null and empty strings, lists and maps
 * are equal (the API drops them on a round trip), and targetRef resourceVersions are
 * ignored (semanticIgnoreResourceVersion) so a pod's unrelated updates cause no writes.
 */
export function semanticEqual(a: unknown, b: unknown, parentKey = ''): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a && b) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) {
      if (parentKey === 'targetRef' && k === 'resourceVersion') continue;
      if (!semanticEqual(ao[k], bo[k], k)) return false;
    }
    return true;
  }
  return a === b;
}

// ---- errors ----

/** errors.HasStatusCause(err, NamespaceTerminatingCause): creates there fail for good. */
export function isNamespaceTerminating(e: unknown): boolean {
  return isApiError(e) && (e.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
