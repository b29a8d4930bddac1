// The EndpointSlice reconciler (upstream staging/src/k8s.io/endpointslice reconciler.go
// and utils.go): given a Service, the pods its selector matches and the slices this
// controller already manages for it, decide which slices to create, update and delete.
// Pure: the controller applies the plan. The placement is upstream's minimal-churn one:
// keep every endpoint where it is, update changed ones in place, fill slices that are
// being updated anyway, then fit leftovers into the unchanged slice closest to full,
// and only then create new slices.
import type { DiscoveryEndpointPort, Endpoint, EndpointSlice, Node, OwnerReference, Pod, Service } from '../../api/types.js';
import {
  annotationLastChangeTriggerTime,
  formatRFC3339Nano,
  findPort,
  isIPv6,
  isPodReady,
  isServiceIPSet,
  labelHeadlessService,
  labelManagedBy,
  labelServiceName,
  labelTopologyZone,
  podIPs,
  semanticEqual,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../endpoint-util.js';

export type AddressType = 'IPv4' | 'IPv6';

export interface SliceReconcileInput {
  service: Service;
  /** Pods matching the Service's selector, in its namespace. */
  pods: Pod[];
  /** Slices labelled for this Service and managed by this controller, not being deleted. */
  existingSlices: EndpointSlice[];
  /** Node lookup (the node lister): zone labels, and pods on unknown nodes are skipped. */
  node(name: string): Node | undefined;
  maxEndpointsPerSlice: number;
  controllerName: string;
  /** The last-change-trigger-time to stamp on written slices; undefined clears it. */
  triggerTime?: Date;
}

export interface SlicePlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
  /**
   * Pods left out because their Node is unknown; upstream reports these as a sync
   * error so the Service is retried, while still writing the slices without them.
   */
  errors: string[];
}

/** getAddressTypesForService: from ipFamilies, else the ClusterIP's family, else both (headless). */
export function addressTypesForService(svc: Service): AddressType[] {
  const types = new Set<AddressType>();
  for (const f of svc.spec.ipFamilies ?? []) {
    if (f === 'IPv4') types.add('IPv4');
    if (f === 'IPv6') types.add('IPv6');
  }
  if (types.size > 0) return [...types];
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec.clusterIP!) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** getEndpointPorts: one port per Service port the pod has (named targetPorts per pod). */
export function endpointPortsFor(svc: Service, pod: Pod): DiscoveryEndpointPort[] {
  const ports: DiscoveryEndpointPort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    // name is always written (the API's *string): kubectl 1.31+ expects it even when "".
    const ep: DiscoveryEndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    ports.push(ep);
  }
  return ports;
}

/** podToEndpoint: conditions serving = Ready, terminating = being deleted, ready = both (or published). */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // "ready" is never true for a terminating pod unless publishNotReadyAddresses asks for it.
  const ready = !!svc.spec.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[labelTopologyZone];
  if (zone) ep.zone = zone;
  return ep;
}

// ---- keys ----

function canonicalPort(p: DiscoveryEndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null]);
}

/** NewPortMapKey: the same set of ports in any order gives the same key. */
export function portMapKey(ports: DiscoveryEndpointPort[] | null | undefined): string {
  return (ports ?? []).map(canonicalPort).sort().join('|');
}

/** hashEndpoint: identity is addresses + hostname + target; the rest may change in place. */
export function endpointHash(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** EndpointsEqualBeyondHash: nodeName, zone, the three conditions and targetRef (ignoring its resourceVersion). */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  return (
    (a.nodeName ?? null) === (b.nodeName ?? null) &&
    (a.zone ?? null) === (b.zone ?? null) &&
    (a.conditions?.ready ?? null) === (b.conditions?.ready ?? null) &&
    (a.conditions?.serving ?? null) === (b.conditions?.serving ?? null) &&
    (a.conditions?.terminating ?? null) === (b.conditions?.terminating ?? null) &&
    semanticEqual(a.targetRef, b.targetRef, 'targetRef')
  );
}

/** EndpointSet: endpoints by hash, popped in insertion (pod) order so output is stable. */
class EndpointSet {
  private readonly m = new Map<string, Endpoint>();
  insert(ep: Endpoint): void {
    this.m.set(endpointHash(ep), ep);
  }
  get(ep: Endpoint): Endpoint | undefined {
    return this.m.get(endpointHash(ep));
  }
  delete(ep: Endpoint): void {
    this.m.delete(endpointHash(ep));
  }
  popAny(): Endpoint {
    const [k, v] = this.m.entries().next().value as [string, Endpoint];
    this.m.delete(k);
    return v;
  }
  get size(): number {
    return this.m.size;
  }
}

// ---- slices ----

function isReservedLabel(k: string): boolean {
  return k === labelServiceName || k === labelManagedBy || k === labelHeadlessService;
}

