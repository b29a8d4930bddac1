// The groups the API server serves itself behind an APIService (upstream: kube-aggregator's
// APIService handler manager, which adds a group to discovery and routing while its APIService
// exists and answers 503 while it is not Available, and its availability controllers, which
// write that condition). kanzen has no aggregated API servers: it serves metrics.k8s.io itself
// (metrics-server's role) and registers it through v1beta1.metrics.k8s.io exactly as a cluster
// with metrics-server does, so deleting that APIService takes the group out of discovery
// (`kubectl top`: "Metrics API not available") and creating it again brings it back.
import { ApiError } from '../api/errors.js';
import { metricsResources, type ResourceInfo } from '../api/resources.js';
import type { APIService, EndpointSlice, KubeObject, Service } from '../api/types.js';
import type { Watcher } from '../store/store.js';
import type { Logger } from '../util/logger.js';
import { availableCondition, withCondition, type BackingService } from './apiservice-availability.js';
import type { Registry } from './registry.js';
import { resourceModule } from './resources/index.js';
import type { ResourceServer } from './custom-resource-serving.js';

/** The group/versions kanzen serves itself when their APIService exists, by APIService name. */
const servedHere: Record<string, readonly ResourceInfo[]> = {
  'v1beta1.metrics.k8s.io': metricsResources,
};

export function servesItself(apiServiceName: string): boolean {
  return Object.hasOwn(servedHere, apiServiceName);
}

export interface APIServiceServingDeps {
  registry(resource: string, group?: string): Registry;
  server: ResourceServer;
  logger: Logger;
  now?: () => Date;
}

const ctx = { dryRun: false, fieldManager: 'kube-apiserver', subresource: 'status' };

export class APIServiceServing {
  /** The APIServices as last seen, by name. */
  private readonly apiServices = new Map<string, APIService>();
  private readonly served = new Set<string>();
  private readonly watchers: Watcher[] = [];
  private syncing?: Promise<void>;
  private resync = false;

  constructor(private readonly deps: APIServiceServingDeps) {}

  async start(): Promise<void> {
    const apiServices = this.deps.registry('apiservices', 'apiregistration.k8s.io');
    const list = await apiServices.list(undefined);
    for (const s of list.items as APIService[]) this.observe(s, false);
    this.watchers.push(
      apiServices.watch(undefined, Number(list.metadata.resourceVersion), {}, (ev) => {
        this.observe(ev.object as APIService, ev.type === 'DELETED');
        this.requestSync();
      }),
    );
    // A change to a Service an APIService names, or to its endpoints, can change availability.
    for (const [resource, group] of [['services', ''], ['endpointslices', 'discovery.k8s.io']]) {
      const reg = this.deps.registry(resource, group);
      const rv = Number((await reg.list(undefined, { limit: 1 })).metadata.resourceVersion);
      this.watchers.push(reg.watch(undefined, rv, {}, (ev) => this.names(ev.object) && this.requestSync()));
    }
    this.requestSync();
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.stop();
    await this.syncing;
  }

  /**
   * Whether requests to the group/version must be refused with 503, as the aggregator's proxy
   * refuses them for an APIService that is not Available.
   */
  unavailable(group: string, version: string): boolean {
    const svc = this.apiServices.get(`${version}.${group}`);
    if (!svc || !servesItself(svc.metadata.name!)) return false;
    return !svc.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
  }

  /** Serves or stops serving the group of an APIService that came, changed or went. */
  private observe(svc: APIService, deleted: boolean): void {
    const name = svc.metadata.name!;
    if (deleted) this.apiServices.delete(name);
    else this.apiServices.set(name, svc);
    const infos = servedHere[name];
    if (!infos || deleted !== this.served.has(name)) return;
    for (const info of infos) {
      if (deleted) this.deps.server.unserve(info);
      else this.deps.server.serve(info, resourceModule(info));
    }
    if (deleted) this.served.delete(name);
    else this.served.add(name);
    this.deps.logger.info(deleted ? 'APIService removed: group no longer served' : 'APIService registered: serving its group', { apiService: name });
  }

  /** Whether obj is a Service some APIService names, or one of its EndpointSlices. */
  private names(obj: KubeObject): boolean {
    const service = obj.kind === 'EndpointSlice' ? obj.metadata.labels?.['kubernetes.io/service-name'] : obj.metadata.name;
    return [...this.apiServices.values()].some((s) => s.spec.service?.namespace === obj.metadata.namespace && s.spec.service?.name === service);
  }

  /** Runs the availability sync, once more if asked again meanwhile (level-triggered: it syncs every APIService). */
  private requestSync(): void {
    if (this.syncing) {
      this.resync = true;
      return;
    }
    this.syncing = this.syncAll()
      .catch((e) => this.deps.logger.warn('APIService availability sync failed', { err: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        this.syncing = undefined;
        if (this.resync) {
          this.resync = false;
          this.requestSync();
        }
      });
  }

  private async syncAll(): Promise<void> {
    for (const svc of [...this.apiServices.values()]) await this.syncAvailability(svc);
  }

  private async backing(svc: APIService): Promise<BackingService> {
    const ref = svc.spec.service;
    if (!ref?.namespace || !ref.name) return { slices: [] };
    const service = (await this.deps.registry('services').tryGet(ref.namespace, ref.name)) as Service | undefined;
    const slices = ((await this.deps.registry('endpointslices', 'discovery.k8s.io').list(ref.namespace)).items as EndpointSlice[]).filter(
      (s) => s.metadata.labels?.['kubernetes.io/service-name'] === ref.name,
    );
    return { service, slices };
  }

  private async syncAvailability(svc: APIService): Promise<void> {
    const name = svc.metadata.name!;
    const cond = availableCondition(svc, await this.backing(svc), servesItself(name) || !svc.spec.service, (this.deps.now ?? (() => new Date()))());
    if (!withCondition(svc.status?.conditions, cond)) return;
    await this.deps
      .registry('apiservices', 'apiregistration.k8s.io')
      .update(
        undefined,
        name,
        (cur) => {
          if (!cur) throw ApiError.notFound({ group: 'apiregistration.k8s.io', resource: 'apiservices' }, name);
          const conditions = withCondition((cur as APIService).status?.conditions, cond);
          return conditions ? { ...cur, status: { ...(cur as APIService).status, conditions } } : cur;
        },
        ctx,
        true,
      )
      .catch((e: unknown) => {
        // Deleted meanwhile: nothing to mark.
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      });
  }
}
