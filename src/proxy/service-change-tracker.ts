// Service change tracker (upstream pkg/proxy/servicechangetracker.go): remembers, per
// Service, the ports as they were at the last applied sync (`previous`) and as they
// are now (`current`). A change that returns to the applied state cancels itself, so
// a sync is needed only when something really differs.
import type { Service } from '../api/types.js';
import { servicePortMapsEqual, servicePortsOf, type ServicePortInfo } from './service-port.js';

export type ServicePortMap = Map<string, ServicePortInfo>;

export interface ServiceChange {
  readonly previous: ServicePortMap;
  readonly current: ServicePortMap;
}

function serviceKeyOf(svc: Service): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

export class ServiceChangeTracker {
  private changes = new Map<string, { previous: ServicePortMap; current: ServicePortMap }>();

  /**
   * Records a Service event (previous undefined = add, current undefined = delete).
   * Returns true when a sync is needed (some change is pending).
   */
  update(previous: Service | undefined, current: Service | undefined): boolean {
    const svc = current ?? previous;
    if (!svc) return this.changes.size > 0;
    const key = serviceKeyOf(svc);
    let change = this.changes.get(key);
    if (!change) {
      change = { previous: servicePortsOf(previous), current: new Map() };
      this.changes.set(key, change);
    }
    change.current = servicePortsOf(current);
    if (servicePortMapsEqual(change.previous, change.current)) this.changes.delete(key);
    return this.changes.size > 0;
  }

  pending(): boolean {
    return this.changes.size > 0;
  }

  /** Hands over the pending changes (by Service key) and starts afresh. */
  checkout(): Map<string, ServiceChange> {
    const out = this.changes;
    this.changes = new Map();
    return out;
  }
}
