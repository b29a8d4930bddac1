// One informer per resource, shared by every controller in a process (client-go's
// SharedInformerFactory), so the daemon watches each resource once.
import type { KubeObject } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Logger } from '../util/logger.js';
import type { ApiClient } from './api-client.js';
import { Informer, type InformerOptions } from './informer.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly logger?: Logger,
    /** Options every informer of the factory gets (e.g. stripManagedFields). */
    private readonly defaults: Pick<InformerOptions, 'stripManagedFields'> = {},
  ) {}

  /** The shared informer for a resource (optionally narrowed, e.g. pods of one node). */
  for<T extends KubeObject = KubeObject>(info: ResourceInfo, opts: Omit<InformerOptions, 'logger'> = {}): Informer<T> {
    const key = `${info.group}/${info.resource}?${opts.namespace ?? ''}&${opts.labelSelector ?? ''}&${opts.fieldSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, info, { ...this.defaults, ...opts, logger: this.logger });
      this.informers.set(key, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
  }
}
