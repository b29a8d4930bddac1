// Watch streams (upstream: apiserver/pkg/endpoints/handlers/watch.go): chunked JSON lines
// of {"type","object"}, with the resourceVersion semantics of the watch API:
//   unset or "0"  → the current objects as synthetic ADDED events, then changes;
//   "N"           → every change after revision N (410 Expired if N was compacted).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { KeyValue } from '../store/store.js';
import { groupVersion } from '../api/resources.js';
import { parseResourceVersion, queryBool, queryInt64 } from '../api/query-params.js';
import type { Registry, RegistryEvent } from './registry.js';
import type { Selectors } from './selection.js';
import { toTable, wantsTable, type IncludeObject } from './table-convertor.js';
import { printerFor } from './resources/index.js';
import { goJSON } from '../util/go-json.js';

const bookmarkIntervalMs = 30_000;
/** The encoded plain-JSON event of a stored write, shared by every watcher that sends it. */
const encodedEvents = new WeakMap<KeyValue, { type: string; apiVersion: string; line: string }>();
/** A watcher that falls this far behind is cut off, as the apiserver drops slow watchers. */
const maxBufferedBytes = 64 * 1024 * 1024;
/** Upstream's default request timeout for watches is randomised in [minRequestTimeout, 2×). */
const minRequestTimeoutSeconds = 1800;

export async function serveWatch(
  registry: Registry,
  namespace: string | undefined,
  selectors: Selectors,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const info = registry.info;
  const accept = req.headers.accept;
  const asTable = wantsTable(accept);
  const includeObject = (url.searchParams.get('includeObject') as IncludeObject | null) ?? undefined;
  const rvParam = url.searchParams.get('resourceVersion') ?? '';
  const timeoutParam = queryInt64(url.searchParams, 'timeoutSeconds') ?? 0;
  const timeoutSeconds = timeoutParam > 0 ? timeoutParam : minRequestTimeoutSeconds * (1 + Math.random());
  const bookmarks = queryBool(url.searchParams, 'allowWatchBookmarks');

  let startRevision: number;
  const initial: KubeObject[] = [];
  if (rvParam === '' || rvParam === '0') {
    const list = await registry.list(namespace, selectors);
    startRevision = Number(list.metadata.resourceVersion);
    initial.push(...list.items);
  } else {
    startRevision = parseResourceVersion(rvParam);
  }

  let lastRevision = startRevision;
  const encode = (type: string, obj: KubeObject, raw?: KeyValue): string => {
    if (asTable) {
      const table = toTable(printerFor(info), [{ ...obj, apiVersion: groupVersion(info), kind: info.kind }], { accept, includeObject, resourceVersion: obj.metadata.resourceVersion });
      return goJSON({ type, object: table }) + '\n';
    }
    // Plain JSON events are the same for every watcher of a write: encode them once.
    // Keyed by the write and the version: watchers of another served version see it converted.
    const apiVersion = groupVersion(info);
    const cached = raw && encodedEvents.get(raw);
    if (cached?.type === type && cached.apiVersion === apiVersion) return cached.line;
    const line = goJSON({ type, object: { ...obj, apiVersion, kind: info.kind } }) + '\n';
    if (raw) encodedEvents.set(raw, { type, apiVersion, line });
    return line;
  };

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let closed = false;
  let watcher: { stop(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    watcher?.stop();
    for (const t of timers) clearTimeout(t), clearInterval(t);
    res.end();
  };
  req.on('close', finish);
  res.on('close', finish);

  const write = (chunk: string) => {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > maxBufferedBytes) finish();
  };

  for (const obj of initial) write(encode('ADDED', obj));

  try {
    watcher = registry.watch(namespace, startRevision, selectors, (ev: RegistryEvent, revision: number) => {
      lastRevision = revision;
      write(encode(ev.type, ev.object, ev.raw));
    });
  } catch (e) {
    if (e instanceof ApiError) {
      write(goJSON({ type: 'ERROR', object: e.status }) + '\n');
      finish();
      return;
    }
    throw e;
  }
  if (closed) watcher.stop();

  timers.push(setTimeout(finish, timeoutSeconds * 1000));
  if (bookmarks) {
    timers.push(
      setInterval(() => {
        write(goJSON({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: groupVersion(info), metadata: { resourceVersion: String(lastRevision) } } }) + '\n');
      }, bookmarkIntervalMs),
    );
  }
}
