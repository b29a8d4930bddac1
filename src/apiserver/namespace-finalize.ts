// namespaces/{name}/finalize (upstream FinalizeREST): the namespace controller removes the
// "kubernetes" finalizer from spec.finalizers here once the namespace is empty.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { Namespace } from '../api/types.js';
import { requestBody, sendJSON } from './http.js';
import type { Registry } from './registry.js';
import type { RequestInfo } from './request-info.js';

export async function finalizeNamespace(namespaces: Registry, ri: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const body = (await requestBody(req)).value as Namespace;
  const name = ri.name!;
  const { object } = await namespaces.update(
    undefined,
    name,
    (cur) => {
      if (!cur) throw ApiError.notFound(namespaces.gr, name);
      const ns = cur as Namespace;
      ns.spec = { ...(ns.spec ?? {}), finalizers: body?.spec?.finalizers ?? [] };
      if (body?.metadata?.resourceVersion) ns.metadata.resourceVersion = body.metadata.resourceVersion;
      return ns;
    },
    { dryRun: url.searchParams.has('dryRun'), fieldManager: url.searchParams.get('fieldManager') ?? undefined, subresource: 'finalize' },
  );
  sendJSON(res, 200, object);
}
