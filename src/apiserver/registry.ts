// The generic registry (upstream: apiserver/pkg/registry/generic/registry/store.go): one
// implementation of get/list/watch/create/update/patch/delete for every resource, with the
// per-resource differences in its Strategy. Objects are stored as JSON without
// resourceVersion; the store's modRevision is the resourceVersion on the way out.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ApiError, type FieldError } from '../api/errors.js';
import type { DeleteOptions, KubeList, KubeObject, OwnerReference } from '../api/types.js';
import { groupVersion, storageKey, storagePrefix, storageVersionOf, type ResourceInfo } from '../api/resources.js';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type KeyValue,
  type Store,
  type StoreEvent,
  type Watcher,
} from '../store/store.js';
import type { Strategy } from './strategy.js';
import type { UserInfo } from './user-info.js';
import type { VersionConversion } from './version-conversion.js';
import { matchesSelectors, type Selectors } from './selection.js';
import { updateManagedFields } from '../api/patch/server-side-apply.js';
import { rfc3339 } from '../api/time.js';
import { deepCopy } from '../api/patch/json-value.js';
import { objectFields } from '../api/fields.js';
export { rfc3339 };

export interface WriteContext {
  dryRun: boolean;
  fieldManager?: string;
  subresource?: string;
  /** The operation recorded in managedFields. */
  operation?: 'Update' | 'Apply';
  /**
   * The write sets what it must directly, past the strategy (no status reset, preparation,
   * allocation or validation), as upstream's BindingREST updates storage itself.
   */
  bypassStrategy?: boolean;
  /** Who the write is for (upstream: the user in the request's context); absent for the server's own writes. */
  user?: UserInfo;
}

export interface ListOptions extends Selectors {
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
}

export interface RegistryEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Shared by every watcher of this write: read-only. */
  object: KubeObject;
  /** The stored value, a key for caching the encoded event across watchers. */
  raw: KeyValue;
}

/** Letters upstream's names.SimpleNameGenerator draws from (no vowels, no look-alikes). */
const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const generateNameSuffixLength = 5;
const maxNameLength = 63;
const maxPatchRetries = 8;


export function generateName(base: string): string {
  const prefix = base.length > maxNameLength - generateNameSuffixLength ? base.slice(0, maxNameLength - generateNameSuffixLength) : base;
  let suffix = '';
  for (let i = 0; i < generateNameSuffixLength; i++) suffix += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
  return prefix + suffix;
}

/** A private copy of a stored object, safe to change: parsed afresh, which costs less than cloning. */
export function decodeStored(kv: KeyValue, apiVersion?: string): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  // Every served version of a custom resource reads the one stored object (conversion None):
  // it answers in the version asked for.
  if (apiVersion && obj.apiVersion) obj.apiVersion = apiVersion;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** One stored write as every watcher of it sees it: decoded once, its field set computed on first use. */
interface SharedDecode {
  /** The typed object: read-only. */
  object: KubeObject;
  fields?: Record<string, string>;
}

/** Memoised decode: many watchers see the same KeyValue; parse it (and derive its fields) once. */
const sharedDecodes = new WeakMap<KeyValue, SharedDecode>();

/** The shared decode of kv in apiVersion (decoded again when a watcher of another version asks). */
function decodeShared(kv: KeyValue, apiVersion: string, decode: (kv: KeyValue) => KubeObject): SharedDecode {
  let d = sharedDecodes.get(kv);
  if (!d || d.object.apiVersion !== apiVersion) {
    d = { object: decode(kv) };
    sharedDecodes.set(kv, d);
  }
  return d;
}

