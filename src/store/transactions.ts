// The transaction shapes the API server sends (kine's create-if-absent, update at revision,
// delete at revision) and the revision a read may ask for, checked the same way by every
// backend. Each write returns the event that a backend persists as revision `next`.
import { FutureRevisionError } from './future-revision-error.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, type KeyValue, type StoreEvent } from './store.js';

export function freezeKv(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision });
}

/** Create if absent: current is the key's live value, if any. */
export function createEvent(current: KeyValue | undefined, key: string, value: string, next: number): StoreEvent {
  if (current) throw new KeyExistsError(key);
  return { type: 'put', kv: freezeKv(key, value, next, next) };
}

/** Update at revision: the live value must be the one at expectedModRevision. */
export function updateEvent(current: KeyValue | undefined, key: string, value: string, expectedModRevision: number, next: number): StoreEvent {
  if (!current) throw new KeyNotFoundError(key);
  if (current.modRevision !== expectedModRevision) throw new RevisionMismatchError(key, current);
  return { type: 'put', kv: freezeKv(key, value, current.createRevision, next), prev: current };
}

/** Delete (at revision when one is given); the tombstone keeps the last value. */
export function deleteEvent(current: KeyValue | undefined, key: string, expectedModRevision: number | undefined, next: number): StoreEvent {
  if (!current) throw new KeyNotFoundError(key);
  if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
    throw new RevisionMismatchError(key, current);
  }
  return { type: 'delete', kv: freezeKv(key, current.value, current.createRevision, next), prev: current };
}

/** The revision a list reads at: the current one unless an old, still retained one is asked for. */
export function readRevision(requested: number | undefined, current: number, compacted: number): number {
  if (!requested) return current;
  if (requested < compacted) throw new CompactedError(requested, compacted);
  if (requested > current) throw new FutureRevisionError(requested, current);
  return requested;
}

/** Whether compacting at revision removes anything (a revision not reached yet is an error). */
export function compactionNeeded(revision: number, current: number, compacted: number): boolean {
  if (revision > current) throw new FutureRevisionError(revision, current);
  return revision > compacted;
}
