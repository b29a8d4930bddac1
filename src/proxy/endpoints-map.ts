// Endpoints map (upstream EndpointsMap.Update): applies a tracker's changes and reports
// which Service ports changed, plus the UDP endpoints that stopped serving (their flows
// must be cleared, upstream's stale conntrack entries).
import { endpointListsEqual, type EndpointInfo } from './endpoint.js';
import type { EndpointsChangeTracker } from './endpoints-change-tracker.js';

export interface StaleEndpoint {
  servicePortKey: string;
  endpoint: EndpointInfo;
}

export interface UpdateEndpointsMapResult {
  updatedServicePorts: Set<string>;
  updatedServices: Set<string>;
  /** Endpoints that were serving and now are gone or not serving (upstream detectStaleConntrackEntries). */
  staleEndpoints: StaleEndpoint[];
  lastChangeTriggerTimes: Map<string, Date[]>;
}

export class EndpointsMap {
  private readonly byPort = new Map<string, readonly EndpointInfo[]>();

  get(servicePortKey: string): readonly EndpointInfo[] {
    return this.byPort.get(servicePortKey) ?? [];
  }

  keys(): IterableIterator<string> {
    return this.byPort.keys();
  }

  update(tracker: EndpointsChangeTracker): UpdateEndpointsMapResult {
    const { changes, lastChangeTriggerTimes } = tracker.checkout();
    const result: UpdateEndpointsMapResult = { updatedServicePorts: new Set(), updatedServices: new Set(), staleEndpoints: [], lastChangeTriggerTimes };
    for (const [svcKey, change] of changes) {
      result.updatedServices.add(svcKey);
      for (const [key, old] of change.previous) {
        const now = change.current.get(key) ?? [];
        if (endpointListsEqual(old, now)) continue;
        result.updatedServicePorts.add(key);
        for (const ep of old) {
          if (!ep.serving) continue;
          if (!now.some((n) => n.key === ep.key && n.serving)) result.staleEndpoints.push({ servicePortKey: key, endpoint: ep });
        }
        this.byPort.delete(key);
      }
      for (const [key, eps] of change.current) {
        const old = change.previous.get(key);
        if (!old || !endpointListsEqual(old, eps)) result.updatedServicePorts.add(key);
        this.byPort.set(key, eps);
      }
    }
    return result;
  }
}
