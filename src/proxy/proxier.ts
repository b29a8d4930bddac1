// The Service proxy of one node (upstream kube-proxy's Proxier, pkg/proxy/iptables/
// proxier.go in shape): informers feed two change trackers; a bounded-frequency runner
// calls syncProxyRules, which applies the trackers to the service and endpoints maps,
// asks topology.ts which endpoints each changed Service port may use, and hands that
// to the backend. Work per sync is proportional to what changed, except for a full
// sync after a failure (or once per fullSyncPeriodMs), which re-programs everything.
import type { EndpointSlice, Service } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Informer } from '../client/informer.js';
import { InformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';
import type { EndpointInfo } from './endpoint.js';
import { EndpointsChangeTracker } from './endpoints-change-tracker.js';
import { EndpointsMap } from './endpoints-map.js';
import { ServiceHealthServer } from './healthcheck/service-health-server.js';
import { prometheusText, snapshotMetrics, SyncMetrics, type ProxyMetricsSnapshot } from './metrics.js';
import type { ProxyBackend, ServicePortProgram } from './provider.js';
import { ServiceChangeTracker } from './service-change-tracker.js';
import { ServiceMap } from './service-map.js';
import { maxResourceVersion } from './resource-version.js';
import type { BalanceMode, ServicePortInfo } from './service-port.js';
import { servicePortProgram } from './topology.js';
import { UserspaceBackend } from './userspace/userspace-backend.js';
import type { StreamHandle } from './userspace/libuv-stream.js';
import type { ClientIPPolicy } from './userspace/tcp-listener.js';

export interface ProxierOptions {
  /** The proxier builds and starts its own informers from this client… */
  client?: ApiClient;
  /** …or uses shared ones (the caller starts the factory, as for controllers). */
  informers?: InformerFactory;
  nodeName: string;
  /** The node's addresses: NodePorts and health-check node ports listen on them. */
  nodeIPs: readonly string[];
  /** Extra addresses for NodePorts and health checks, e.g. 127.0.0.1 for host access (kind's port mappings). */
  hostIPs?: readonly string[];
  /** The node's labels, for topology-aware routing (topology.kubernetes.io/zone). */
  nodeLabels?: Record<string, string>;
  /** Default balancing; a Service overrides it with the kanzen.io/proxy-balance annotation. */
  balance?: BalanceMode;
  logger?: Logger;
  /**
   * Where to listen for a virtual IP (ClusterIP, externalIP, LoadBalancer IP). Default:
   * the IP itself (inside a node namespace with `ip route add local <service CIDR> dev lo`).
   * Tests map 10.96.a.b to a 127.x address, since the root namespace has only loopback.
   */
  listenAddressFor?: (virtualIP: string) => string;
  /** Upstream --iptables-min-sync-period (default here 0: a local cluster wants changes at once). */
  minSyncPeriodMs?: number;
  /** Upstream --iptables-sync-period: a sync at least this often (default 30 s). */
  syncPeriodMs?: number;
  /** Upstream FullSyncPeriod (1 hour): partial syncs otherwise. */
  fullSyncPeriodMs?: number;
  /** Delay before retrying after a failed sync (default 1 s). */
  retryPeriodMs?: number;
  udpIdleTimeoutMs?: number;
  dropTimeoutMs?: number;
  /** Client IP preservation (userspace/client-ip-policy.ts); absent: endpoints see the node's address. */
  preserveClientIP?: ClientIPPolicy;
  /** Asks the daemon for a host socket this node gave back (see UserspaceBackend.adoptHostSocket). */
  requestHostSocket?: (ip: string, port: number) => void;
  now?: () => number;
  random?: () => number;
  /** A backend other than userspace (tests). */
  backend?: ProxyBackend;
}

export interface EndpointsChangedEvent {
  /** Keys of the Service ports just (re)programmed. */
  servicePorts: string[];
}

/** "ns/name" of a Service port key ("ns/name:port/PROTO" or "ns/name/PROTO"). */
export function serviceKeyOfPortKey(key: string): string {
  const noProto = key.slice(0, key.lastIndexOf('/'));
  const colon = noProto.indexOf(':');
  return colon < 0 ? noProto : noProto.slice(0, colon);
}

export class Proxier {
  private readonly serviceTracker = new ServiceChangeTracker();
  private readonly endpointsTracker = new EndpointsChangeTracker();
  private readonly serviceMap = new ServiceMap();
  private readonly endpointsMap = new EndpointsMap();
  private readonly syncMetrics = new SyncMetrics();
  private readonly informers: InformerFactory;
  private readonly ownsInformers: boolean;
  private readonly servicesInformer: Informer<Service>;
  private readonly slicesInformer: Informer<EndpointSlice>;
  private readonly runner: BoundedFrequencyRunner;
  private readonly backend: ProxyBackend;
  private readonly health: ServiceHealthServer;
  private readonly log: Logger;
  private readonly now: () => number;
  private needFullSync = true;
  private lastFullSync = -Infinity;
  private syncedOnce = false;
  private stopped = false;
  private readonly syncWaiters: (() => void)[] = [];
  private readonly listeners = new Set<(ev: EndpointsChangedEvent) => void>();
  private readonly syncedListeners = new Set<(appliedSlicesRV: string) => void>();
  /**
   * Highest EndpointSlice resourceVersion handed to the change tracker, and the highest one
   * a successful sync has programmed. The slices watch is ordered, so "applied N" means every
   * slice write up to N reached the data plane (the zero-loss termination protocol).
   */
  private seenSlicesRV = '';
  private appliedSlicesRV = '';
  /** Local ready endpoints per Service port, and their sum per Service (health checks). */
  private readonly localReadyByPort = new Map<string, number>();
  private readonly localReadyByService = new Map<string, number>();
  private readonly healthCheckPorts = new Map<string, number>();

  constructor(private readonly opts: ProxierOptions) {
    if (!opts.informers && !opts.client) throw new Error('Proxier needs a client or informers');
    this.log = (opts.logger ?? silentLogger).child('proxy');
    this.now = opts.now ?? Date.now;
    this.ownsInformers = !opts.informers;
    this.informers = opts.informers ?? new InformerFactory(opts.client!, opts.logger);
    this.servicesInformer = this.informers.for<Service>(resourceFor('services'));
    this.slicesInformer = this.informers.for<EndpointSlice>(resourceFor('endpointslices', 'discovery.k8s.io'));
    const nodePortAddresses = [...new Set([...opts.nodeIPs, ...(opts.hostIPs ?? [])])];
    this.backend =
      opts.backend ??
      new UserspaceBackend({
        nodePortAddresses,
        listenAddressFor: opts.listenAddressFor,
        balance: opts.balance,
        logger: this.log,
        now: this.now,
        random: opts.random,
        udpIdleTimeoutMs: opts.udpIdleTimeoutMs,
        dropTimeoutMs: opts.dropTimeoutMs,
        preserveClientIP: opts.preserveClientIP,
        requestHostSocket: opts.requestHostSocket,
      });
    this.health = new ServiceHealthServer({ addresses: nodePortAddresses, proxyHealthy: () => this.syncedOnce && !this.stopped, logger: this.log });
    this.runner = new BoundedFrequencyRunner('sync-runner', () => this.syncProxyRules(), {
      minIntervalMs: opts.minSyncPeriodMs ?? 0,
      maxIntervalMs: opts.syncPeriodMs ?? 30_000,
      retryIntervalMs: opts.retryPeriodMs ?? 1000,
      logger: this.log,
      now: this.now,
    });
  }

  start(): void {
    this.servicesInformer.addHandlers({
      add: (svc) => this.onServiceChange(undefined, svc),
      update: (oldSvc, svc) => this.onServiceChange(oldSvc, svc),
      delete: (svc) => this.onServiceChange(svc, undefined),
    });
    this.slicesInformer.addHandlers({
      add: (s) => this.onSliceChange(s, false),
      update: (_old, s) => this.onSliceChange(s, false),
      delete: (s) => this.onSliceChange(s, true),
    });
    this.runner.start();
    // syncProxyRules returns early until both informers have synced; run once they have.
    void Promise.all([this.servicesInformer.waitForSync(), this.slicesInformer.waitForSync()]).then(() => this.runner.run());
    if (this.ownsInformers) this.informers.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.runner.stop();
    if (this.ownsInformers) this.informers.stop();
    this.health.close();
    await this.backend.stop();
  }

  /** Resolves after the first successful sync. */
  waitForSync(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  /**
   * True while this proxy may still send new connections to the endpoint (an IP, and
   * optionally a port). A pod being deleted can get SIGTERM once every node's proxy
   * answers false: it will receive no new connection, only finish the ones it has.
   */
  /** See UserspaceBackend.adoptHostSocket. */
  adoptHostSocket(ip: string, port: number, handle: StreamHandle): void {
    if (this.backend.adoptHostSocket) this.backend.adoptHostSocket(ip, port, handle);
    else handle.close();
  }

  releaseHostSocket(ip: string, port: number): void {
    this.backend.releaseHostSocket?.(ip, port);
  }

  routesNewConnectionsTo(ip: string, port?: number): boolean {
    return this.backend.routesNewConnectionsTo(ip, port);
  }

  /** Calls fn after each sync that programmed some Service ports; returns an unsubscribe function. */
  onEndpointsChanged(fn: (ev: EndpointsChangedEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The highest EndpointSlice resourceVersion whose content this proxy has programmed ('' before the first sync). */
  appliedEndpointSlicesResourceVersion(): string {
    return this.appliedSlicesRV;
  }

  /** Calls fn after each successful sync that advanced appliedEndpointSlicesResourceVersion(); returns an unsubscribe function. */
  onSynced(fn: (appliedSlicesRV: string) => void): () => void {
    this.syncedListeners.add(fn);
    return () => this.syncedListeners.delete(fn);
  }

  metrics(): ProxyMetricsSnapshot {
    return snapshotMetrics(this.backend.statsSources(), this.syncMetrics, this.backend.acceptErrors?.());
  }

  prometheusMetrics(): string {
    return prometheusText(this.metrics(), this.syncMetrics);
  }

  /** Asks for a sync (merged with other requests by the runner). */
  requestSync(): void {
    this.runner.run();
  }

  private onServiceChange(previous: Service | undefined, current: Service | undefined): void {
    if (this.serviceTracker.update(previous, current)) this.runner.run();
  }

  private onSliceChange(slice: EndpointSlice, remove: boolean): void {
    const before = this.seenSlicesRV;
    this.seenSlicesRV = maxResourceVersion(this.seenSlicesRV, slice.metadata.resourceVersion);
    // A write that changes nothing here still has to be acknowledged as applied: a
    // terminating pod's kubelet may be waiting for exactly this revision.
    if (this.endpointsTracker.endpointSliceUpdate(slice, remove) || this.seenSlicesRV !== before) this.runner.run();
  }

  /** Programs the backend from the maps; partial unless a full sync is due. Public for tests. */
  async syncProxyRules(): Promise<void> {
    if (this.stopped) return;
    if (!this.servicesInformer.hasSynced() || !this.slicesInformer.hasSynced()) {
      this.log.debug('not syncing: informers not synced yet');
      return;
    }
    const start = this.now();
    // Everything the tracker holds now is applied by this sync (handlers run synchronously).
    const slicesRV = this.seenSlicesRV;
    const full = this.needFullSync || start - this.lastFullSync >= (this.opts.fullSyncPeriodMs ?? 3_600_000);
    const svcResult = this.serviceMap.update(this.serviceTracker);
    const epResult = this.endpointsMap.update(this.endpointsTracker);
    this.syncMetrics.serviceChanges += svcResult.updatedServices.size;
    this.syncMetrics.endpointChanges += epResult.updatedServices.size;

    const keys = new Set<string>(svcResult.updatedServicePorts);
    for (const k of epResult.updatedServicePorts) keys.add(k);
    if (full) {
      for (const k of this.serviceMap.keys()) keys.add(k);
      for (const k of this.backend.programmedServicePorts()) keys.add(k);
    }

    const errors: string[] = [];
    const results = await Promise.allSettled(
      [...keys].map((key) => {
        const info = this.serviceMap.get(key);
        const endpoints = this.endpointsMap.get(key);
        this.updateLocalReady(key, endpoints);
        return this.backend.syncServicePort(key, info ? this.programFor(info, endpoints) : undefined);
      }),
    );
    for (const r of results) if (r.status === 'rejected') errors.push(String((r.reason as Error)?.message ?? r.reason));
    let committed = true;
    if (this.backend.commit) {
      try {
        await this.backend.commit();
      } catch (e) {
        committed = false;
        errors.push((e as Error).message);
      }
    }

    const hcServices = full ? new Set([...this.healthCheckPorts.keys(), ...[...this.serviceMap.values()].map((i) => i.serviceKey)]) : svcResult.updatedServices;
    for (const svcKey of hcServices) {
      const port = this.serviceMap.portsOfService(svcKey).find((p) => p.healthCheckNodePort)?.healthCheckNodePort;
      if (port) this.healthCheckPorts.set(svcKey, port);
      else this.healthCheckPorts.delete(svcKey);
    }
    if (hcServices.size) {
      try {
        await this.health.syncServices(this.healthCheckPorts);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    this.health.syncEndpoints(this.localReadyByService);

    const end = this.now();
    const seconds = (end - start) / 1000;
    this.syncMetrics.syncDuration.observe(seconds);
    (full ? this.syncMetrics.fullSyncDuration : this.syncMetrics.partialSyncDuration).observe(seconds);

    if (errors.length) {
      this.needFullSync = true;
      this.syncMetrics.syncFailures++;
      this.log.warn('sync failed; retrying with a full sync', { errors });
      this.runner.retryAfter(this.opts.retryPeriodMs ?? 1000);
    } else {
      if (full) {
        this.needFullSync = false;
        this.lastFullSync = start;
      }
      this.syncMetrics.lastSyncTimestampSeconds = end / 1000;
      for (const times of epResult.lastChangeTriggerTimes.values()) {
        for (const t of times) this.syncMetrics.networkProgramming.observe(Math.max(0, (end - t.getTime()) / 1000));
      }
    }
    if (keys.size) {
      const ev: EndpointsChangedEvent = { servicePorts: [...keys] };
      for (const fn of this.listeners) {
        try {
          fn(ev);
        } catch (e) {
          this.log.error('onEndpointsChanged listener failed', { err: e });
        }
      }
    }
    // Even a sync with errors applied the endpoint sets: a backend programs a port's route
    // before it opens listeners, and only listening fails (a port in use), so a stuck
    // listener does not hold every terminating pod to the drain timeout.
    // A commit that failed applied nothing: the revision is not programmed yet.
    if (committed && slicesRV !== this.appliedSlicesRV) {
      this.appliedSlicesRV = maxResourceVersion(this.appliedSlicesRV, slicesRV);
      for (const fn of this.syncedListeners) {
        try {
          fn(this.appliedSlicesRV);
        } catch (e) {
          this.log.error('onSynced listener failed', { err: e });
        }
      }
    }
    if (!errors.length && !this.syncedOnce) {
      this.syncedOnce = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private programFor(info: ServicePortInfo, endpoints: readonly EndpointInfo[]): ServicePortProgram {
    return servicePortProgram(info, endpoints, this.opts.nodeName, this.opts.nodeLabels);
  }

  /** Upstream EndpointsMap.LocalReadyEndpoints, kept incrementally: local ready endpoints summed over a Service's ports. */
  private updateLocalReady(portKey: string, endpoints: readonly EndpointInfo[]): void {
    let n = 0;
    for (const ep of endpoints) if (ep.ready && ep.nodeName === this.opts.nodeName) n++;
    const before = this.localReadyByPort.get(portKey) ?? 0;
    if (n === before) return;
    const svcKey = serviceKeyOfPortKey(portKey);
    const total = (this.localReadyByService.get(svcKey) ?? 0) - before + n;
    if (n) this.localReadyByPort.set(portKey, n);
    else this.localReadyByPort.delete(portKey);
    if (total) this.localReadyByService.set(svcKey, total);
    else this.localReadyByService.delete(svcKey);
  }
}
