// REST verbs on resources (upstream: apiserver/pkg/endpoints/installer.go): routes a
// resource request to the handler of its verb — list (and watch), create and
// deletecollection on a collection; get, update, patch and delete on an object — with the
// storage it acts on: the object itself, a subresource with a strategy of its own
// (status), or the Scale the resource's module declares. The handlers are in handlers/.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import { addWarning } from './http.js';
import type { RequestInfo } from './request-info.js';
import type { UserInfo } from './user-info.js';
import { printerFor, scaleFor } from './resources/index.js';
import { createResource } from './handlers/create.js';
import { deleteCollection } from './handlers/delete-collection.js';
import { deleteResource } from './handlers/delete.js';
import { getResource } from './handlers/get.js';
import { objectStorage, scaleStorage, type ItemStorage } from './handlers/item-storage.js';
import { listResource } from './handlers/list.js';
import { patchResource } from './handlers/patch.js';
import type { ItemScope, RequestScope, ResourceHandlerDeps, VerbHandler } from './handlers/request-scope.js';
import { updateResource } from './handlers/update.js';

export type { ResourceHandlerDeps } from './handlers/request-scope.js';

interface Route<S extends RequestScope> {
  /** The verb discovery lists when the resource serves it (list stands for watch too). */
  verb: string;
  serve: VerbHandler<S>;
}

const collectionRoutes = new Map<string, Route<RequestScope>>([
  ['GET', { verb: 'list', serve: listResource }],
  ['POST', { verb: 'create', serve: createResource }],
  ['DELETE', { verb: 'deletecollection', serve: deleteCollection }],
]);

const itemRoutes = new Map<string, Route<ItemScope>>([
  ['GET', { verb: 'get', serve: getResource }],
  ['PUT', { verb: 'update', serve: updateResource }],
  ['PATCH', { verb: 'patch', serve: patchResource }],
  ['DELETE', { verb: 'delete', serve: deleteResource }],
]);

/** The route for the method, if the resource serves its verb (subresources list their own). */
function route<S extends RequestScope>(routes: Map<string, Route<S>>, method: string, info: ResourceInfo, subresource: string | undefined): VerbHandler<S> {
  const r = routes.get(method);
  const verb = r?.verb ?? method.toLowerCase();
  if (!r || (!subresource && !info.verbs.includes(verb))) throw ApiError.methodNotSupported({ group: info.group, resource: info.resource }, verb);
  return r.serve;
}

export async function handleResource(
  deps: ResourceHandlerDeps,
  info: ResourceInfo,
  ri: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  user: UserInfo,
): Promise<void> {
  const registry = deps.registryFor(info);
  if (info.deprecationWarning) addWarning(res, info.deprecationWarning);
  const method = req.method ?? 'GET';
  const sub = ri.subresource;
  // status, scale and the subresources with a strategy of their own go through the generic verbs.
  if (sub && sub !== 'status' && sub !== 'scale' && !registry.strategy.subresources?.[sub]) {
    if (deps.subresource && (await deps.subresource(info, ri, req, res, url))) return;
    throw ApiError.notFound({ group: info.group, resource: `${info.resource}/${sub}` }, ri.name ?? '');
  }
  if (sub && !info.subresources.some((s) => s.name === sub)) {
    throw ApiError.notFound({ group: info.group, resource: info.resource }, ri.name ?? '');
  }
  const scope: RequestScope = { deps, info, registry, req, res, url, user, namespace: info.namespaced ? ri.namespace : undefined, printer: printerFor(info) };
  if (!ri.name) return route(collectionRoutes, method, info, sub)(scope);
  const serve = route(itemRoutes, method, info, sub);
  return serve({ ...scope, name: ri.name, subresource: sub, storage: itemStorage(scope, ri.name, sub) });
}

/** What an object request acts on: the Scale the module declares, or the object (and its status) itself. */
function itemStorage(scope: RequestScope, name: string, subresource: string | undefined): ItemStorage {
  const { info, registry, namespace } = scope;
  if (subresource === 'scale') {
    const scale = scaleFor(info);
    if (!scale) throw ApiError.notFound({ group: info.group, resource: `${info.resource}/scale` }, name);
    return scaleStorage(registry, namespace, name, scale);
  }
  return objectStorage(registry, namespace, name, scope.printer);
}
