// The ConfigMaps and Secrets behind a node's configMap/secret/projected volumes, watched so
// running pods' files follow their sources (upstream: the kubelet's configmap/secret managers
// with the Watch change-detection strategy, which the volume plugins read on every remount).
// Narrowed the way upstream narrows it: only namespaces where this node's pods reference a
// kind are watched (one informer per kind and namespace), and a namespace no pod needs any
// more is dropped. Reads come from the cache; a miss (an object created a moment ago, before
// its watch event) falls back to a GET, so a fresh pod never fails its mount on a stale cache.
import type { ConfigMap, KubeObject, Secret } from '../../api/types.js';
import { isNotFound } from '../../api/errors.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { Informer } from '../../client/informer.js';
import type { Logger } from '../../util/logger.js';
import type { EnvSources } from './container-env.js';

export type VolumeSourceKind = 'ConfigMap' | 'Secret';

const infos = { ConfigMap: resourceFor('configmaps'), Secret: resourceFor('secrets') } as const;

/** The key of a watch: `Kind/namespace`. */
export function sourceWatchKey(kind: VolumeSourceKind, namespace: string): string {
  return `${kind}/${namespace}`;
}

export interface VolumeSourceWatchOptions {
  client: ApiClient;
  logger: Logger;
  /** A watched object was created, changed or deleted (not called for the initial list). */
  onChange(kind: VolumeSourceKind, namespace: string, name: string): void;
}

export class VolumeSourceWatch {
  private readonly informers = new Map<string, Informer>();
  private stopped = false;

  constructor(private readonly opts: VolumeSourceWatchOptions) {}

  /** Watches kind in namespace from now on (idempotent). */
  watch(kind: VolumeSourceKind, namespace: string): void {
    const key = sourceWatchKey(kind, namespace);
    if (this.stopped || this.informers.has(key)) return;
    const inf = new Informer<KubeObject>(this.opts.client, infos[kind], { namespace, logger: this.opts.logger });
    const changed = (obj: KubeObject) => this.opts.onChange(kind, namespace, obj.metadata.name ?? '');
    inf.addHandlers({
      // The initial list is what the volumes were just built from: no news.
      add: (obj) => {
        if (inf.hasSynced()) changed(obj);
      },
      update: (old, obj) => {
        if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) changed(obj);
      },
      delete: changed,
    });
    this.informers.set(key, inf);
    inf.start();
  }

  /** Stops the watches no longer needed (keys `Kind/namespace`). */
  retain(needed: ReadonlySet<string>): void {
    for (const [key, inf] of this.informers) {
      if (needed.has(key)) continue;
      inf.stop();
      this.informers.delete(key);
    }
  }

  /** The watched kinds and namespaces (`Kind/namespace`). */
  get watching(): string[] {
    return [...this.informers.keys()].sort();
  }

  stop(): void {
    this.stopped = true;
    for (const inf of this.informers.values()) inf.stop();
    this.informers.clear();
  }

  private async get<T extends KubeObject>(kind: VolumeSourceKind, namespace: string, name: string): Promise<T | undefined> {
    const cached = this.informers.get(sourceWatchKey(kind, namespace))?.getByName(namespace, name);
    if (cached) return cached as T;
    try {
      return await this.opts.client.get<T>(infos[kind], namespace, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The sources volume payloads are built from. */
  get sources(): EnvSources {
    return {
      configMap: (ns, name) => this.get<ConfigMap>('ConfigMap', ns, name),
      secret: (ns, name) => this.get<Secret>('Secret', ns, name),
    };
  }
}
