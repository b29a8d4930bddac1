// The SQLite backend, shaped like kine's: one append-only log table where every write is a
// row whose rowid is the revision; a key's state at revision R is its newest row at or
// below R (a tombstone row means deleted). The (key, revision) index makes "newest row per
// key" and prefix ranges index scans.
//
// Durability: a write's promise resolves only once the write is fsynced, so a kill -9 (or
// power loss) at any moment loses no acknowledged write. The fsync is a group commit
// (group-commit.ts): each write is its own transaction, appended to the WAL at once
// (synchronous=NORMAL: SQLite itself syncs only at checkpoints), and the store fsyncs the
// WAL file off the event loop, acknowledging every write appended before that fsync began
// — what synchronous=FULL guarantees, for one fsync per burst instead of one per write,
// and without stalling the event loop on the disk. Reads see acknowledged writes only:
// they are bounded by the acknowledged revision, so nothing not yet durable is ever served.
// This process is the store's only writer, so live watch events are fanned out in process
// after the write is acknowledged and the current revision is kept in memory (recovered
// on open).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, fstatSync, fsync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { GroupCommit } from './group-commit.js';
import { WatchHub } from './watch-hub.js';
import { CompactedError, type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type Watcher } from './store.js';
import { compactionNeeded, createEvent, deleteEvent, freezeKv, readRevision, updateEvent } from './transactions.js';