/**
 * setEndpointSliceLabels: the Service's labels (minus the reserved ones), the headless
 * label when the Service has no ClusterIP, and the service-name/managed-by labels.
 * changed reports whether the non-reserved labels differ from the slice's.
 */
export function endpointSliceLabels(
  slice: EndpointSlice | undefined,
  svc: Service,
  controllerName: string,
): { labels: Record<string, string>; changed: boolean } {
  const sliceLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata.labels ?? {})) if (!isReservedLabel(k)) sliceLabels[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!isReservedLabel(k)) labels[k] = v;
  const changed = !semanticEqual(sliceLabels, labels);
  if (!isServiceIPSet(svc)) labels[labelHeadlessService] = '';
  labels[labelServiceName] = svc.metadata.name!;
  labels[labelManagedBy] = controllerName;
  return { labels, changed };
}

export function serviceOwnerReference(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** newEndpointSlice: generateName "<service>-", owned by the Service. */
export function newEndpointSlice(svc: Service, ports: DiscoveryEndpointPort[], addressType: AddressType, controllerName: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: endpointSliceLabels(undefined, svc, controllerName).labels,
      ownerReferences: [serviceOwnerReference(svc)],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** placeholderSliceCompare: same namespace and labels, and no endpoints or ports. */
function isSamePlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    semanticEqual(slice.metadata.labels, placeholder.metadata.labels) &&
    slice.addressType === placeholder.addressType &&
    (slice.endpoints ?? []).length === 0 &&
    (slice.ports ?? []).length === 0
  );
}

/** getSliceToFill: the slice that ends up closest to full after taking n endpoints. */
function sliceToFill(slices: EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = max - (n + (s.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) return closest;
    }
  }
  return closest;
}

interface PortMappingPlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
}

/** reconcileByPortMapping: the three-step placement for one set of ports. */
function reconcileByPortMapping(
  svc: Service,
  existing: EndpointSlice[],
  desired: EndpointSet,
  ports: DiscoveryEndpointPort[],
  addressType: AddressType,
  max: number,
  controllerName: string,
): PortMappingPlan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdateNames = new Set<string>();
  const toDeleteNames = new Set<string>();

  // 1. Keep desired endpoints where they are, updating changed ones in place.
  for (const slice of existing) {
    const name = slice.metadata.name!;
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const ep of slice.endpoints ?? []) {
      const want = desired.get(ep);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, ep)) endpointUpdated = true;
      desired.delete(ep);
    }
    const { labels, changed: labelsChanged } = endpointSliceLabels(slice, svc, controllerName);
    if (endpointUpdated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) {
        toDeleteNames.add(name);
      } else {
        const copy = structuredClone(slice);
        copy.endpoints = kept;
        copy.metadata.labels = labels;
        byName.set(name, copy);
        toUpdateNames.add(name);
      }
    } else if (labelsChanged) {
      const copy = structuredClone(slice);
      copy.metadata.labels = labels;
      byName.set(name, copy);
      toUpdateNames.add(name);
    } else {
      unchanged.add(name);
    }
  }

  // 2. Fill the slices that are being written anyway, fullest first.
  if (desired.size > 0 && toUpdateNames.size > 0) {
    const slices = [...toUpdateNames].map((n) => byName.get(n)!);
    slices.sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
    for (const s of slices) {
      s.endpoints ??= [];
      while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(desired.popAny());
    }
  }

  // 3. Fit what is left into the unchanged slice closest to full, else create slices.
  const toCreate: EndpointSlice[] = [];
  while (desired.size > 0) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      fill = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
    }
    if (!fill) {
      fill = newEndpointSlice(svc, ports, addressType, controllerName);
    } else {
      fill = structuredClone(fill);
      byName.set(fill.metadata.name!, fill);
    }
    fill.endpoints ??= [];
    while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(desired.popAny());
    if (fill.metadata.name) {
      toUpdateNames.add(fill.metadata.name);
      unchanged.delete(fill.metadata.name);
    } else {
      toCreate.push(fill);
    }
  }

  return {
    toCreate,
    toUpdate: [...toUpdateNames].map((n) => byName.get(n)!),
    toDelete: [...toDeleteNames].map((n) => byName.get(n)!),
  };
}

