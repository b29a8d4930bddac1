// What every verb handler is given (upstream: handlers.RequestScope): the resource, its
// registry, the request and the server's admission, plus, for a named object, the storage
// the request reads and writes (the object itself, or its Scale).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Printer } from '../../api/printers/index.js';
import type { Registry } from '../registry.js';
import type { RequestInfo } from '../request-info.js';
import type { UserInfo } from '../user-info.js';
import type { ItemStorage } from './item-storage.js';
import type { Authorizer } from '../authorization/authorizer.js';

export interface ResourceHandlerDeps {
  registryFor(info: ResourceInfo): Registry;
  /** Admission that needs other resources (the namespace must exist and not be terminating; a pod gets its service account's pull secrets). */
  /** dryRun: admission checks but records nothing (ResourceQuota charges nothing). */
  admitCreate(info: ResourceInfo, namespace: string | undefined, name: string, obj?: KubeObject, dryRun?: boolean): Promise<void>;
  /** Subresources served elsewhere (log, exec, attach, binding); returns true when handled. */
  subresource?(info: ResourceInfo, ri: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** The server's authorizer, which the access reviews ask. */
  authorizer: Authorizer;
}

/** A request to a resource's collection. */
export interface RequestScope {
  deps: ResourceHandlerDeps;
  info: ResourceInfo;
  registry: Registry;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Who the request is from. */
  user: UserInfo;
  /** undefined for cluster-scoped resources and requests across all namespaces. */
  namespace: string | undefined;
  /** The resource's Table columns (its module's printer, or the default one). */
  printer: Printer;
}

/** A request to one named object, or to one of its subresources. */
export interface ItemScope extends RequestScope {
  name: string;
  subresource?: string;
  storage: ItemStorage;
}

/** A verb's handler (upstream: handlers.GetResource, CreateResource, …). */
export type VerbHandler<S extends RequestScope> = (scope: S) => Promise<void>;
