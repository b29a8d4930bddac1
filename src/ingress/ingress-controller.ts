// The controller half of the kanzen Ingress controller, running beside the proxy in its
// process: informers over Ingresses, IngressClasses, Services, EndpointSlices and Secrets
// feed one bounded-frequency sync (as kube-proxy's), which rebuilds the route table from the
// caches, hands it and the TLS certificates to the proxy, and writes each served Ingress's
// status.loadBalancer. Like ingress-nginx's --publish-service, the address written is the
// one the controller's own LoadBalancer Service was given (its status.loadBalancer.ingress).
import type { EndpointSlice, Ingress, IngressClass, IngressLoadBalancerIngress, Secret, Service } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { Informer } from '../client/informer.js';
import { BoundedFrequencyRunner } from '../proxy/bounded-frequency-runner.js';
import { labelServiceName } from '../proxy/endpoints-change-tracker.js';
import type { Logger } from '../util/logger.js';
import type { BackendSource } from './backend.js';
import type { Certificate, IngressProxy } from './ingress-proxy.js';
import { buildRouteTable, type RouteTable } from './route-table.js';

/** Merges bursts of events (a rollout moves many endpoints) into one table rebuild. */
const defaultMinSyncIntervalMs = 100;
/** A full resync this often, whatever the events said (kube-proxy's sync period is 30s). */
const defaultMaxSyncIntervalMs = 30_000;
const sliceByServiceIndex = 'service';
/** The Secret type whose tls.crt / tls.key a TLS entry uses. */
const secretTypeTLS = 'kubernetes.io/tls';

const ingressesInfo = resourceFor('ingresses', 'networking.k8s.io');

export interface IngressControllerOptions {
  readonly client: ApiClient;
  readonly informers: InformerFactory;
  readonly proxy: IngressProxy;
  readonly logger: Logger;
  /** The LoadBalancer Service whose addresses the Ingresses are published at. */
  readonly publishService: { readonly namespace: string; readonly name: string };
  readonly minSyncIntervalMs?: number;
  readonly maxSyncIntervalMs?: number;
}

/** The PEMs of a kubernetes.io/tls Secret, or undefined when it is not one. */
export function certificateFromSecret(s: Secret | undefined): Certificate | undefined {
  if (!s || s.type !== secretTypeTLS || !s.data?.['tls.crt'] || !s.data['tls.key']) return undefined;
  return { cert: Buffer.from(s.data['tls.crt'], 'base64').toString(), key: Buffer.from(s.data['tls.key'], 'base64').toString() };
}

/** Addresses equal as status compares them (ip, hostname, in order). */
function sameAddresses(a: readonly IngressLoadBalancerIngress[], b: readonly IngressLoadBalancerIngress[]): boolean {
  return a.length === b.length && a.every((x, i) => (x.ip ?? '') === (b[i].ip ?? '') && (x.hostname ?? '') === (b[i].hostname ?? ''));
}

export class IngressController {
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly secrets: Informer<Secret>;
  private readonly runner: BoundedFrequencyRunner;
  private lastTable?: RouteTable;

  constructor(private readonly opts: IngressControllerOptions) {
    const f = opts.informers;
    this.ingresses = f.for<Ingress>(ingressesInfo);
    this.classes = f.for<IngressClass>(resourceFor('ingressclasses', 'networking.k8s.io'));
    this.services = f.for<Service>(resourceFor('services'));
    this.slices = f.for<EndpointSlice>(resourceFor('endpointslices', 'discovery.k8s.io'));
    this.secrets = f.for<Secret>(resourceFor('secrets'));
    this.slices.addIndex(sliceByServiceIndex, (s) => {
      const svc = s.metadata.labels?.[labelServiceName];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    this.runner = new BoundedFrequencyRunner('ingress-sync', () => this.sync(), {
      minIntervalMs: opts.minSyncIntervalMs ?? defaultMinSyncIntervalMs,
      maxIntervalMs: opts.maxSyncIntervalMs ?? defaultMaxSyncIntervalMs,
      logger: opts.logger,
    });
    // Handlers only ask for a sync; the sync reads the caches.
    const request = { add: () => this.runner.run(), update: () => this.runner.run(), delete: () => this.runner.run() };
    for (const inf of [this.ingresses, this.classes, this.services, this.slices, this.secrets] as Informer[]) inf.addHandlers(request);
  }

  /** Starts the sync loop; the informers are started by the factory's owner. */
  start(): void {
    this.runner.start();
  }

  stop(): void {
    this.runner.stop();
  }

  /** The table the proxy serves now (undefined before the first sync). */
  get routeTable(): RouteTable | undefined {
    return this.lastTable;
  }

  private synced(): boolean {
    return [this.ingresses, this.classes, this.services, this.slices, this.secrets].every((i) => (i as Informer).hasSynced());
  }

  private async sync(): Promise<void> {
    // Until every cache has its first list, a table would route part of the cluster only.
    if (!this.synced()) return this.runner.retryAfter(defaultMinSyncIntervalMs);
    const source: BackendSource = {
      service: (ns, name) => this.services.getByName(ns, name),
      endpointSlices: (ns, name) => this.slices.byIndex(sliceByServiceIndex, `${ns}/${name}`),
    };
    const table = buildRouteTable({ ingresses: this.ingresses.list(), classes: this.classes.list(), source });
    const certificates = new Map<string, Certificate>();
    for (const { secret } of table.tls.values()) {
      const [ns, name] = secret.split('/');
      const cert = certificateFromSecret(this.secrets.getByName(ns, name));
      if (cert) certificates.set(secret, cert);
      else this.opts.logger.warn('TLS secret missing or not of type kubernetes.io/tls; serving the default certificate', { secret });
    }
    this.opts.proxy.update(table, certificates);
    this.lastTable = table;
    await this.publishStatus(table);
  }

  /** Writes the controller's addresses into the status of every served Ingress that lacks them. */
  private async publishStatus(table: RouteTable): Promise<void> {
    const { namespace, name } = this.opts.publishService;
    const lb = this.services.getByName(namespace, name)?.status?.loadBalancer?.ingress ?? [];
    const addresses: IngressLoadBalancerIngress[] = lb.map((a) => (a.ip ? { ip: a.ip } : { hostname: a.hostname }));
    for (const key of table.ingresses) {
      const [ns, ingName] = key.split('/');
      const ing = this.ingresses.getByName(ns, ingName);
      if (!ing || sameAddresses(ing.status?.loadBalancer?.ingress ?? [], addresses)) continue;
      const updated: Ingress = { ...ing, status: { ...ing.status, loadBalancer: addresses.length ? { ingress: addresses } : {} } };
      try {
        await this.opts.client.updateStatus<Ingress>(ingressesInfo, updated);
      } catch (err) {
        // A conflict means a newer copy is on its way to the cache, which will ask for another sync.
        this.opts.logger.info('Ingress status update failed; will retry', { ingress: key, error: String(err) });
        this.runner.retryAfter(defaultMinSyncIntervalMs * 10);
      }
    }
  }
}
