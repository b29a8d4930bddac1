// The API server: HTTPS on 127.0.0.1 for kubectl (bearer token), plain HTTP on a unix
// socket (mode 0600) for the cluster's own components. Routes non-resource paths
// (version, health, discovery, OpenAPI) and hands resource paths to the resource handler.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../api/errors.js';
import type { Endpoints, KubeObject, Namespace, Pod, Service } from '../api/types.js';
import { addResource, findResource, removeResource, resources, type ResourceInfo } from '../api/resources.js';
import { CustomResourceServing } from './custom-resource-serving.js';
import { APIServiceServing } from './apiservice-serving.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/logger.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { openapiV2Json, openapiV2Protobuf, openapiV3Document, openapiV3Index } from './openapi.js';
import { sendError, sendJSON, sendText } from './http.js';
import { inProcessServer, type InProcessConnections } from './in-process.js';
import type { InProcessServer } from '../client/transport.js';
import { Registry } from './registry.js';
import { ComputedRegistry } from './computed-registry.js';
import { MetricsScraper } from './metrics/metrics-scraper.js';
import { watchScrapeTriggers } from './metrics/scrape-triggers.js';
import type { Watcher } from '../store/store.js';
import type { NodeResourceUsage } from '../api/node-resource-usage.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { handleResource } from './resource-handler.js';
import {
  admitCreate as admitResource,
  applyDefaults,
  computedSource,
  conversionFor,
  dropResourceModule,
  setResourceModule,
  strategyFor,
  subresourceHandlers,
  upgradeHandlers,
  type HandlerDeps,
  type ResourceModule,
  type StrategyDeps,
  type SubresourceHandler,
  type UpgradeHandler,
} from './resources/index.js';
import { ServiceAllocator } from './allocators/service-allocation.js';
import { ClusterIPAllocator } from './allocators/clusterip-allocator.js';
import { NodePortAllocator } from './allocators/nodeport-allocator.js';
import type { PodStreamingDeps } from './pod-streaming-proxy.js';
import { admitResourceQuota } from './resourcequota-admission.js';
import type { ProxyDeps } from './proxy-subresource.js';
import { ServiceAccountTokens } from './serviceaccount-token.js';
import { adminUser, type UserInfo } from './user-info.js';
import { requestAttributes, type Attributes } from './authorization/attributes.js';
import { impersonate } from './authorization/impersonation.js';
import { forbidden } from './authorization/forbidden.js';
import { RBACAuthorizer } from './authorization/rbac-authorizer.js';
import { registryRuleSource } from './authorization/registry-rule-source.js';

/** The Kubernetes version kanzen is compatible with; the kubectl dispatcher picks its client by the minor. */
export const kubernetesVersion = { major: '1', minor: '33', gitVersion: 'v1.33.0+kanzen' };

export interface ApiServerOptions {
  store: Store;
  logger: Logger;
  /** Bearer token kubectl must present on the TCP listener. */
  token: string;
  /** The HTTPS listener for kubectl; absent in tests that use only the unix socket. */
  tls?: { cert: string; key: string };
  host?: string;
  port?: number;
  /** Unix socket for the cluster's components (no token: protected by file mode 0600). */
  socketPath?: string;
  serviceCIDR: string;
  nodePortRange: string;
  /** PEM key that signs service account tokens; absent: no TokenRequest, only the admin token. */
  serviceAccountKey?: string;
}

/** Paths anyone may read without a token, as the apiserver's system:public-info-viewer allows. */
const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);

export class ApiServer {
  readonly registries = new Map<ResourceInfo, Registry>();
  /** Each resource's subresources with handlers of their own (binding, log, proxy, token, …). */
  private readonly handlers = new Map<ResourceInfo, Record<string, SubresourceHandler>>();
  /** Each resource's subresources over upgraded connections (exec, attach, portforward). */
  private readonly upgrades = new Map<ResourceInfo, Record<string, UpgradeHandler>>();
  /** What resource modules' handlers and admission use of this server. */
  private readonly handlerDeps: HandlerDeps;
  readonly serviceAllocation: ServiceAllocator;
  private tcpServer?: https.Server;
  private readonly extraServers: https.Server[] = [];
  private unixServer?: http.Server;
  private inProcessConnections?: InProcessConnections;
  private readonly tokenBuf: Buffer;
  private readonly saTokens?: ServiceAccountTokens;
  /** RBAC over this server's own Roles and bindings; the unix socket and in-process clients bypass it. */
  readonly authorizer = new RBACAuthorizer(registryRuleSource((resource, group) => this.registry(resource, group)));
  private ready = false;
  private readonly strategyDeps: StrategyDeps;
  private readonly customResources: CustomResourceServing;
  private readonly apiServiceServing: APIServiceServing;
  /** Where a node's kubelet server listens (logs/exec/attach are proxied there). */
  private kubeletSocket: (nodeName: string) => string | undefined = () => undefined;
  private metricsScraper?: MetricsScraper;
  private scrapeTriggers?: Promise<Watcher[]>;

