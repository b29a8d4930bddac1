// One module per served resource (upstream: pkg/registry/<group>/<resource>): its
// defaulting and its strategy (validation, create/update preparation, status reset,
// subresource strategies, field selectors), its Table columns and its Scale. The table in
// index.ts maps each kind to its module; the generic registry and handlers look behaviour
// up there and nowhere else.
//
// Adding a resource's behaviour:
// - columns for kubectl get: write src/api/printers/<kind>-printer.ts (a Printer: columns
//   and a row function, as upstream's printers.go) and set `printer: xPrinter` here;
//   without one the API server prints NAME and CREATED AT (upstream's default convertor).
// - the scale subresource (declared with `scale` in api/resources.ts): set
//   `scale: labelSelectorScale` (spec.selector is a metav1.LabelSelector, apps/v1) or
//   `scale: mapSelectorScale` (a plain label map, ReplicationController), from
//   scale-strategy.ts; scaleStrategy(selector) builds another.
// - the status subresource needs nothing: defaultStrategy gives it its status strategy;
//   validateStatusUpdate in the strategy adds the resource's rules.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Printer } from '../../api/printers/index.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { ServiceAllocator } from '../allocators/service-allocation.js';
import type { PodStreamingDeps } from '../pod-streaming-proxy.js';
import type { ProxyDeps } from '../proxy-subresource.js';
import type { ComputedSource } from '../computed-registry.js';
import type { ReadingPair } from '../metrics/resource-metrics.js';
import type { Registry } from '../registry.js';
import type { RequestInfo } from '../request-info.js';
import type { ServiceAccountTokens } from '../serviceaccount-token.js';
import type { UserInfo } from '../user-info.js';
import type { RBACAuthorizer } from '../authorization/rbac-authorizer.js';
import type { ScaleStrategy, Strategy } from '../strategy.js';
import type { VersionConversion } from '../version-conversion.js';

/** What strategies may need from the server they run in. */
export interface StrategyDeps {
  serviceAllocation: ServiceAllocator;
  /** ServiceAccount admission mounts a token in new pods (only when the server issues tokens). */
  mountServiceAccountTokens: boolean;
}

/** What subresource handlers need from the server they run in. */
export interface HandlerDeps {
  registry(resource: string, group?: string): Registry;
  /** Set when the server issues service account tokens. */
  serviceAccountTokens?: ServiceAccountTokens;
  proxy(): ProxyDeps;
  podStreaming(): PodStreamingDeps;
  /** The last two resource readings of each node (metrics-server's store), for metrics.k8s.io. */
  resourceMetrics(): ReadingPair[];
  /** NamespaceLifecycle admission of a create (subresources that create, such as pods/eviction). */
  admitCreate(info: ResourceInfo, namespace: string | undefined, name: string): Promise<void>;
}

/** A request to a subresource its resource serves with a handler of its own. */
export interface SubresourceRequest {
  /** The registry of the resource the subresource belongs to. */
  registry: Registry;
  ri: RequestInfo;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

/**
 * A subresource served outside the generic verbs (upstream: its own REST storage, e.g.
 * pod/storage's BindingREST or LogREST). Resolves false when it does not serve the request
 * (another method), which then answers 404 as an unknown subresource does.
 */
export type SubresourceHandler = (r: SubresourceRequest) => Promise<boolean>;

/** An upgrade request (WebSocket, SPDY) to a subresource: the connection is the handler's. */
export interface UpgradeRequest {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  /** It came on the unix socket, whose callers need no authentication. */
  trusted: boolean;
}

/** Takes an upgraded connection; answers errors on the socket itself. */
export type UpgradeHandler = (r: UpgradeRequest) => void;

/** A create the resource answers itself. */
export interface CreateRequest {
  info: ResourceInfo;
  /** Who asks (the self reviews answer about them). */
  user: UserInfo;
  req: IncomingMessage;
  res: ServerResponse;
  /** The server's authorizer (the access reviews answer from it). */
  authorizer: RBACAuthorizer;
}

export interface ResourceModule {
  /**
   * Scheme defaulting plus the defaulting admission plugins, run before validation on
   * create and update (after the generic metadata defaults).
   */
  defaults?(obj: KubeObject): void;
  strategy(info: ResourceInfo, deps: StrategyDeps): Strategy;
  /**
   * Mutating admission of a new object once its namespace has been admitted (upstream:
   * the admission plugins that act on this resource), with the server's registries.
   */
  admitCreate?(obj: KubeObject, namespace: string, deps: HandlerDeps): Promise<void>;
  /**
   * Validating admission of an update, after the strategy's validation (upstream: the
   * admission plugins that check this resource's updates against others, e.g.
   * PersistentVolumeClaimResize); throws the ApiError to answer with.
   */
  admitUpdate?(obj: KubeObject, old: KubeObject, deps: HandlerDeps): Promise<void>;
  /** Subresources with a handler of their own, by name. */
  handlers?(deps: HandlerDeps): Record<string, SubresourceHandler>;
  /** Subresources that take upgraded connections (upstream: Connecters such as pods/exec), by name. */
  upgrades?(deps: HandlerDeps): Record<string, UpgradeHandler>;
  /** The Table columns of kubectl get (upstream: the registry's TableConvertor); absent: NAME and CREATED AT. */
  printer?: Printer;
  /** The scale subresource's view of the object (upstream: the registry's ScaleREST). */
  scale?: ScaleStrategy;
  /**
   * Serves create itself and stores nothing (upstream: a REST that is a rest.Creater only,
   * as the self reviews are); the resource's verbs in api/resources.ts say which others it has.
   */
  create?(r: CreateRequest): Promise<void>;
  /** The patch media types PATCH accepts, when not all of them (custom resources: no strategic merge). */
  patchTypes?: readonly string[];
  /**
   * The served versions that are not the storage version (api/resources.ts names it in each
   * version's `storageVersion`), by version: how their objects convert. The module's defaults,
   * strategy and printer are the storage version's.
   */
  conversions?: Record<string, VersionConversion>;
  /**
   * The objects, computed on request and never stored (upstream: a REST that is only a Getter and
   * a Lister, as metrics-server's); the resource's verbs in api/resources.ts are get and list.
   */
  computed?(deps: HandlerDeps): ComputedSource;
}

/** A handler that serves one method only. */
export function onlyMethod(method: string, serve: (r: SubresourceRequest) => Promise<void>): SubresourceHandler {
  return async (r) => {
    if (r.req.method !== method) return false;
    await serve(r);
    return true;
  };
}

/** A handler that serves every method. */
export function anyMethod(serve: (r: SubresourceRequest) => Promise<void>): SubresourceHandler {
  return async (r) => {
    await serve(r);
    return true;
  };
}
