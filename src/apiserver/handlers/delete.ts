// DELETE of one object (upstream: handlers/delete.go DeleteResource): a Status once it is
// gone, the object while it waits for finalizers or its grace period (or always, for
// resources whose strategy returns the deleted object).
import { ApiError, orderedStatus } from '../../api/errors.js';
import { readBody, sendJSON } from '../http.js';
import { parseDeleteOptions } from './delete-options.js';
import type { ItemScope } from './request-scope.js';
import { writeContext } from './write-context.js';

export async function deleteResource({ info, registry, namespace, name, subresource, req, res, url }: ItemScope): Promise<void> {
  if (subresource) throw ApiError.methodNotSupported({ group: info.group, resource: `${info.resource}/${subresource}` }, 'delete');
  const ctx = writeContext(url);
  const opts = parseDeleteOptions(url, await readBody(req));
  const { object, removed } = await registry.delete(namespace, name, opts, ctx);
  if (removed && !registry.strategy.returnDeletedObject) {
    sendJSON(res, 200, orderedStatus({ status: 'Success', details: { name, group: info.group, kind: info.resource, uid: object.metadata.uid } }));
    return;
  }
  sendJSON(res, 200, object);
}