  constructor(private readonly opts: ApiServerOptions) {
    this.tokenBuf = Buffer.from(opts.token);
    if (opts.serviceAccountKey) this.saTokens = new ServiceAccountTokens(opts.serviceAccountKey);
    this.serviceAllocation = new ServiceAllocator(new ClusterIPAllocator(opts.serviceCIDR), new NodePortAllocator(opts.nodePortRange));
    const deps: StrategyDeps = { serviceAllocation: this.serviceAllocation, mountServiceAccountTokens: !!this.saTokens };
    this.strategyDeps = deps;
    this.handlerDeps = {
      registry: (resource, group) => this.registry(resource, group),
      serviceAccountTokens: this.saTokens,
      proxy: () => this.proxyDeps(),
      podStreaming: () => this.podStreaming(),
      admitCreate: (info, namespace, name) => this.admitCreate(info, namespace, name),
      resourceMetrics: () => this.metricsScraper?.pairs() ?? [],
    };
    for (const info of resources) this.buildRegistry(info);
    this.customResources = new CustomResourceServing(this.registry('customresourcedefinitions', 'apiextensions.k8s.io'), {
      serve: (info, module) => this.serveResource(info, module),
      unserve: (info) => this.unserveResource(info),
    }, opts.logger);
    this.apiServiceServing = new APIServiceServing({
      registry: (resource, group) => this.registry(resource, group),
      server: { serve: (info, module) => this.serveResource(info, module), unserve: (info) => this.unserveResource(info) },
      logger: opts.logger.child('apiservices'),
    });
  }

  private buildRegistry(info: ResourceInfo): void {
    const strategy = strategyFor(info, this.strategyDeps, this.handlerDeps);
    const stored = new Registry(info, strategy, this.opts.store, (obj) => applyDefaults(info, obj), undefined, conversionFor(info));
    const computed = computedSource(info, this.handlerDeps);
    this.registries.set(info, computed ? new ComputedRegistry(stored, computed) : stored);
    this.handlers.set(info, subresourceHandlers(info, this.handlerDeps));
    this.upgrades.set(info, upgradeHandlers(info, this.handlerDeps));
  }

  /** Serves a resource defined at run time (a custom resource) with its module, through the same registry and handlers. */
  serveResource(info: ResourceInfo, module: ResourceModule): void {
    setResourceModule(info, module);
    this.buildRegistry(info);
    addResource(info);
  }

  unserveResource(info: ResourceInfo): void {
    removeResource(info);
    this.registries.delete(info);
    this.handlers.delete(info);
    this.upgrades.delete(info);
    dropResourceModule(info);
  }

  setKubeletSocket(fn: (nodeName: string) => string | undefined): void {
    this.kubeletSocket = fn;
  }

  /**
   * Starts serving metrics.k8s.io from the nodes' resource usage, read by `scrape` every metric
   * resolution (metrics-server's role; kanzen runs it inside the API server).
   */
  startResourceMetrics(scrape: (nodeName: string) => Promise<NodeResourceUsage>, resolutionMs?: number): void {
    const nodes = async () => (await this.registry('nodes').list(undefined)).items.map((n) => n.metadata.name ?? '');
    const scraper = new MetricsScraper({ nodes, scrape, resolutionMs, logger: this.opts.logger.child('metrics-scraper') });
    this.metricsScraper = scraper;
    scraper.start();
    this.scrapeTriggers = watchScrapeTriggers(this.registry('pods'), this.registry('nodes'), (delayMs) => scraper.requestScrape(delayMs));
  }