// prev_revision is the revision of the live value a row replaces (0 for a create, even a
// re-create after a delete), so a watch event's prev is one join away. A tombstone row
// keeps the deleted value: a delete event carries the last value.
const schema = `
CREATE TABLE IF NOT EXISTS log (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_revision ON log (key, revision);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

const busyTimeoutMs = 5000;

interface LogRow {
  revision: number;
  key: string;
  value: string;
  create_revision: number;
  deleted: number;
}

interface EventRow extends LogRow {
  prev_revision: number;
  prev_value: string | null;
  prev_create_revision: number | null;
}

/** A key range [lo, hi) selecting the keys that start with a prefix. */
interface KeyRange {
  lo: string;
  hi: string | Buffer;
}

interface ListParams extends KeyRange {
  after: string;
  rev: number;
  limit: number;
}

// The newest row per key at or below @rev, live ones only. SQLite takes the bare columns
// of a max() aggregate (here also in HAVING) from the row holding the maximum, and groups
// in index order, so a limited list stops scanning after the page.
const liveAtRevision = `
  SELECT key, value, create_revision, MAX(revision) AS revision, deleted FROM log
  WHERE key >= @lo AND key < @hi AND key > @after AND revision <= @rev
  GROUP BY key HAVING deleted = 0`;

export class SqliteStore implements Store {
  private readonly hub = new WatchHub();
  /** The latest acknowledged (durable) revision: what reads and watches see. */
  private revision: number;
  /** The latest revision appended to the log (acknowledged or waiting for its sync). */
  private appended: number;
  private compacted: number;
  private readonly commits: GroupCommit<StoreEvent>;
  /** Per key, its latest write not acknowledged yet (settles when it is). */
  private readonly unacknowledged = new Map<string, Promise<void>>();
  private wal?: { fd: number; ino: number };

  private readonly latestStmt;
  private readonly latestAtStmt;
  private readonly insertStmt;
  private readonly listStmt;
  private readonly countStmt;
  private readonly historyStmt;
  private readonly compactStmt;
  private readonly setMetaStmt;
  private readonly writeTx;
  private readonly compactTx;

  /** Opens (creating if needed) the database at path; the file is private to the user. */
  static open(path: string): SqliteStore {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file ourselves so its mode is 0600 from the first byte; SQLite gives the
    // -wal and -shm files the main file's mode.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    const db = new Database(path);
    try {
      return new SqliteStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    // The store fsyncs the WAL itself before acknowledging (syncLog); see the top comment.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.exec(schema);

    this.latestStmt = db.prepare<[string], LogRow>(
      'SELECT revision, key, value, create_revision, deleted FROM log WHERE key = ? ORDER BY revision DESC LIMIT 1',
    );
    this.latestAtStmt = db.prepare<[string, number], LogRow>(
      'SELECT revision, key, value, create_revision, deleted FROM log WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1',
    );
    this.insertStmt = db.prepare<[number, string, string, number, number, number]>(
      'INSERT INTO log (revision, key, value, create_revision, prev_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.listStmt = db.prepare<ListParams, LogRow>(
      `${liveAtRevision} ORDER BY key LIMIT @limit`,
    );
    this.countStmt = db.prepare<Omit<ListParams, 'limit'>, { n: number }>(
      `SELECT COUNT(*) AS n FROM (${liveAtRevision})`,
    );
    this.historyStmt = db.prepare<KeyRange & { from: number; to: number }, EventRow>(
      `SELECT l.revision, l.key, l.value, l.create_revision, l.deleted, l.prev_revision,
              p.value AS prev_value, p.create_revision AS prev_create_revision
       FROM log l LEFT JOIN log p ON p.revision = l.prev_revision
       WHERE l.revision > @from AND l.revision <= @to AND l.key >= @lo AND l.key < @hi
       ORDER BY l.revision`,
    );
    // Keeps, per key, the newest live row at or below @rev (a list at the compacted
    // revision and the prev of the next event need it) and everything above @rev.
    this.compactStmt = db.prepare<{ rev: number }>(
      `DELETE FROM log WHERE revision <= @rev AND (deleted = 1 OR EXISTS (
         SELECT 1 FROM log n WHERE n.key = log.key AND n.revision > log.revision AND n.revision <= @rev))`,
    );
    this.setMetaStmt = db.prepare<[string, number]>(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    );
    this.writeTx = db.transaction((row: [number, string, string, number, number, number]) => {
      this.insertStmt.run(...row);
    });
    this.commits = new GroupCommit(
      () => this.syncLog(),
      (events) => this.acknowledge(events),
    );
    this.compactTx = db.transaction((rev: number) => {
      this.compactStmt.run({ rev });
      this.setMetaStmt.run('compacted', rev);
    });

    const compacted = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'compacted'").get();
    const newest = db.prepare<[], { r: number | null }>('SELECT MAX(revision) AS r FROM log').get();
    this.compacted = compacted?.value ?? 0;
    // Compaction only removes rows at or below the compacted revision, so when the newest
    // rows were compacted tombstones the compacted revision is the current one.
    this.revision = Math.max(newest?.r ?? 0, this.compacted);
    this.appended = this.revision;
  }

  async currentRevision(): Promise<number> {
    this.checkHealthy();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkHealthy();
    const row = this.latestAtStmt.get(key, this.revision);
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkHealthy();
    const rev = readRevision(opts.revision, this.revision, this.compacted);
    const range = prefixRange(prefix);
    const after = opts.startAfter ?? '';
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    // One row past the limit tells whether more follow without counting them all.
    const rows = this.listStmt.all({ ...range, after, rev, limit: limit < 0 ? -1 : limit + 1 });
    let remaining = 0;
    if (limit > 0 && rows.length > limit) {
      rows.length = limit;
      remaining = this.countStmt.get({ ...range, after: rows[limit - 1].key, rev })?.n ?? 0;
    }
    return { items: rows.map(toKeyValue), revision: rev, more: remaining > 0, remaining };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write(key, (current, next) => createEvent(current, key, value, next));
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write(key, (current, next) => updateEvent(current, key, value, expectedModRevision, next));
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.write(key, (current, next) => deleteEvent(current, key, expectedModRevision, next));
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void): Watcher {
    this.checkHealthy();
    if (fromRevision < this.compacted) throw new CompactedError(fromRevision, this.compacted);
    const history = fromRevision < this.revision
      ? this.historyStmt.all({ ...prefixRange(prefix), from: fromRevision, to: this.revision }).map(toEvent)
      : [];
    return this.hub.subscribe(prefix, fromRevision, this.revision, history, onEvent);
  }

  async compact(revision: number): Promise<void> {
    if (!compactionNeeded(revision, this.revision, this.compacted)) return;
    this.compactTx.immediate(revision);
    this.compacted = revision;
  }

  async close(): Promise<void> {
    await this.commits.drain();
    this.hub.stopAll();
    if (this.wal) closeSync(this.wal.fd);
    this.wal = undefined;
    if (this.db.open) this.db.close();
  }

  /** The key's latest value, acknowledged or not: what a new write is checked against. */
  private live(key: string): KeyValue | undefined {
    this.checkHealthy();
    const row = this.latestStmt.get(key);
    return row && !row.deleted ? toKeyValue(row) : undefined;
  }

  /**
   * Checks a write against the key's latest value and appends it as its own transaction,
   * acknowledged by the group commit once synced. The check and the insert cannot
   * interleave with another write: both run synchronously in this, the only writing,
   * process. A write whose check fails because of a value not yet acknowledged fails only
   * once that value is: then the caller's next read shows why (a reader sees acknowledged
   * writes only), and a read-modify-write retry converges instead of failing again.
   */
  private write(key: string, makeEvent: (current: KeyValue | undefined, next: number) => StoreEvent): Promise<KeyValue> {
    let ev: StoreEvent;
    try {
      ev = Object.freeze(makeEvent(this.live(key), this.appended + 1));
    } catch (err) {
      const pending = this.unacknowledged.get(key);
      return pending ? pending.then(() => Promise.reject(err)) : Promise.reject(err);
    }
    const { value, createRevision, modRevision } = ev.kv;
    try {
      // prev_revision: 0 for a create, even a re-create after a delete.
      this.writeTx.immediate([modRevision, key, value, createRevision, ev.prev?.modRevision ?? 0, ev.type === 'delete' ? 1 : 0]);
    } catch (err) {
      return Promise.reject(err);
    }
    this.appended = modRevision;
    const acknowledged = this.commits.add(ev).finally(() => {
      if (this.unacknowledged.get(key) === acknowledged) this.unacknowledged.delete(key);
    });
    this.unacknowledged.set(key, acknowledged);
    return acknowledged.then(() => ev.kv);
  }

  /** Synced writes become visible: the revision moves on and watchers get them, in order. */
  private acknowledge(events: readonly StoreEvent[]): void {
    for (const ev of events) {
      this.revision = ev.kv.modRevision;
      this.hub.publish(ev);
    }
  }

  /**
   * fsyncs the WAL file (on the thread pool). SQLite keeps that file while a connection is
   * open and reuses it after a checkpoint (whose own syncs SQLite does); should it ever be
   * a different file, the new one is opened.
   */
  private async syncLog(): Promise<void> {
    const path = `${this.db.name}-wal`;
    const ino = statSync(path).ino;
    if (this.wal?.ino !== ino) {
      if (this.wal) closeSync(this.wal.fd);
      const fd = openSync(path, 'r');
      this.wal = { fd, ino: fstatSync(fd).ino };
    }
    const fd = this.wal.fd;
    await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** After a failed sync nothing is known to be durable: the store stops serving. */
  private checkHealthy(): void {
    if (this.commits.failed !== undefined) throw this.commits.failed;
  }
}

/**
 * The keys starting with prefix as a range, so the index serves prefix scans (LIKE and
 * substr cannot). The upper bound bumps the prefix's last code unit; an empty prefix has
 * no upper bound, written as a BLOB because SQLite orders every TEXT before any BLOB.
 */
function prefixRange(prefix: string): KeyRange {
  let end = prefix;
  while (end.length > 0) {
    const last = end.charCodeAt(end.length - 1);
    if (last < 0xffff) return { lo: prefix, hi: end.slice(0, -1) + String.fromCharCode(last + 1) };
    end = end.slice(0, -1);
  }
  return { lo: prefix, hi: Buffer.from([0xff]) };
}

function toKeyValue(row: LogRow): KeyValue {
  return freezeKv(row.key, row.value, row.create_revision, row.revision);
}

function toEvent(row: EventRow): StoreEvent {
  const kv = toKeyValue(row);
  const prev = row.prev_value === null || row.prev_create_revision === null
    ? undefined
    : freezeKv(row.key, row.prev_value, row.prev_create_revision, row.prev_revision);
  return Object.freeze({ type: row.deleted ? 'delete' : 'put', kv, ...(prev ? { prev } : {}) });
}
