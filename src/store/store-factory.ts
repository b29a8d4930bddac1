// The driver registry, like kine's endpoint: the scheme of the store spec picks the
// backend. "memory:" keeps everything in process; "sqlite:/abs/path.db" (or a bare path)
// is the durable default; "etcd:" is reserved for a remote etcd.
import { resolve } from 'node:path';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store, StoreFactory } from './store.js';

const drivers: ReadonlyMap<string, StoreFactory> = new Map<string, StoreFactory>([
  ['memory', async () => new MemoryStore()],
  ['sqlite', async (spec) => SqliteStore.open(sqlitePath(spec))],
  // The seam for a remote etcd (v3 KV + Watch, compare on mod_revision): no other part of
  // kanzen changes when it lands.
  ['etcd', async () => {
    throw new Error('etcd store not yet supported');
  }],
]);

/** Opens the store a spec names: "memory:", "sqlite:/abs/path.db", or a bare file path. */
export async function openStore(spec: string): Promise<Store> {
  const scheme = schemeOf(spec);
  if (scheme === undefined) return SqliteStore.open(resolve(spec));
  const driver = drivers.get(scheme);
  if (!driver) {
    throw new Error(
      `unsupported store ${JSON.stringify(spec)}: supported schemes are memory: and sqlite:<path> (or a bare path); etcd: is not yet supported`,
    );
  }
  return driver(spec);
}

/** The scheme of a spec, or undefined for a bare path ("./x.db", "/var/lib/x.db", "x.db"). */
function schemeOf(spec: string): string | undefined {
  if (spec.trim() === '') throw new Error('empty store spec: use memory: or sqlite:<path>');
  // Two letters at least, so a Windows drive letter is not a scheme.
  const m = /^([a-z][a-z0-9+.-]+):/i.exec(spec);
  return m ? m[1].toLowerCase() : undefined;
}

/** "sqlite:/a/b.db", "sqlite:///a/b.db" and "sqlite:rel.db" (relative to the cwd). */
function sqlitePath(spec: string): string {
  let path = spec.slice(spec.indexOf(':') + 1);
  if (path.startsWith('///')) path = path.slice(2);
  else if (path.startsWith('//')) path = path.slice(2);
  if (path === '') throw new Error(`store spec ${JSON.stringify(spec)} names no database file: use sqlite:/path/to/db`);
  return resolve(path);
}
