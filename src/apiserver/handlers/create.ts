// POST to a collection (upstream: handlers/create.go CreateResource): decode, check fields,
// admit, create — or the resource's own create, for those that store nothing.
import { requestBody, sendObject } from '../http.js';
import { ownCreate } from '../resources/index.js';
import { checkFields, resourceKind } from './field-validation.js';
import { asObject } from './object-body.js';
import type { RequestScope } from './request-scope.js';
import { writeContext } from './write-context.js';

export async function createResource({ deps, info, registry, namespace, user, req, res, url }: RequestScope): Promise<void> {
  const serve = ownCreate(info);
  if (serve) return serve({ info, user, req, res, authorizer: deps.authorizer });
  const ctx = writeContext(url, undefined, user);
  const decoded = await requestBody(req);
  const body = asObject(decoded.value);
  checkFields(resourceKind(info), body, url, res, { duplicates: decoded.duplicates });
  await deps.admitCreate(info, namespace, body.metadata.name ?? body.metadata.generateName ?? '', body, ctx.dryRun);
  const created = await registry.create(namespace, body, ctx);
  sendObject(res, 201, created);
}