  async stopResourceMetrics(): Promise<void> {
    for (const w of (await this.scrapeTriggers?.catch(() => [])) ?? []) w.stop();
    await this.metricsScraper?.stop();
  }

  registry(resource: string, group = ''): Registry {
    const info = resources.find((r) => r.resource === resource && r.group === group);
    if (!info) throw new Error(`no resource ${resource}.${group}`);
    return this.registries.get(info)!;
  }

  /** Rebuilds allocator state from stored Services (upstream's repair controllers). */
  async repairAllocations(): Promise<void> {
    const list = await this.registry('services').list(undefined);
    const report = this.serviceAllocation.repair(list.items as Service[]);
    for (const ev of report.events) this.opts.logger.warn('service allocation repair', { service: `${ev.namespace}/${ev.name}`, reason: ev.reason, message: ev.message });
  }

  private podStreaming(): PodStreamingDeps {
    return {
      getPod: async (ns, name) => (await this.registry('pods').get(ns, name)) as Pod,
      nodeAgentSocket: (node) => this.kubeletSocket(node),
      authenticate: async (req) => {
        const user = await this.authenticate(req);
        if (user) await this.authorize(user, req, new URL(req.url ?? '/', 'https://kanzen.local'));
        return user !== undefined;
      },
      logger: this.opts.logger,
    };
  }

  /** Upgrades (WebSocket, SPDY) go to the subresource's module (pods: exec, attach, portforward); others are dropped. */
  private onUpgrade(trusted: boolean) {
    return (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      const handler = this.upgradeHandler(req);
      if (handler) handler({ req, socket, head, trusted });
      else socket.destroy();
    };
  }

  private upgradeHandler(req: IncomingMessage): UpgradeHandler | undefined {
    const ri = parseRequestInfo(new URL(req.url ?? '/', 'https://kanzen.local').pathname);
    if (!ri.isResourceRequest || !ri.name || !ri.subresource) return undefined;
    const info = findResource(ri.group, ri.version, ri.resource);
    const handlers = info ? this.upgrades.get(info) : undefined;
    // Own properties only: a subresource named like an Object method is just unknown.
    return handlers && Object.hasOwn(handlers, ri.subresource) ? handlers[ri.subresource] : undefined;
  }

  private readonly handler = (trusted: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    this.handle(req, res, trusted).catch((err) => {
      if (!(err instanceof ApiError)) this.opts.logger.error('request failed', { method: req.method, url: req.url, err: err instanceof Error ? err.stack : String(err) });
      sendError(res, err);
    });
  };

  /**
   * This server for clients in its own process (the daemon's controllers and kubelets): the
   * unix socket's handler — trusted as that socket is — without the socket.
   */
  inProcess(): InProcessServer {
    this.inProcessConnections ??= inProcessServer(this.handler(true));
    return this.inProcessConnections;
  }

  /** The HTTPS endpoint: TLS and bearer tokens, as kubectl and pods reach it. */
  private httpsServer(tls: { cert: string; key: string }): https.Server {
    const server = https.createServer({ cert: tls.cert, key: tls.key }, this.handler(false));
    server.keepAliveTimeout = 65_000;
    server.on('upgrade', this.onUpgrade(false));
    return server;
  }

