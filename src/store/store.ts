// The store seam: a revisioned key-value store with watch, shaped like kine's Backend
// (etcd semantics, narrowed to what the API server sends): create-if-absent, update and
// delete at a revision, list at a revision, watch from a revision, compact. Values are
// opaque strings (JSON of the API object). Every write bumps one global revision, which
// is the resourceVersion of the object written.

export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was created (kept across updates). */
  createRevision: number;
  /** Revision of the last write to the key: the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /**
   * Read as of this revision (0 or undefined: latest). Fails with CompactedError below the
   * compacted revision and with FutureRevisionError (future-revision-error.ts) above the current one.
   */
  revision?: number;
  /** At most this many items (0: no limit). */
  limit?: number;
  /** Only keys strictly greater than this one (for continue tokens). */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** More keys under the prefix follow the last item. */
  more: boolean;
  /** How many keys follow the last item (when more). */
  remaining: number;
}

export type StoreEventType = 'put' | 'delete';

export interface StoreEvent {
  type: StoreEventType;
  /** For put: the new value. For delete: the last value, with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this event (absent for a create). */
  prev?: KeyValue;
}

export interface Watcher {
  stop(): void;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}

/** The compare of a compare-and-swap failed: the key's revision is not the expected one. */
export class RevisionMismatchError extends Error {
  constructor(readonly key: string, readonly current: KeyValue | undefined) {
    super(`revision mismatch: ${key}`);
    this.name = 'RevisionMismatchError';
  }
}

/** A read or watch asked for history older than the compacted revision. */
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted: ${compacted})`);
    this.name = 'CompactedError';
  }
}

export interface Store {
  /** The latest revision written (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable by list/watch. */
  compactedRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys that start with prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Create-if-absent. Throws KeyExistsError. Returns the new revision. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap on modRevision. Throws RevisionMismatchError / KeyNotFoundError. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Delete, optionally at a revision. Throws KeyNotFoundError / RevisionMismatchError. Returns the deleted value with the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /**
   * Events for keys under prefix with revision > fromRevision, in revision order: history first
   * (throws CompactedError if fromRevision < compacted revision), then live events as they happen.
   * The callback is called synchronously in revision order and must not throw. History is
   * replayed before watch returns (unless watch is called from inside another callback: then
   * right after that delivery); a live event is delivered after its write commits, before
   * the write's promise resolves. fromRevision 0 replays all retained history.
   */
  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void): Watcher;
  /**
   * Forget history at and below revision (the latest value of each live key is kept). A
   * revision at or below the compacted one is a no-op; above the current one, FutureRevisionError.
   */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** A driver registry maps a URL-ish spec to a constructor, like kine's: "sqlite:/path/db", "memory:". */
export type StoreFactory = (spec: string) => Promise<Store>;
