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

const collectionVerbs = new Map<string, VerbHandler<RequestScope>>([
  ['GET', listResource],
  ['POST', createResource],
  ['DELETE', deleteCollection],
]);

const itemVerbs = new Map<string, VerbHandler<ItemScope>>([
  ['GET', getResource],
  ['PUT', updateResource],
  ['PATCH', patchResource],
  ['DELETE', deleteResource],
]);

export async function handleResource(
  deps: ResourceHandlerDeps,
  info: ResourceInfo,
  ri: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
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
  const scope: RequestScope = { deps, info, registry, req, res, url, namespace: info.namespaced ? ri.namespace : undefined, printer: printerFor(info) };
  if (!ri.name) {
    const handler = collectionVerbs.get(method);
    if (!handler) throw ApiError.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
    return handler(scope);
  }
  const handler = itemVerbs.get(method);
  if (!handler) throw ApiError.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
  return handler({ ...scope, name: ri.name, subresource: sub, storage: itemStorage(scope, ri.name, sub) });
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
