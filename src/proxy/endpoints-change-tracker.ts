// Endpoints change tracker (upstream pkg/proxy/endpointschangetracker.go with its
// endpointslice cache): keeps every EndpointSlice by Service, and for each Service
// whose slices changed since the last sync, the endpoints by Service port as they were
// applied (`previous`) and as the slices now say (`current`). A change that returns to
// the applied state cancels itself. Work per event is proportional to that Service.
import type { EndpointSlice } from '../api/types.js';
import { endpointInfoFrom, endpointListsEqual, type EndpointInfo } from './endpoint.js';
import { servicePortKey, type Protocol } from './service-port.js';

export const labelServiceName = 'kubernetes.io/service-name';
export const annotationLastChangeTriggerTime = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Service port key → its endpoints, sorted by "ip:port" (upstream sorts to keep diffs stable). */
export type EndpointsByPort = Map<string, readonly EndpointInfo[]>;

export interface EndpointsChange {
  readonly previous: EndpointsByPort;
  readonly current: EndpointsByPort;
}

export interface EndpointsCheckout {
  /** By Service key ("ns/name"). */
  changes: Map<string, EndpointsChange>;
  /** Trigger times of the changed Services' slices, for network programming latency. */
  lastChangeTriggerTimes: Map<string, Date[]>;
}

function portsEqual(a: EndpointsByPort, b: EndpointsByPort): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || !endpointListsEqual(v, w)) return false;
  }
  return true;
}

/** The endpoints of one Service from all its slices (upstream endpointSliceCache.getEndpointsMap). */
export function endpointsFromSlices(namespace: string, service: string, slices: Iterable<EndpointSlice>): EndpointsByPort {
  const byPort = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    for (const p of slice.ports ?? []) {
      if (p.port === undefined || p.port === null) continue;
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const key = servicePortKey({ namespace, name: service, port: p.name ?? '', protocol });
      let eps = byPort.get(key);
      if (!eps) byPort.set(key, (eps = new Map()));
      for (const ep of slice.endpoints ?? []) {
        if (!ep.addresses?.length) continue;
        const info = endpointInfoFrom(ep, p.port, namespace);
        // The same endpoint may sit in two slices while the controller moves it; a
        // ready copy wins (upstream keeps the ready one).
        const seen = eps.get(info.key);
        if (!seen || (!seen.ready && info.ready)) eps.set(info.key, info);
      }
    }
  }
  const out: EndpointsByPort = new Map();
  for (const [key, eps] of byPort) {
    out.set(key, [...eps.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }
  return out;
}

export class EndpointsChangeTracker {
  /** Service key → slice name → slice. */
  private readonly slices = new Map<string, Map<string, EndpointSlice>>();
  /** What the last checkout handed over, per Service: the `previous` of the next change. */
  private readonly applied = new Map<string, EndpointsByPort>();
  private changes = new Map<string, { previous: EndpointsByPort; current: EndpointsByPort }>();
  private triggerTimes = new Map<string, Date[]>();

  /** Records a slice event; returns true when a sync is needed. Slices without a Service label are ignored. */
  endpointSliceUpdate(slice: EndpointSlice, removeSlice: boolean): boolean {
    const service = slice.metadata.labels?.[labelServiceName];
    const namespace = slice.metadata.namespace ?? '';
    const name = slice.metadata.name ?? '';
    if (!service) return this.changes.size > 0;
    const svcKey = `${namespace}/${service}`;
    let bySlice = this.slices.get(svcKey);
    if (removeSlice) {
      if (!bySlice?.delete(name)) return this.changes.size > 0;
      if (bySlice.size === 0) this.slices.delete(svcKey);
    } else {
      if (!bySlice) this.slices.set(svcKey, (bySlice = new Map()));
      bySlice.set(name, slice);
      const t = slice.metadata.annotations?.[annotationLastChangeTriggerTime];
      const when = t ? new Date(t) : undefined;
      if (when && !Number.isNaN(when.getTime())) {
        const list = this.triggerTimes.get(svcKey) ?? [];
        if (!list.some((d) => d.getTime() === when.getTime())) list.push(when);
        this.triggerTimes.set(svcKey, list);
      }
    }
    let change = this.changes.get(svcKey);
    if (!change) {
      change = { previous: this.applied.get(svcKey) ?? new Map(), current: new Map() };
      this.changes.set(svcKey, change);
    }
    change.current = endpointsFromSlices(namespace, service, this.slices.get(svcKey)?.values() ?? []);
    if (portsEqual(change.previous, change.current)) {
      this.changes.delete(svcKey);
      this.triggerTimes.delete(svcKey);
    }
    return this.changes.size > 0;
  }

  pending(): boolean {
    return this.changes.size > 0;
  }

  checkout(): EndpointsCheckout {
    const changes = this.changes;
    const lastChangeTriggerTimes = this.triggerTimes;
    this.changes = new Map();
    this.triggerTimes = new Map();
    for (const [svcKey, c] of changes) {
      if (c.current.size) this.applied.set(svcKey, c.current);
      else this.applied.delete(svcKey);
    }
    return { changes, lastChangeTriggerTimes };
  }
}
