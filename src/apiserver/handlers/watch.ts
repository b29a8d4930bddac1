// A watch of a collection (upstream: handlers/watch.go, reached from ListResource when the
// query says watch): the stream itself is serveWatch's.
import type { Selectors } from '../selection.js';
import { serveWatch } from '../watch-handler.js';
import type { RequestScope } from './request-scope.js';

export function watchResource({ registry, namespace, url, req, res }: RequestScope, selectors: Selectors): Promise<void> {
  return serveWatch(registry, namespace, selectors, url, req, res);
}
