// kanzen's zero-loss termination, part 2 (beyond Kubernetes). Upstream, the kubelet sends
// SIGTERM as soon as a pod gets its deletionTimestamp, while the EndpointSlice update and
// every node's kube-proxy are still catching up: new connections keep arriving at a
// process that is shutting down (kubernetes#43576, #86280), which users paper over with
// `preStop: sleep`. Here the kubelet first waits — bounded — until
//   1. every EndpointSlice that lists the pod shows it out of rotation (ready=false or
//      terminating=true; or the pod is gone from them), and
//   2. every Ready node whose proxy reports its progress (proxy-sync-reporter.ts) has
//      programmed slices up to the revision of those slice writes,
// so no proxy sends the pod a new connection any more; then preStop and the stop signal
// run as usual. A pod no slice lists (no Service selects it) does not wait at all. The wait
// is level-triggered: every slice or Node event re-evaluates the waiting pods.
import type { EndpointSlice, Node, Pod } from '../api/types.js';
import type { Informer } from '../client/informer.js';
import { maxResourceVersion, resourceVersionAtLeast } from '../proxy/resource-version.js';
import { proxySyncAnnotation } from './proxy-sync-reporter.js';

export type DrainOutcome = 'not-an-endpoint' | 'drained' | 'timeout';

export interface DrainResult {
  outcome: DrainOutcome;
  waitedMs: number;
}

/** What the kubelet asks before stopping a pod's containers. */
export interface EndpointDrainer {
  waitUntilUnrouted(pod: Pod, timeoutMs: number): Promise<DrainResult>;
}

export interface EndpointDrainGateOptions {
  slices: Informer<EndpointSlice>;
  nodes: Informer<Node>;
  now?: () => number;
}

interface Waiter {
  pod: Pod;
  /** Set once the pod is in no slice any more: the revision the proxies must reach. */
  goneAt?: string;
  check(): void;
}

export class EndpointDrainGate implements EndpointDrainer {
  private readonly waiters = new Set<Waiter>();
  /** Highest slice revision this gate has seen (a lower bound for a slice write that removed the pod). */
  private slicesRV = '';
  private readonly now: () => number;

  constructor(private readonly opts: EndpointDrainGateOptions) {
    this.now = opts.now ?? Date.now;
    const onSlice = (s: EndpointSlice) => {
      this.slicesRV = maxResourceVersion(this.slicesRV, s.metadata.resourceVersion);
      this.recheck();
    };
    opts.slices.addHandlers({ add: onSlice, update: (_o, s) => onSlice(s), delete: onSlice });
    opts.nodes.addHandlers({ add: () => this.recheck(), update: () => this.recheck(), delete: () => this.recheck() });
  }

  async waitUntilUnrouted(pod: Pod, timeoutMs: number): Promise<DrainResult> {
    const start = this.now();
    const result = (outcome: DrainOutcome): DrainResult => ({ outcome, waitedMs: this.now() - start });
    if (timeoutMs <= 0) return result('timeout');
    const synced = await Promise.race([
      Promise.all([this.opts.slices.waitForSync(), this.opts.nodes.waitForSync()]).then(() => true),
      sleep(timeoutMs).then(() => false),
    ]);
    if (!synced) return result('timeout');
    if (this.slicesListing(pod).length === 0) return result('not-an-endpoint');
    const remaining = Math.max(0, timeoutMs - (this.now() - start));
    return new Promise<DrainResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: DrainOutcome) => {
        this.waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        resolve(result(outcome));
      };
      const waiter: Waiter = {
        pod,
        check: () => {
          if (this.drained(waiter)) finish('drained');
        },
      };
      this.waiters.add(waiter);
      timer = setTimeout(() => finish('timeout'), remaining);
      waiter.check();
    });
  }

  /** Pods waiting now (diagnostics, tests). */
  get waiting(): number {
    return this.waiters.size;
  }

  private recheck(): void {
    for (const w of [...this.waiters]) w.check();
  }

  private drained(w: Waiter): boolean {
    const listing = this.slicesListing(w.pod);
    let target: string;
    if (listing.length) {
      target = '';
      for (const { slice, endpoint } of listing) {
        const c = endpoint.conditions ?? {};
        // Upstream reads an unset ready as true; terminating is what the deletion writes.
        if (c.ready !== false && c.terminating !== true) return false;
        target = maxResourceVersion(target, slice.metadata.resourceVersion);
      }
    } else {
      // Dropped from its slices (or the slice deleted): that write is no later than what
      // this gate has seen by now.
      w.goneAt ??= this.slicesRV;
      target = w.goneAt;
    }
    return this.proxiesReached(target);
  }

  /** Every Ready node that reports proxy progress has programmed slices up to rv. */
  private proxiesReached(rv: string): boolean {
    for (const node of this.opts.nodes.list()) {
      const reported = node.metadata.annotations?.[proxySyncAnnotation];
      // A node without the annotation runs no reporting proxy (fake nodes, older agents).
      if (reported === undefined || !isReady(node)) continue;
      if (!resourceVersionAtLeast(reported, rv)) return false;
    }
    return true;
  }

  /** The endpoints of the pod in its namespace's slices: by targetRef UID, else by IP. */
  private slicesListing(pod: Pod): { slice: EndpointSlice; endpoint: NonNullable<EndpointSlice['endpoints']>[number] }[] {
    const uid = pod.metadata.uid;
    const ips = new Set([pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((x): x is string => !!x));
    const out: { slice: EndpointSlice; endpoint: NonNullable<EndpointSlice['endpoints']>[number] }[] = [];
    for (const slice of this.opts.slices.list(pod.metadata.namespace)) {
      for (const endpoint of slice.endpoints ?? []) {
        const ref = endpoint.targetRef;
        const mine = ref?.uid ? ref.kind === 'Pod' && ref.uid === uid : endpoint.addresses.some((a) => ips.has(a));
        if (mine) out.push({ slice, endpoint });
      }
    }
    return out;
  }
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref?.());
}