/** reconcileByAddressType: desired endpoints grouped by their port sets, then placed. */
function reconcileByAddressType(input: SliceReconcileInput, existing: EndpointSlice[], addressType: AddressType): SlicePlan {
  const { service: svc, maxEndpointsPerSlice: max, controllerName } = input;
  const plan: SlicePlan = { toCreate: [], toUpdate: [], toDelete: [], errors: [] };

  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, svc)) {
      plan.toDelete.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }

  const desiredByPorts = new Map<string, { ports: DiscoveryEndpointPort[]; set: EndpointSet }>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    // A headless Service may have no ports at all.
    const ports = (svc.spec.ports ?? []).length === 0 && svc.spec.clusterIP === 'None' ? [] : endpointPortsFor(svc, pod);
    const key = portMapKey(ports);
    let group = desiredByPorts.get(key);
    if (!group) desiredByPorts.set(key, (group = { ports, set: new EndpointSet() }));
    const node = input.node(pod.spec.nodeName ?? '');
    if (!node && !svc.spec.publishNotReadyAddresses) {
      // A pod pointing at a missing Node is left out (and the Service retried) rather
      // than blocking the whole Service until the pod garbage collector runs.
      plan.errors.push(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: Node ${pod.spec.nodeName ?? ''} Not Found`);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) group.set.insert(ep);
  }

  for (const [key, { ports, set }] of desiredByPorts) {
    const pm = reconcileByPortMapping(svc, existingByPorts.get(key) ?? [], set, ports, addressType, max, controllerName);
    plan.toCreate.push(...pm.toCreate);
    plan.toUpdate.push(...pm.toUpdate);
    plan.toDelete.push(...pm.toDelete);
  }
  for (const [key, slices] of existingByPorts) if (!desiredByPorts.has(key)) plan.toDelete.push(...slices);

  // A Service with no endpoints still gets one slice (no ports, no endpoints), as upstream.
  if (existing.length === plan.toDelete.length && plan.toCreate.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType, controllerName);
    if (plan.toDelete.length === 1 && isSamePlaceholder(plan.toDelete[0], placeholder)) plan.toDelete = [];
    else plan.toCreate.push(placeholder);
  }
  return plan;
}

function stampTriggerTime(slice: EndpointSlice, t: Date | undefined): void {
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (t) annotations[annotationLastChangeTriggerTime] = formatRFC3339Nano(t);
  else delete annotations[annotationLastChangeTriggerTime];
  if (Object.keys(annotations).length > 0) slice.metadata.annotations = annotations;
  else delete slice.metadata.annotations;
}

/**
 * finalize's planning half: creates turn into updates of slices that would otherwise
 * be deleted (same address type, owned by this Service); no creates while the Service
 * is being deleted (the garbage collector would race us); written slices carry the
 * trigger time.
 */
function finalizePlan(svc: Service, plan: SlicePlan, triggerTime: Date | undefined): SlicePlan {
  const toCreate = [...plan.toCreate];
  const toUpdate = [...plan.toUpdate];
  const toDelete = [...plan.toDelete];
  for (let i = 0; i < toDelete.length && toCreate.length > 0; ) {
    const victim = toDelete[i];
    const slice = toCreate[toCreate.length - 1];
    if (victim.addressType === slice.addressType && ownedBy(victim, svc)) {
      // The new slice (generateName included, as upstream) under the victim's name and
      // resourceVersion, so the write is conditional.
      const recycled: EndpointSlice = {
        ...slice,
        metadata: { ...slice.metadata, name: victim.metadata.name, uid: victim.metadata.uid, resourceVersion: victim.metadata.resourceVersion },
      };
      toCreate.pop();
      toUpdate.push(recycled);
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }
  const creates = svc.metadata.deletionTimestamp ? [] : toCreate;
  for (const s of [...creates, ...toUpdate]) stampTriggerTime(s, triggerTime);
  return { toCreate: creates, toUpdate, toDelete, errors: plan.errors };
}

/** Reconcile: the full plan for a Service across its address types. */
export function reconcileEndpointSlices(input: SliceReconcileInput): SlicePlan {
  const supported = addressTypesForService(input.service);
  const plan: SlicePlan = { toCreate: [], toUpdate: [], toDelete: [], errors: [] };
  const byType = new Map<string, EndpointSlice[]>();
  const unsupported: EndpointSlice[] = [];
  for (const slice of input.existingSlices) {
    if (!supported.includes(slice.addressType as AddressType)) unsupported.push(slice);
    else byType.set(slice.addressType, [...(byType.get(slice.addressType) ?? []), slice]);
  }
  for (const t of supported) {
    const p = finalizePlan(input.service, reconcileByAddressType(input, byType.get(t) ?? [], t), input.triggerTime);
    plan.toCreate.push(...p.toCreate);
    plan.toUpdate.push(...p.toUpdate);
    plan.toDelete.push(...p.toDelete);
    plan.errors.push(...p.errors);
  }
  plan.toDelete.push(...unsupported);
  return plan;
}

/**
 * The slice as the API returns it: upstream's storage turns empty lists into nil and
 * these two fields have no omitempty, so an empty slice reads `endpoints: null` and
 * `ports: null`. Writing null keeps kanzen's objects identical.
 */
export function toWire(slice: EndpointSlice): EndpointSlice {
  return {
    ...slice,
    endpoints: (slice.endpoints ?? []).length > 0 ? slice.endpoints : null,
    ports: (slice.ports ?? []).length > 0 ? slice.ports : null,
  };
}
