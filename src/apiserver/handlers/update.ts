// PUT of one object or subresource (upstream: handlers/update.go UpdateResource): decode,
// check fields and the name, admit a create-on-update, store.
import { ApiError } from '../../api/errors.js';
import { requestBody, sendObject } from '../http.js';
import { checkFields } from './field-validation.js';
import { asObject } from './object-body.js';
import type { ItemScope } from './request-scope.js';
import { writeContext } from './write-context.js';

export async function updateResource({ deps, info, registry, namespace, name, subresource, storage, req, res, url, user }: ItemScope): Promise<void> {
  const ctx = writeContext(url, subresource, user);
  const decoded = await requestBody(req);
  const body = asObject(decoded.value);
  checkFields(storage.bodyKind, body, url, res, { duplicates: decoded.duplicates });
  if (body.metadata.name !== undefined && body.metadata.name !== name) {
    throw ApiError.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (!subresource && registry.strategy.allowCreateOnUpdate && !(await storage.exists())) {
    await deps.admitCreate(info, namespace, name, body, ctx.dryRun);
  }
  const { object, created } = await storage.update(() => body, ctx);
  sendObject(res, created ? 201 : 200, object);
}