  /**
   * Serves HTTPS on a listening socket made elsewhere: the cluster network's API address
   * (the `kubernetes` Service's endpoint), bound inside the router namespace and passed
   * here (src/node/netns-socket.ts).
   */
  listenOnHandle(handle: object): Promise<void> {
    if (!this.opts.tls) return Promise.reject(new Error('the API server has no TLS configuration'));
    const server = this.httpsServer(this.opts.tls);
    this.extraServers.push(server);
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(handle, () => resolve());
    });
  }

  async start(): Promise<{ port: number }> {
    await this.repairAllocations();
    await this.customResources.start();
    await this.apiServiceServing.start();
    const handler = this.handler;
    if (this.opts.tls) {
      this.tcpServer = this.httpsServer(this.opts.tls);
      await new Promise<void>((resolve, reject) => {
        this.tcpServer!.once('error', reject);
        this.tcpServer!.listen(this.opts.port ?? 6443, this.opts.host ?? '127.0.0.1', () => resolve());
      });
    }
    if (this.opts.socketPath) {
      fs.mkdirSync(path.dirname(this.opts.socketPath), { recursive: true, mode: 0o700 });
      fs.rmSync(this.opts.socketPath, { force: true });
      this.unixServer = http.createServer(handler(true));
      this.unixServer.keepAliveTimeout = 65_000;
      this.unixServer.on('upgrade', this.onUpgrade(true));
      await new Promise<void>((resolve, reject) => {
        this.unixServer!.once('error', reject);
        this.unixServer!.listen(this.opts.socketPath, () => resolve());
      });
      fs.chmodSync(this.opts.socketPath, 0o600);
    }
    this.ready = true;
    return { port: this.tcpServer ? (this.tcpServer.address() as AddressInfo).port : 0 };
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.customResources.stop();
    await this.apiServiceServing.stop();
    const close = (s?: http.Server | https.Server) =>
      new Promise<void>((resolve) => {
        if (!s) return resolve();
        s.close(() => resolve());
        s.closeAllConnections();
      });
    this.inProcessConnections?.closeAll();
    await Promise.all([close(this.tcpServer), close(this.unixServer), ...this.extraServers.map(close)]);
  }

  /** Who is calling: the admin token's user, or a service account whose token this cluster signed and whose account (and pod, if bound) still exist. */
  private async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m) return undefined;
    const given = Buffer.from(m[1].trim());
    if (given.length === this.tokenBuf.length && timingSafeEqual(given, this.tokenBuf)) return adminUser;
    const subject = this.saTokens?.verify(m[1].trim());
    if (!subject) return undefined;
    const sa = await this.registry('serviceaccounts').tryGet(subject.namespace, subject.name);
    if (!sa || sa.metadata.uid !== subject.uid) return undefined;
    const user: UserInfo = {
      username: `system:serviceaccount:${subject.namespace}:${subject.name}`,
      uid: subject.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace}`, 'system:authenticated'],
    };
    if (!subject.pod) return user;
    const pod = await this.registry('pods').tryGet(subject.namespace, subject.pod.name);
    if (pod?.metadata.uid !== subject.pod.uid) return undefined;
    return { ...user, extra: { 'authentication.kubernetes.io/pod-name': [subject.pod.name], 'authentication.kubernetes.io/pod-uid': [subject.pod.uid] } };
  }


  /**
   * After authentication, upstream's WithImpersonation and WithAuthorization filters: the
   * user the request acts as (whom its Impersonate-* headers name, if RBAC lets the caller
   * impersonate them), which RBAC must allow the request or it is answered 403.
   */
  private async authorize(user: UserInfo, req: IncomingMessage, url: URL): Promise<UserInfo> {
    const allow = async (attrs: Attributes) => {
      const { decision, reason } = await this.authorizer.authorize(attrs);
      if (decision !== 'Allow') throw forbidden(attrs, reason);
    };
    const actingAs = await impersonate(user, req.headers, allow);
    await allow(requestAttributes(actingAs, req.method ?? 'GET', parseRequestInfo(url.pathname), url.searchParams));
    return actingAs;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, trusted: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kanzen.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const healthPath = path.split('/')[1] ? `/${path.split('/')[1]}` : path;
    // The unix socket is the cluster's own components: they act as the admin does.
    const authenticated = trusted ? adminUser : await this.authenticate(req);
    if (!authenticated && !publicPaths.has(healthPath)) throw ApiError.unauthorized();
    const user = authenticated && !trusted ? await this.authorize(authenticated, req, url) : authenticated;
    this.opts.logger.debug('request', { method: req.method, url: req.url });

    if (healthPath === '/healthz' || healthPath === '/livez' || healthPath === '/readyz') {
      if (!this.ready && healthPath === '/readyz') return sendText(res, 500, '[-]api-server not ready\nreadyz check failed');
      return sendText(res, 200, 'ok');
    }
    if (path === '/version') {
      return sendJSON(res, 200, {
        ...kubernetesVersion,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.24.0',
        compiler: 'gc',
        platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      });
    }
    if (path === '/api') return sendJSON(res, 200, apiVersions());
    if (path === '/apis') return sendJSON(res, 200, apiGroupList());
    if (path.startsWith('/openapi/')) return this.serveOpenAPI(path, req, res);

    const ri = parseRequestInfo(path);
    if (!ri.isResourceRequest) {
      if (path.startsWith('/apis/') && ri.group && !ri.version) {
        const g = apiGroup(ri.group);
        if (g) return sendJSON(res, 200, g);
      }
      if (ri.version && (path === '/api/v1' || path === `/apis/${ri.group}/${ri.version}`)) {
        if (this.apiServiceServing.unavailable(ri.group, ri.version)) return sendText(res, 503, 'service unavailable\n');
        const list = apiResourceList(ri.group, ri.version);
        if (list) return sendJSON(res, 200, list);
      }
      throw notFoundPath();
    }
    const info = findResource(ri.group, ri.version, ri.resource);
    if (!info) throw notFoundPath();
    // The aggregator's proxy answers this, in plain text, while the group's APIService is not Available.
    if (this.apiServiceServing.unavailable(ri.group, ri.version)) return sendText(res, 503, 'service unavailable\n');
    await handleResource(
      {
        registryFor: (i) => this.registries.get(i)!,
        admitCreate: (i, ns, name, obj, dryRun) => this.admitCreate(i, ns, name, obj, dryRun),
        subresource: (i, r, rq, rs, u) => this.subresource(i, r, rq, rs, u),
        authorizer: this.authorizer,
      },
      info,
      ri,
      req,
      res,
      url,
      user ?? adminUser,
    );
  }

  private serveOpenAPI(path: string, req: IncomingMessage, res: ServerResponse): void {
    if (path === '/openapi/v2') {
      const accept = req.headers.accept ?? '';
      if (accept.includes('protobuf')) {
        const body = openapiV2Protobuf();
        res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': body.length });
        res.end(body);
        return;
      }
      return sendJSON(res, 200, openapiV2Json());
    }
    if (path === '/openapi/v3') return sendJSON(res, 200, openapiV3Index());
    const doc = openapiV3Document(path.slice('/openapi/v3/'.length));
    if (!doc) throw notFoundPath();
    sendJSON(res, 200, doc.body, { Etag: `"${doc.hash}"` });
  }

  /**
   * NamespaceLifecycle admission: content goes only into namespaces that exist and are not
   * terminating. Then the resource's own mutating admission (a pod's service account
   * pull secrets), from its module.
   */
  private async admitCreate(info: ResourceInfo, namespace: string | undefined, name: string, obj?: KubeObject, dryRun = false): Promise<void> {
    // Cluster-scoped objects have no namespace to check, only their module's admission
    // (e.g. a PersistentVolume's pv-protection finalizer).
    if (!info.namespaced) {
      if (obj) await admitResource(info, obj, '', this.handlerDeps);
      return;
    }
    if (!namespace) return;
    const ns = (await this.registry('namespaces').tryGet(undefined, namespace)) as Namespace | undefined;
    if (!ns) throw ApiError.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
      const err = ApiError.forbidden({ group: info.group, resource: info.resource }, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
      // Clients (kubectl drain) recognise the case by this cause.
      err.status.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }];
      throw err;
    }
    if (obj) {
      await admitResource(info, obj, namespace, this.handlerDeps);
      // ResourceQuota comes last, as upstream orders it: it charges what the others made.
      await admitResourceQuota(info, obj, namespace, this.handlerDeps, new Date(), dryRun);
    }
  }

  private proxyDeps(): ProxyDeps {
    return {
      getPod: async (ns, name) => (await this.registry('pods').get(ns, name)) as Pod,
      getService: async (ns, name) => (await this.registry('services').get(ns, name)) as Service,
      getEndpoints: async (ns, name) => (await this.registry('endpoints').tryGet(ns, name)) as Endpoints | undefined,
      nodeAgentSocket: async (nodeName) => {
        const own = nodeName ? this.kubeletSocket(nodeName) : undefined;
        if (own) return own;
        // Any node reaches every pod IP.
        for (const n of (await this.registry('nodes').list(undefined)).items) {
          const sock = this.kubeletSocket(n.metadata.name ?? '');
          if (sock) return sock;
        }
        return undefined;
      },
    };
  }

  private async subresource(info: ResourceInfo, ri: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const handlers = this.handlers.get(info) ?? {};
    // Own properties only: a subresource named like an Object method is just unknown.
    const handler = ri.subresource && Object.hasOwn(handlers, ri.subresource) ? handlers[ri.subresource] : undefined;
    return handler ? handler({ registry: this.registries.get(info)!, ri, req, res, url }) : false;
  }
}

function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