function encodeForStore(obj: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

/** Everything but metadata and status: what bumps generation when it changes. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string, prefix: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: lastKey.slice(prefix.length) + '\u0000' };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad token');
    return t;
  } catch {
    throw ApiError.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export class Registry {
  readonly gr: { group: string; resource: string };

  /**
   * `defaults` are the storage version's. A version stored as another (info.storageVersion) is
   * served through `conversion`: requests and answers are in this version, the strategy and the
   * store see the storage version's objects.
   */
  constructor(
    readonly info: ResourceInfo,
    readonly strategy: Strategy,
    private readonly store: Store,
    private readonly defaults: (obj: KubeObject) => void,
    private readonly now: () => Date = () => new Date(),
    private readonly conversion?: VersionConversion,
  ) {
    this.gr = { group: info.group, resource: info.resource };
    if (storageVersionOf(info) !== info.version && !conversion) throw new Error(`${info.resource}.${info.group}/${info.version}: stored as ${info.storageVersion} without a conversion`);
  }

  private key(namespace: string | undefined, name: string): string {
    return storageKey(this.info, this.info.namespaced ? namespace : undefined, name);
  }

  /** The type of the objects this registry serves. */
  private typeMeta(): { apiVersion: string; kind: string } {
    return { apiVersion: groupVersion(this.info), kind: this.info.kind };
  }

  /** A stored value as the storage version's object (the strategy's view). */
  private decodeStorage(kv: KeyValue): KubeObject {
    const apiVersion = groupVersion({ group: this.info.group, version: storageVersionOf(this.info) });
    return { apiVersion, kind: this.info.kind, ...decodeStored(kv, apiVersion) };
  }

  /** A stored value as this registry serves it. */
  private decode(kv: KeyValue): KubeObject {
    return this.served(this.decodeStorage(kv));
  }

  /** A storage version's object as this registry serves it. */
  private served(obj: KubeObject): KubeObject {
    return this.conversion ? this.conversion.fromStorage(obj) : obj;
  }

  /** A request's object of the served version, with that version's defaults, as the storage version's. */
  private toStorage(obj: KubeObject): KubeObject {
    if (!this.conversion) return obj;
    this.conversion.defaults?.(obj);
    return this.conversion.toStorage(obj);
  }

  /**
   * Managed fields are recorded in the version of the request (upstream's field manager works on
   * the versioned object): the update from old to next as this registry serves them, set on next.
   * A main-resource write of a resource with a status subresource owns no status fields (upstream's
   * ResetFieldsStrategy resets status there), whatever status the strategy gave a new object.
   */
  private withManagedFields(old: KubeObject | undefined, next: KubeObject, ctx: WriteContext, subresource: string | undefined): KubeObject {
    const resetStatus = this.strategy.hasStatus && !subresource;
    const view = (o: KubeObject): KubeObject => {
      const served = this.served(o);
      if (!resetStatus) return served;
      const { status: _status, ...rest } = served;
      return rest as KubeObject;
    };
    const stamp = rfc3339(this.now());
    const fields = updateManagedFields(old && view(old), view(next), ctx.fieldManager ?? 'unknown', 'Update', stamp, subresource).metadata.managedFields;
    const { managedFields: _m, ...metadata } = next.metadata;
    return { ...next, metadata: fields ? { ...metadata, managedFields: fields } : metadata };
  }

  private invalid(name: string, errs: FieldError[]): ApiError {
    return ApiError.invalid(this.info.group, this.info.kind, name, errs);
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw ApiError.notFound(this.gr, name);
    return this.decode(kv);
  }

  async tryGet(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.store.get(this.key(namespace, name));
    return kv ? this.decode(kv) : undefined;
  }

  async list(namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList> {
    const prefix = storagePrefix(this.info, namespace);
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (opts.continueToken) {
      const token = decodeContinue(opts.continueToken);
      revision = token.rv;
      startAfter = prefix + token.start.replace(/\u0000$/, '');
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: KubeObject[] = [];
    let lastKey: string | undefined;
    let more = false;
    let remaining = 0;
    let readRevision = 0;
    try {
      // Read pages from the store at one revision until `limit` items pass the selectors.
      for (;;) {
        const page = await this.store.list(prefix, { revision, startAfter, limit: limit ? Math.max(limit - items.length, 50) : 0 });
        readRevision = page.revision;
        revision = page.revision;
        for (const kv of page.items) {
          if (limit && items.length >= limit) {
            more = true;
            break;
          }
          lastKey = kv.key;
          const obj = this.decode(kv);
          if (matchesSelectors(this.strategy.fieldSelectors, this.info.namespaced, obj, opts)) items.push(obj);
        }
        if (limit && items.length >= limit) {
          more = more || page.more;
          remaining = page.remaining;
          break;
        }
        if (!page.more || page.items.length === 0) break;
        startAfter = page.items[page.items.length - 1].key;
      }
    } catch (e) {
      if (e instanceof CompactedError && opts.continueToken) {
        throw ApiError.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      throw e;
    }
    const list: KubeList = {
      apiVersion: groupVersion(this.info),
      kind: this.info.listKind,
      metadata: { resourceVersion: String(readRevision) },
      items,
    };
    if (more && lastKey) {
      list.metadata.continue = encodeContinue(readRevision, lastKey, prefix);
      if (!opts.labelSelector && !opts.fieldSelector && remaining > 0) list.metadata.remainingItemCount = remaining;
    }
    return list;
  }

  /**
   * Watches objects after `fromRevision`. Events for objects outside the selectors are dropped,
   * except that an object leaving the selection is reported as DELETED (upstream's watch filter).
   */
  watch(namespace: string | undefined, fromRevision: number, selectors: Selectors, onEvent: (ev: RegistryEvent, revision: number) => void): Watcher {
    const prefix = storagePrefix(this.info, namespace);
    const apiVersion = groupVersion(this.info);
    const decode = (kv: KeyValue) => this.decode(kv);
    try {
      return this.store.watch(prefix, fromRevision, (ev: StoreEvent) => {
        // Every watcher sees the same write: decode it once and share it read-only (the
        // fan-out to many watchers is the API server's hot path).
        const shared = decodeShared(ev.kv, apiVersion, decode);
        const cur = shared.object;
        const curMatch = this.sharedMatches(shared, selectors);
        const raw = ev.kv;
        if (ev.type === 'delete') {
          if (curMatch) onEvent({ type: 'DELETED', object: cur, raw }, raw.modRevision);
          return;
        }
        const prevMatch = ev.prev ? this.sharedMatches(decodeShared(ev.prev, apiVersion, decode), selectors) : false;
        if (curMatch) onEvent({ type: prevMatch ? 'MODIFIED' : 'ADDED', object: cur, raw }, raw.modRevision);
        else if (prevMatch) onEvent({ type: 'DELETED', object: cur, raw }, raw.modRevision);
      });
    } catch (e) {
      if (e instanceof CompactedError) throw ApiError.expired(`too old resource version: ${e.requested} (${e.compacted})`);
      throw e;
    }
  }

  /** The selectors' verdict on a shared decode, its field set derived once for all watchers. */
  private sharedMatches(d: SharedDecode, selectors: Selectors): boolean {
    const fields = this.strategy.fieldSelectors;
    const namespaced = this.info.namespaced;
    return matchesSelectors(fields, namespaced, d.object, selectors, () => (d.fields ??= objectFields(fields, d.object, namespaced)));
  }

  /** Fills in name, namespace, uid, timestamps for a new object (upstream FillObjectMetaSystemFields + BeforeCreate). */
  private prepareNew(namespace: string | undefined, obj: KubeObject): void {
    const tm = this.typeMeta();
    if (obj.apiVersion !== undefined && obj.apiVersion !== tm.apiVersion) {
      throw ApiError.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${tm.apiVersion})`);
    }
    if (obj.kind !== undefined && obj.kind !== tm.kind) {
      throw ApiError.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${tm.kind})`);
    }
    obj.apiVersion = tm.apiVersion;
    obj.kind = tm.kind;
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (this.info.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
    } else if (meta.namespace) {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    if (this.strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
  }

  async create(namespace: string | undefined, input: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    const obj = deepCopy(input);
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw ApiError.badRequest('Object is not a valid JSON object');
    const triedGenerate = !obj.metadata?.name && !!obj.metadata?.generateName;
    for (let attempt = 0; ; attempt++) {
      this.prepareNew(namespace, obj);
      const stored = this.toStorage(obj);
      this.defaults(stored);
      if (ctx.user) this.strategy.authorizeWrite?.(stored, undefined, ctx.user);
      this.strategy.prepareForCreate(stored);
      // Allocation precedes validation, as upstream's BeginCreate hook does.
      const txn = this.strategy.beginCreate?.(stored, ctx.dryRun);
      try {
        const errs = [...this.strategy.validate(stored), ...((await this.strategy.validateAsync?.(stored, undefined)) ?? [])];
        if (errs.length) throw this.invalid(stored.metadata.name ?? '', errs);
        // An apply has already recorded its own managed fields.
        const withFields = ctx.operation === 'Apply' ? stored : this.withManagedFields(undefined, stored, ctx, ctx.subresource);
        if (ctx.dryRun) {
          txn?.revert();
          return this.served(withFields);
        }
        const kv = await this.store.create(this.key(stored.metadata.namespace, stored.metadata.name!), encodeForStore(withFields));
        txn?.commit();
        return this.decode(kv);
      } catch (e) {
        txn?.revert();
        if (e instanceof KeyExistsError) {
          if (triedGenerate && attempt < 3) {
            delete obj.metadata.name;
            continue;
          }
          throw ApiError.alreadyExists(this.gr, stored.metadata.name!);
        }
        throw e;
      }
    }
  }

  /**
   * Replaces an object (PUT, and the last step of every patch). `mutate` builds the new object
   * from the current one (a private copy it may change and return); it is re-run on a
   * revision conflict when `retryOnConflict`. What it returns becomes the registry's, which
   * changes it (server-set metadata, defaults): an object used once (a request body), never
   * one the caller keeps or returns again.
   */
  async update(
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject | undefined) => KubeObject,
    ctx: WriteContext,
    retryOnConflict = false,
  ): Promise<{ object: KubeObject; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const key = this.key(namespace, name);
      const kv = await this.store.get(key);
      if (!kv) {
        const next = mutate(undefined);
        if (!this.strategy.allowCreateOnUpdate && ctx.operation !== 'Apply') throw ApiError.notFound(this.gr, name);
        if (next.metadata?.name && next.metadata.name !== name) throw ApiError.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
        next.metadata = { ...next.metadata, name };
        return { object: await this.create(namespace, next, ctx), created: true };
      }
      const current = this.decodeStorage(kv);
      // mutate gets a copy of its own; what it returns is the registry's to change.
      const next = mutate(this.decode(kv));
      try {
        const object = await this.replace(current, kv, next, ctx);
        return { object, created: false };
      } catch (e) {
        if (retryOnConflict && e instanceof ApiError && e.reason === 'Conflict' && attempt < maxPatchRetries && !e.status.details?.causes) continue;
        throw e;
      }
    }
  }

  /** current: the stored object (storage version); next: the request's, in the served version. */
  private async replace(current: KubeObject, kv: KeyValue, served: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    let next = served;
    const name = current.metadata.name!;
    const tm = this.typeMeta();
    if (next.apiVersion !== undefined && next.apiVersion !== tm.apiVersion) {
      throw ApiError.badRequest(`the API version in the data (${next.apiVersion}) does not match the expected API version (${tm.apiVersion})`);
    }
    next.apiVersion = tm.apiVersion;
    next.kind = tm.kind;
    next.metadata ??= {};
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw ApiError.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (next.metadata.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw ApiError.modified(this.gr, name);
    }
    if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
      throw ApiError.conflict(this.gr, name, `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    // System fields are the server's, whatever the client sent.
    next.metadata.name = name;
    next.metadata.namespace = current.metadata.namespace;
    next.metadata.uid = current.metadata.uid;
    next.metadata.creationTimestamp = current.metadata.creationTimestamp;
    next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    next.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    if (!next.metadata.deletionTimestamp) {
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
    }
    if (this.info.namespaced === false) delete next.metadata.namespace;
    next = this.toStorage(next);
    const subStrategy = ctx.subresource ? this.strategy.subresources?.[ctx.subresource] : undefined;
    if (subStrategy) {
      // A copy of the current object of its own (a fresh parse costs less than a clone).
      next = subStrategy.prepareForUpdate(next, this.decodeStorage(kv));
    } else if (this.strategy.hasStatus && !ctx.bypassStrategy) {
      // Main writes keep status (a binding also writes the PodScheduled condition).
      if (current.status === undefined) delete next.status;
      else next.status = deepCopy(current.status);
    }
    this.defaults(next);
    const mainWrite = !subStrategy && !ctx.bypassStrategy;
    if (mainWrite && ctx.user) this.strategy.authorizeWrite?.(next, current, ctx.user);
    if (mainWrite) this.strategy.prepareForUpdate(next, current, ctx.subresource);
    // Allocation precedes validation, as upstream's BeginUpdate hook does.
    const txn = mainWrite ? this.strategy.beginUpdate?.(next, current, ctx.dryRun) : undefined;
    try {
      if (subStrategy) {
        const errs = [...subStrategy.validateUpdate(next, current), ...((await subStrategy.validateAsync?.(next, current)) ?? [])];
        if (errs.length) throw this.invalid(name, errs);
      } else if (mainWrite) {
        // Bindings set spec.nodeName directly, bypassing pod update validation (upstream BindingREST).
        const errs = [...this.strategy.validateUpdate(next, current), ...((await this.strategy.validateAsync?.(next, current)) ?? [])];
        if (errs.length) throw this.invalid(name, errs);
        await this.strategy.admitUpdate?.(next, current, ctx.dryRun);
      }
      if (this.strategy.tracksGeneration) {
        const gen = current.metadata.generation ?? 1;
        next.metadata.generation = isDeepStrictEqual(specOf(next), specOf(current)) ? gen : gen + 1;
      }
      // A finalizer-pending deletion completes once the last finalizer is gone.
      const removeNow =
        !!next.metadata.deletionTimestamp && !next.metadata.finalizers?.length && (this.strategy.readyToRemove?.(next) ?? true) && !this.isGracefulPending(next);
      // An apply has already recorded its own managed fields.
      const finalObj = ctx.operation === 'Apply' ? next : this.withManagedFields(current, next, ctx, subStrategy ? ctx.subresource : undefined);
      if (this.unchanged(current, finalObj)) {
        txn?.revert();
        return this.served(current);
      }
      if (ctx.dryRun) {
        txn?.revert();
        return this.served(finalObj);
      }
      if (removeNow) {
        txn?.revert();
        const gone = this.decodeStorage(await this.store.delete(kv.key, kv.modRevision));
        this.strategy.afterDelete?.(gone);
        return this.served(gone);
      }
      const written = await this.store.update(kv.key, encodeForStore(finalObj), kv.modRevision);
      txn?.commit();
      return this.decode(written);
    } catch (e) {
      txn?.revert();
      if (e instanceof RevisionMismatchError) throw ApiError.modified(this.gr, name);
      if (e instanceof KeyNotFoundError) throw ApiError.notFound(this.gr, name);
      throw e;
    }
  }

  private isGracefulPending(obj: KubeObject): boolean {
    return (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  private unchanged(current: KubeObject, next: KubeObject): boolean {
    // Shallow copies: the comparison ignores resourceVersion and managedFields without cloning.
    const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
    return isDeepStrictEqual(strip(current), strip(next));
  }

  /** DELETE: graceful deletion, finalizers and propagation policy as upstream's Store.Delete. */
  async delete(namespace: string | undefined, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<{ object: KubeObject; removed: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const key = this.key(namespace, name);
      const kv = await this.store.get(key);
      if (!kv) throw ApiError.notFound(this.gr, name);
      const current = this.decodeStorage(kv);
      if (opts.preconditions?.uid && opts.preconditions.uid !== current.metadata.uid) {
        throw ApiError.conflict(this.gr, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== current.metadata.resourceVersion) {
        throw ApiError.conflict(
          this.gr,
          name,
          `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        );
      }
      const next = deepCopy(current);
      const meta = next.metadata;
      const requested = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
      const finalizers = new Set(meta.finalizers ?? []);
      // A resource's default policy applies only when neither the request nor the object's finalizers chose one.
      const defaultPolicy = !finalizers.has('orphan') && !finalizers.has('foregroundDeletion') ? this.strategy.defaultGarbageCollectionPolicy : undefined;
      const policy = requested ?? (current.metadata.deletionTimestamp ? undefined : defaultPolicy);
      if (policy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      } else if (policy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      } else if (policy === 'Background') {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      // Finalizers only change on the first delete; later deletes keep what the first chose.
      const alreadyDeleting = !!current.metadata.deletionTimestamp;
      if (!alreadyDeleting || policy) meta.finalizers = finalizers.size ? [...finalizers] : undefined;
      if (!meta.finalizers) delete meta.finalizers;
      const grace = this.strategy.gracePeriod?.(current, opts) ?? 0;
      const now = this.now();
      if (!alreadyDeleting) this.strategy.prepareForDelete?.(next);
      const mustWait = grace > 0 || (meta.finalizers?.length ?? 0) > 0 || !(this.strategy.readyToRemove?.(next) ?? true);
      if (mustWait) {
        const proposed = new Date(now.getTime() + grace * 1000);
        if (!alreadyDeleting || (grace >= 0 && proposed.getTime() < Date.parse(meta.deletionTimestamp!))) {
          meta.deletionTimestamp = rfc3339(proposed);
          meta.deletionGracePeriodSeconds = grace;
        }
        if (isDeepStrictEqual(next, current)) return { object: this.served(current), removed: false };
        if (ctx.dryRun) return { object: this.served(next), removed: false };
        try {
          const written = await this.store.update(key, encodeForStore(next), kv.modRevision);
          return { object: this.decode(written), removed: false };
        } catch (e) {
          if (e instanceof RevisionMismatchError && attempt < maxPatchRetries) continue;
          throw e;
        }
      }
      if (ctx.dryRun) return { object: this.served(current), removed: true };
      try {
        const gone = this.decodeStorage(await this.store.delete(key, kv.modRevision));
        this.strategy.afterDelete?.(gone);
        return { object: this.served(gone), removed: true };
      } catch (e) {
        if ((e instanceof RevisionMismatchError || e instanceof KeyNotFoundError) && attempt < maxPatchRetries) continue;
        throw e;
      }
    }
  }

  async deleteCollection(namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions, ctx: WriteContext): Promise<KubeList> {
    const list = await this.list(namespace, { ...listOpts, limit: 0, continueToken: undefined });
    const items: KubeObject[] = [];
    for (const item of list.items) {
      try {
        items.push((await this.delete(item.metadata.namespace, item.metadata.name!, opts, ctx)).object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { ...list, items };
  }
}

export function ownerRefsEqual(a: OwnerReference[] | undefined, b: OwnerReference[] | undefined): boolean {
  return isDeepStrictEqual(a ?? [], b ?? []);
}
