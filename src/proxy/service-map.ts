// Service port map (upstream ServicePortMap.Update): applies a tracker's changes and
// reports which Service ports were touched, so the sync works only on those.
import type { ServiceChangeTracker } from './service-change-tracker.js';
import { servicePortInfoEqual, type ServicePortInfo } from './service-port.js';

export interface UpdateServiceMapResult {
  /** Keys of Service ports added, changed or removed. */
  updatedServicePorts: Set<string>;
  /** Keys of the Services whose ports changed ("ns/name"). */
  updatedServices: Set<string>;
  /** ClusterIPs of removed UDP ports (upstream DeletedUDPClusterIPs): their flows must go. */
  deletedUDPClusterIPs: Set<string>;
}

export class ServiceMap {
  private readonly ports = new Map<string, ServicePortInfo>();
  /** Service key → its port keys, so per-Service questions cost that Service's size. */
  private readonly byService = new Map<string, Set<string>>();

  get(key: string): ServicePortInfo | undefined {
    return this.ports.get(key);
  }

  keys(): IterableIterator<string> {
    return this.ports.keys();
  }

  values(): IterableIterator<ServicePortInfo> {
    return this.ports.values();
  }

  get size(): number {
    return this.ports.size;
  }

  portsOfService(serviceKey: string): ServicePortInfo[] {
    return [...(this.byService.get(serviceKey) ?? [])].map((k) => this.ports.get(k)!);
  }

  update(tracker: ServiceChangeTracker): UpdateServiceMapResult {
    const result: UpdateServiceMapResult = { updatedServicePorts: new Set(), updatedServices: new Set(), deletedUDPClusterIPs: new Set() };
    for (const [svcKey, change] of tracker.checkout()) {
      result.updatedServices.add(svcKey);
      for (const [key, old] of change.previous) {
        const now = change.current.get(key);
        if (now && servicePortInfoEqual(old, now)) continue;
        result.updatedServicePorts.add(key);
        if (!now && old.protocol === 'UDP') for (const ip of old.clusterIPs) result.deletedUDPClusterIPs.add(ip);
        this.ports.delete(key);
      }
      for (const [key, info] of change.current) {
        const old = change.previous.get(key);
        if (!old || !servicePortInfoEqual(old, info)) result.updatedServicePorts.add(key);
        this.ports.set(key, info);
      }
      if (change.current.size) this.byService.set(svcKey, new Set(change.current.keys()));
      else this.byService.delete(svcKey);
    }
    return result;
  }
}
