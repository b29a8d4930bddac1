// Fan-out of committed events to in-process watchers, shared by the store backends.
//
// The guarantees a watch stream needs (etcd's, which the API server's watch cache relies
// on): every event after fromRevision exactly once, in revision order, no gap between the
// history replay and the live tail. Both come from one FIFO task queue drained by one
// loop: a watcher's history replay and every committed event are tasks, so a write made
// from inside a callback (or a watch opened from inside one) is delivered after the task
// being run, never interleaved with it.
import type { StoreEvent, Watcher } from './store.js';

interface Subscription {
  prefix: string;
  onEvent: (ev: StoreEvent) => void;
  /** Live events at or below this revision were (or will be) delivered by the history replay. */
  delivered: number;
  /** False until the history replay ran: live events queued before it are covered by it. */
  replayed: boolean;
  stopped: boolean;
}

export class WatchHub {
  private readonly subs = new Set<Subscription>();
  private readonly tasks: Array<() => void> = [];
  private draining = false;

  /**
   * Registers a watcher. history must hold the committed events under prefix after
   * fromRevision, read at currentRevision (so it ends at or before currentRevision); it is
   * replayed synchronously when no delivery is in progress (the usual case), otherwise
   * right after the delivery being run.
   */
  subscribe(
    prefix: string,
    fromRevision: number,
    currentRevision: number,
    history: StoreEvent[],
    onEvent: (ev: StoreEvent) => void,
  ): Watcher {
    const sub: Subscription = {
      prefix,
      onEvent,
      delivered: Math.max(fromRevision, currentRevision),
      replayed: false,
      stopped: false,
    };
    this.subs.add(sub);
    this.enqueue(() => {
      sub.replayed = true;
      for (const ev of history) {
        if (sub.stopped) return;
        this.deliver(sub, ev);
      }
    });
    return { stop: () => this.unsubscribe(sub) };
  }

  /** Called by a backend after the write committed, in revision order. */
  publish(ev: StoreEvent): void {
    this.enqueue(() => {
      const rev = ev.kv.modRevision;
      for (const sub of [...this.subs]) {
        if (sub.stopped || !sub.replayed || rev <= sub.delivered) continue;
        if (!ev.kv.key.startsWith(sub.prefix)) continue;
        sub.delivered = rev;
        this.deliver(sub, ev);
      }
    });
  }

  /** Stops every watcher (the store is closing). */
  stopAll(): void {
    for (const sub of this.subs) sub.stopped = true;
    this.subs.clear();
  }

  private unsubscribe(sub: Subscription): void {
    sub.stopped = true;
    this.subs.delete(sub);
  }

  private deliver(sub: Subscription, ev: StoreEvent): void {
    try {
      sub.onEvent(ev);
    } catch (err) {
      // The contract says callbacks must not throw; one that does is treated like a
      // consumer that went away, so it cannot stall delivery to the others.
      this.unsubscribe(sub);
      process.emitWarning(`store watcher on ${JSON.stringify(sub.prefix)} threw and was stopped: ${String(err)}`);
    }
  }

  private enqueue(task: () => void): void {
    this.tasks.push(task);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let t = this.tasks.shift(); t; t = this.tasks.shift()) t();
    } finally {
      this.draining = false;
    }
  }
}
