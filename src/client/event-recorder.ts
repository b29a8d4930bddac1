// The one way components record Events (client-go's record.EventRecorder with its
// correlator): an event about an object is created once, and repeats of the same
// (object, type, reason, message, source) bump count and lastTimestamp instead of
// creating new events. Recording never throws: events are best effort, as upstream.
import type { Event, KubeObject, ObjectReference } from '../api/types.js';
import { resourceFor, type ApiClient } from './api-client.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { rfc3339 } from '../api/time.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

const maxCachedEvents = 4096;


export function referenceTo(obj: KubeObject): ObjectReference {
  const ref: ObjectReference = {
    kind: obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    apiVersion: obj.apiVersion,
    resourceVersion: obj.metadata.resourceVersion,
  };
  if (!ref.namespace) delete ref.namespace;
  return ref;
}

export class ApiEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; first: string }>();
  private readonly events = resourceFor('events');
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: ApiClient,
    private readonly component: string,
    private readonly host?: string,
    private readonly log: Logger = silentLogger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    // Serialised so repeats of one event update it in order.
    this.chain = this.chain.then(() => this.record(obj, type, reason, message)).catch((e) => this.log.debug('event not recorded', { reason, err: e }));
  }

  /** Resolves when every event recorded so far has been written (for tests). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const ref = referenceTo(obj);
    // Events about cluster-scoped objects live in "default", as upstream's recorder puts them.
    const namespace = ref.namespace ?? 'default';
    const key = [ref.kind, ref.namespace, ref.name, ref.uid, type, reason, message, this.component].join('\u0000');
    const ts = rfc3339(this.now());
    const seen = this.recent.get(key);
    if (seen) {
      seen.count++;
      try {
        await this.client.patch(this.events, seen.namespace, seen.name, 'merge', { count: seen.count, lastTimestamp: ts });
        this.touch(key, seen);
        return;
      } catch {
        this.recent.delete(key);
      }
    }
    const name = `${ref.name}.${(BigInt(this.now().getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      source: this.host ? { component: this.component, host: this.host } : { component: this.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
    await this.client.create(this.events, namespace, ev);
    this.touch(key, { name, namespace, count: 1, first: ts });
  }

  private touch(key: string, v: { name: string; namespace: string; count: number; first: string }): void {
    this.recent.delete(key);
    this.recent.set(key, v);
    if (this.recent.size > maxCachedEvents) this.recent.delete(this.recent.keys().next().value!);
  }
}
