// The one informer/cache (client-go's reflector + store + shared informer, in one small
// class): list, then watch from the list's resourceVersion; on a watch that ends, resume
// from the last seen resourceVersion; on 410 Expired, relist and report the differences
// as events, so handlers stay level-triggered and never miss a deletion.
import type { KubeObject, Status, WatchEvent } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import type { ApiClient, WatchHandle } from './api-client.js';

export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  logger?: Logger;
  /** Page size of the initial list. */
  pageSize?: number;
  /**
   * Drop metadata.managedFields from cached objects, as kube-controller-manager's and
   * kube-scheduler's informer factories do (WithTransform): nothing reconciles on them,
   * and they are a large part of every object. An update built from a cached object then
   * carries none, which keeps the stored ones.
   */
  stripManagedFields?: boolean;
}

export function objectKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name ?? '';
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

const retryMinMs = 200;
const labelIndex = 'kanzen:label';
const controllerIndex = 'kanzen:controller';
const retryMaxMs = 10_000;

export class Informer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly indexes = new Map<string, { fn: (obj: T) => string[]; map: Map<string, Set<string>> }>();
  private watchHandle?: WatchHandle;
  private resourceVersion = '';
  private synced = false;
  private stopped = false;
  private retryMs = retryMinMs;
  private retryTimer?: NodeJS.Timeout;
  private readonly syncWaiters: (() => void)[] = [];
  private readonly log: Logger;

  constructor(
    private readonly client: ApiClient,
    readonly info: ResourceInfo,
    private readonly opts: InformerOptions = {},
  ) {
    this.log = (opts.logger ?? silentLogger).child(`informer/${info.resource}`);
  }

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    // Late handlers see the current state as adds, as client-go's shared informer does.
    if (this.synced) for (const obj of this.items.values()) h.add?.(obj);
  }

  /** An index: objects by the keys fn returns (e.g. pods by node name). */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    const map = new Map<string, Set<string>>();
    for (const [key, obj] of this.items) for (const v of fn(obj)) (map.get(v) ?? map.set(v, new Set()).get(v)!).add(key);
    this.indexes.set(name, { fn, map });
  }

  /**
   * Objects that may match a label selector: a superset found through an index of label
   * pairs when the selector has an equality term (callers still check the whole selector).
   * Controllers use it so a sync costs the matching objects, not the whole namespace.
   */
  candidatesForSelector(namespace: string | undefined, matchLabels: Record<string, string> | undefined): T[] {
    const first = Object.entries(matchLabels ?? {})[0];
    if (!first) return this.list(namespace);
    if (!this.indexes.has(labelIndex)) this.addIndex(labelIndex, (o) => Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`));
    const hits = this.byIndex(labelIndex, `${first[0]}=${first[1]}`);
    return namespace === undefined ? hits : hits.filter((o) => o.metadata.namespace === namespace);
  }

  /** Objects whose controller ownerReference names this uid. */
  ownedBy(uid: string): T[] {
    if (!this.indexes.has(controllerIndex)) {
      this.addIndex(controllerIndex, (o) => (o.metadata.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid));
    }
    return this.byIndex(controllerIndex, uid);
  }

  byIndex(name: string, value: string): T[] {
    const idx = this.indexes.get(name);
    if (!idx) throw new Error(`no index ${name}`);
    return [...(idx.map.get(value) ?? [])].map((k) => this.items.get(k)!).filter(Boolean);
  }

  hasIndex(name: string): boolean {
    return this.indexes.has(name);
  }

  /** How many objects an index holds under value, without listing them. */
  countByIndex(name: string, value: string): number {
    const idx = this.indexes.get(name);
    if (!idx) throw new Error(`no index ${name}`);
    return idx.map.get(value)?.size ?? 0;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    const all = [...this.items.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    void this.listAndWatch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.watchHandle?.stop();
  }

  private transform(obj: T): T {
    if (this.opts.stripManagedFields && obj.metadata?.managedFields) delete obj.metadata.managedFields;
    // A list's items carry no apiVersion and kind (as upstream's API server writes typed
    // lists); watch events do. client-go's typed objects get them back from the scheme when
    // an event or owner reference is made: give every cached object them here, once.
    if (!obj.kind) {
      obj.kind = this.info.kind;
      obj.apiVersion = this.info.group ? `${this.info.group}/${this.info.version}` : this.info.version;
    }
    return obj;
  }

  private setItem(key: string, obj: T | undefined): void {
    const old = this.items.get(key);
    for (const idx of this.indexes.values()) {
      if (old) {
        for (const v of idx.fn(old)) {
          const set = idx.map.get(v);
          // Values come and go (a node's pods of one controller): drop emptied ones.
          if (set?.delete(key) && set.size === 0) idx.map.delete(v);
        }
      }
      if (obj) for (const v of idx.fn(obj)) (idx.map.get(v) ?? idx.map.set(v, new Set()).get(v)!).add(key);
    }
    if (obj) this.items.set(key, obj);
    else this.items.delete(key);
  }

  private emit(kind: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers) {
      try {
        if (kind === 'add') h.add?.(a);
        else if (kind === 'update') h.update?.(a, b!);
        else h.delete?.(a);
      } catch (e) {
        this.log.error('handler failed', { err: e instanceof Error ? e.stack : String(e) });
      }
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.listAndWatch(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, retryMaxMs);
  }

  /** Lists everything, replaces the cache, and reports what changed since the last list. */
  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list<T>(this.info, this.opts.namespace, {
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        limit: this.opts.pageSize ?? 500,
        continue: cont,
      });
      for (const item of page.items) fresh.set(objectKey(item), this.transform(item));
      cont = page.metadata.continue;
      rv = page.metadata.resourceVersion ?? '';
    } while (cont);
    for (const [key, old] of [...this.items]) {
      if (!fresh.has(key)) {
        this.setItem(key, undefined);
        this.emit('delete', old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.items.get(key);
      this.setItem(key, obj);
      if (!old) this.emit('add', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit('update', old, obj);
    }
    this.resourceVersion = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private async listAndWatch(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.resourceVersion) await this.relist();
    } catch (e) {
      this.log.warn('list failed', { err: e });
      this.scheduleRetry();
      return;
    }
    this.watch();
  }

  private watch(): void {
    if (this.stopped) return;
    this.watchHandle = this.client.watch<T>(
      this.info,
      this.opts.namespace,
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector },
      (ev) => this.onEvent(ev),
      (err) => {
        if (this.stopped) return;
        if (err) {
          this.log.debug('watch ended', { err });
          if ((err as { code?: number }).code === 410) this.resourceVersion = '';
          this.scheduleRetry();
        } else {
          // A clean end (server timeout): resume from where we are.
          this.retryMs = retryMinMs;
          setImmediate(() => void this.listAndWatch());
        }
      },
    );
  }

  private onEvent(ev: WatchEvent<T>): void {
    if (ev.type === 'ERROR') {
      const status = ev.object as Status;
      if (status.code === 410) this.resourceVersion = '';
      this.watchHandle?.stop();
      this.scheduleRetry();
      return;
    }
    this.retryMs = retryMinMs;
    const obj = this.transform(ev.object as T);
    if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    if (ev.type === 'BOOKMARK') return;
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (ev.type === 'DELETED') {
      this.setItem(key, undefined);
      this.emit('delete', old ?? obj);
      return;
    }
    this.setItem(key, obj);
    if (old) this.emit('update', old, obj);
    else this.emit('add', obj);
  }
}
