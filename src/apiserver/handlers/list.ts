// GET of a collection (upstream: handlers/get.go ListResource): a list, a Table of it, or —
// with ?watch — a watch stream.
import { parseResourceVersion, queryBool, queryInt64 } from '../../api/query-params.js';
import { sendJSON, sendObject } from '../http.js';
import { parseSelectors } from '../selection.js';
import { toTable, wantsTable, type IncludeObject } from '../table-convertor.js';
import type { RequestScope } from './request-scope.js';
import { watchResource } from './watch.js';

export async function listResource(scope: RequestScope): Promise<void> {
  const { registry, namespace, req, res, url } = scope;
  const selectors = parseSelectors(registry.strategy.fieldSelectors, url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'));
  if (queryBool(url.searchParams, 'watch')) {
    await watchResource(scope, selectors);
    return;
  }
  const limit = queryInt64(url.searchParams, 'limit') ?? 0;
  parseResourceVersion(url.searchParams.get('resourceVersion') ?? '');
  const list = await registry.list(namespace, {
    ...selectors,
    limit,
    continueToken: url.searchParams.get('continue') ?? undefined,
    resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
  });
  const accept = req.headers.accept;
  if (wantsTable(accept)) {
    sendJSON(
      res,
      200,
      toTable(scope.printer, list.items, {
        accept,
        includeObject: (url.searchParams.get('includeObject') as IncludeObject) ?? undefined,
        resourceVersion: list.metadata.resourceVersion,
        continueToken: list.metadata.continue,
        remainingItemCount: list.metadata.remainingItemCount,
      }),
    );
    return;
  }
  // Items in a list carry no apiVersion/kind upstream.
  sendObject(res, 200, { ...list, items: list.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest) });
}
