// DELETE of a collection (upstream: handlers/delete.go DeleteCollection): every selected
// object, answered with the list of what was deleted.
import { readBody, sendJSON } from '../http.js';
import { parseSelectors } from '../selection.js';
import { parseDeleteOptions } from './delete-options.js';
import type { RequestScope } from './request-scope.js';
import { writeContext } from './write-context.js';

export async function deleteCollection({ registry, namespace, req, res, url }: RequestScope): Promise<void> {
  const ctx = writeContext(url);
  const opts = parseDeleteOptions(url, await readBody(req));
  const selectors = parseSelectors(registry.strategy.fieldSelectors, url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'));
  const list = await registry.deleteCollection(namespace, selectors, opts, ctx);
  sendJSON(res, 200, list);
}
