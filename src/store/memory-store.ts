// The in-memory backend (tests and `--store memory`): the same revision model as the
// SQLite log, kept in process. Each key has its versions (the events that wrote it, in
// revision order) so a list can be read as of an old revision; one global event log in
// revision order serves watch history. Compaction drops what etcd's compactor drops.
import { WatchHub } from './watch-hub.js';
import { CompactedError, type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type Watcher } from './store.js';
import { compactionNeeded, createEvent, deleteEvent, readRevision, updateEvent } from './transactions.js';

export class MemoryStore implements Store {
  /** Every key that has a version still retained, sorted (the order list returns). */
  private readonly keys: string[] = [];
  private readonly versions = new Map<string, StoreEvent[]>();
  /** All retained events above the compacted revision, in revision order. */
  private readonly log: StoreEvent[] = [];
  private readonly hub = new WatchHub();
  private revision = 0;
  private compacted = 0;

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    return this.live(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = readRevision(opts.revision, this.revision, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KeyValue[] = [];
    let remaining = 0;
    const after = opts.startAfter;
    let i = after !== undefined && after >= prefix ? upperBound(this.keys, after) : lowerBound(this.keys, prefix);
    for (; i < this.keys.length && this.keys[i].startsWith(prefix); i++) {
      const ev = this.versionAt(this.keys[i], revision);
      if (!ev || ev.type === 'delete') continue;
      if (items.length < limit) items.push(ev.kv);
      else remaining++;
    }
    return { items, revision, more: remaining > 0, remaining };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return this.append(createEvent(this.live(key), key, value, this.revision + 1)).kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.append(updateEvent(this.live(key), key, value, expectedModRevision, this.revision + 1)).kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.append(deleteEvent(this.live(key), key, expectedModRevision, this.revision + 1)).kv;
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void): Watcher {
    if (fromRevision < this.compacted) throw new CompactedError(fromRevision, this.compacted);
    const start = upperBoundRevision(this.log, fromRevision);
    const history = this.log.slice(start).filter((ev) => ev.kv.key.startsWith(prefix));
    return this.hub.subscribe(prefix, fromRevision, this.revision, history, onEvent);
  }

  async compact(revision: number): Promise<void> {
    if (!compactionNeeded(revision, this.revision, this.compacted)) return;
    this.log.splice(0, upperBoundRevision(this.log, revision));
    for (let i = this.keys.length - 1; i >= 0; i--) {
      const key = this.keys[i];
      const kept = compactVersions(this.versions.get(key) ?? [], revision);
      if (kept.length > 0) {
        this.versions.set(key, kept);
      } else {
        this.versions.delete(key);
        this.keys.splice(i, 1);
      }
    }
    this.compacted = revision;
  }

  async close(): Promise<void> {
    this.hub.stopAll();
  }

  private live(key: string): KeyValue | undefined {
    const vs = this.versions.get(key);
    const last = vs?.[vs.length - 1];
    return last?.type === 'put' ? last.kv : undefined;
  }

  private versionAt(key: string, revision: number): StoreEvent | undefined {
    const vs = this.versions.get(key) ?? [];
    for (let i = vs.length - 1; i >= 0; i--) {
      if (vs[i].kv.modRevision <= revision) return vs[i];
    }
    return undefined;
  }

  private append(ev: StoreEvent): StoreEvent {
    Object.freeze(ev);
    const key = ev.kv.key;
    let vs = this.versions.get(key);
    if (!vs) {
      vs = [];
      this.versions.set(key, vs);
      this.keys.splice(lowerBound(this.keys, key), 0, key);
    }
    vs.push(ev);
    this.log.push(ev);
    this.revision = ev.kv.modRevision;
    this.hub.publish(ev);
    return ev;
  }
}

/**
 * The versions of one key that survive compaction at revision: everything above it, plus
 * the newest version at or below it when that is a live value (a list at the compacted
 * revision still needs it). Superseded versions and tombstones at or below it go.
 */
function compactVersions(vs: StoreEvent[], revision: number): StoreEvent[] {
  const above = upperBoundRevision(vs, revision);
  const newestBelow = vs[above - 1];
  const kept = vs.slice(above);
  if (newestBelow && newestBelow.type === 'put') kept.unshift(newestBelow);
  return kept;
}

/** First index whose key is >= key. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > key. */
function upperBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index of an event with a revision > revision (events are in revision order). */
function upperBoundRevision(events: StoreEvent[], revision: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].kv.modRevision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
