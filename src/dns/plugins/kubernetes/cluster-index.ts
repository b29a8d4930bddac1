// The records index (CoreDNS's dnsController caches): minimal Service, EndpointSlice and
// Pod records indexed by name and by IP. Every change reports which answer groups it
// invalidates (svc:ns/name, ip:addr, pod:ns, or everything for namespaces), so the
// handler's precomputed answers stay exact without being rebuilt wholesale.
import type { ClusterView } from './lookup.js';
import { canonicalIP } from './lookup.js';
import type { EndpointsRecord, PodRecord, ServiceRecord } from './records.js';

export type InvalidateFn = (owners: string[] | 'all') => void;

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (!s.size) m.delete(k);
}

export class ClusterIndex implements ClusterView {
  private readonly services = new Map<string, ServiceRecord>();
  /** Service key → slice name → record. */
  private readonly slices = new Map<string, Map<string, EndpointsRecord>>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly namespaces = new Set<string>();
  private readonly svcByIP = new Map<string, Set<string>>();
  private readonly epByIP = new Map<string, Set<string>>();
  private readonly podByIP = new Map<string, Set<string>>();
  private modified = 0;
  private readonly listeners: InvalidateFn[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Subscribes to invalidations; returns the unsubscribe function. */
  onInvalidate(fn: InvalidateFn): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private changed(owners: string[] | 'all'): void {
    this.modified = Math.floor(this.now() / 1000);
    for (const l of this.listeners) l(owners);
  }

  // ---- ClusterView ----
  namespaceExists(ns: string): boolean {
    return this.namespaces.has(ns);
  }
  service(ns: string, name: string): ServiceRecord | undefined {
    return this.services.get(`${ns}/${name}`);
  }
  endpoints(ns: string, service: string): EndpointsRecord[] {
    const m = this.slices.get(`${ns}/${service}`);
    return m ? [...m.values()] : [];
  }
  servicesByIP(ip: string): ServiceRecord[] {
    return [...(this.svcByIP.get(ip) ?? [])].map((k) => this.services.get(k)!).filter(Boolean);
  }
  endpointsByIP(ip: string): EndpointsRecord[] {
    const out: EndpointsRecord[] = [];
    for (const k of this.epByIP.get(ip) ?? []) for (const r of this.slices.get(k)?.values() ?? []) if (r.addresses.some((a) => a.ip === ip)) out.push(r);
    return out;
  }
  podsByIP(ip: string): PodRecord[] {
    return [...(this.podByIP.get(ip) ?? [])].map((k) => this.pods.get(k)!).filter(Boolean);
  }
  serial(): number {
    return this.modified;
  }

  // ---- mutations (from informers) ----
  setNamespace(name: string, exists: boolean): void {
    if (exists === this.namespaces.has(name)) return;
    if (exists) this.namespaces.add(name);
    else this.namespaces.delete(name);
    this.changed('all');
  }

  setService(key: string, rec: ServiceRecord | undefined): void {
    const old = this.services.get(key);
    const owners = [`svc:${key}`];
    for (const ip of old?.clusterIPs ?? []) {
      removeFrom(this.svcByIP, canonicalIP(ip), key);
      owners.push(`ip:${canonicalIP(ip)}`);
    }
    if (rec) {
      this.services.set(key, rec);
      for (const ip of rec.clusterIPs) {
        addTo(this.svcByIP, canonicalIP(ip), key);
        owners.push(`ip:${canonicalIP(ip)}`);
      }
    } else this.services.delete(key);
    // The cluster DNS Service's own IPs answer ns.dns.<zone>.
    if (key === 'kube-system/kube-dns') owners.push('static');
    this.changed(owners);
  }

  /** sliceKey is ns/sliceName; rec undefined deletes. */
  setEndpointSlice(sliceKey: string, rec: EndpointsRecord | undefined, previousService?: string): void {
    const [ns, sliceName] = sliceKey.split('/');
    const owners: string[] = [];
    const drop = (svcKey: string) => {
      const m = this.slices.get(svcKey);
      const old = m?.get(sliceName);
      if (!m || !old) return;
      m.delete(sliceName);
      if (!m.size) this.slices.delete(svcKey);
      owners.push(`svc:${svcKey}`);
      for (const a of old.addresses) {
        const ip = canonicalIP(a.ip);
        owners.push(`ip:${ip}`);
        if (![...(this.slices.get(svcKey)?.values() ?? [])].some((r) => r.addresses.some((x) => canonicalIP(x.ip) === ip))) removeFrom(this.epByIP, ip, svcKey);
      }
    };
    if (previousService) drop(`${ns}/${previousService}`);
    if (rec) {
      const svcKey = `${ns}/${rec.service}`;
      drop(svcKey);
      let m = this.slices.get(svcKey);
      if (!m) this.slices.set(svcKey, (m = new Map()));
      const canon = { ...rec, addresses: rec.addresses.map((a) => ({ ...a, ip: canonicalIP(a.ip) })) };
      m.set(sliceName, canon);
      owners.push(`svc:${svcKey}`);
      for (const a of canon.addresses) {
        addTo(this.epByIP, a.ip, svcKey);
        owners.push(`ip:${a.ip}`);
      }
    }
    this.changed(owners);
  }

  setPod(key: string, rec: PodRecord | undefined): void {
    const old = this.pods.get(key);
    const owners: string[] = [];
    for (const ip of old?.ips ?? []) removeFrom(this.podByIP, canonicalIP(ip), key);
    if (old) owners.push(`pod:${old.namespace}`);
    if (rec) {
      this.pods.set(key, rec);
      for (const ip of rec.ips) addTo(this.podByIP, canonicalIP(ip), key);
      owners.push(`pod:${rec.namespace}`);
    } else this.pods.delete(key);
    if (owners.length) this.changed(owners);
  }
}
