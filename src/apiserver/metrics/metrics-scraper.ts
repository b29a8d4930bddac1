// metrics-server's scraper (pkg/scraper): every metric resolution, read each node's resource
// usage (the kubelet's /metrics/resource) and keep the last two readings per node, from which
// resource-metrics.ts computes the metrics.k8s.io objects. A node that fails to answer keeps
// its earlier readings out of the answer (metrics-server drops nodes it could not scrape).
//
// A rate needs two readings, so metrics-server has nothing for a pod until its second scrape,
// up to a whole resolution (15 s) after it started. kanzen keeps that rule but takes the first
// two readings quickly: it reads at start and soon after a pod starts (requestScrape), and when
// a reading shows a node or container seen for the first time it reads again after
// firstWindowMs instead of waiting for the next resolution.
import type { Logger } from '../../util/logger.js';
import type { NodeResourceUsage } from '../../api/node-resource-usage.js';
import type { ReadingPair } from './resource-metrics.js';

/** metrics-server's default --metric-resolution. */
export const defaultMetricResolutionMs = 15_000;

/**
 * How soon a node or container seen for the first time is read again, and the shortest window a
 * rate is taken over: long enough for a CPU counter to have moved, short enough that `kubectl
 * top` has numbers for a new pod within a couple of seconds.
 */
export const firstWindowMs = 1_000;

export interface MetricsScraperOptions {
  /** The names of the cluster's nodes now. */
  nodes(): Promise<string[]>;
  /** One node's reading (over its kubelet server, or in process for the fake runtime). */
  scrape(node: string): Promise<NodeResourceUsage>;
  resolutionMs?: number;
  logger: Logger;
}

interface NodeReadings {
  prev?: NodeResourceUsage;
  cur: NodeResourceUsage;
  /** Readings after prev and before cur, each the next prev once it is minWindowMs older than a new reading. */
  between?: NodeResourceUsage[];
}

const containerKey = (c: { namespace: string; pod: string; container: string }) => `${c.namespace}/${c.pod}/${c.container}`;

/** More readings than this inside one shortest window are not kept (only the newest). */
const maxBetween = 8;

/**
 * The node's readings with a new one: it becomes the current reading, and the previous reading
 * is the newest one at least minWindowMs older, so a window is never shorter than that and never
 * much longer than the gap between reads. Readings too recent to be that are kept as later
 * candidates: extra reads between the regular ones (a pod starting) must not pin an old
 * previous reading while the current one is replaced again and again.
 */
export function withReading(last: NodeReadings | undefined, reading: NodeResourceUsage, minWindowMs: number): NodeReadings {
  if (!last) return { cur: reading };
  const earlier = [...(last.prev ? [last.prev] : []), ...(last.between ?? []), last.cur];
  const cutoff = reading.time.getTime() - minWindowMs;
  let p = -1;
  for (let i = 0; i < earlier.length; i++) if (earlier[i].time.getTime() <= cutoff) p = i;
  const between = earlier.slice(p + 1).slice(-maxBetween);
  return { ...(p >= 0 ? { prev: earlier[p] } : {}), cur: reading, ...(between.length ? { between } : {}) };
}

/** Whether the readings lack a rate for something: the node read once, or a container not in the previous reading (new, or restarted). */
export function lacksRate(r: NodeReadings): boolean {
  if (!r.prev) return true;
  const before = new Map(r.prev.containers.map((c) => [containerKey(c), c.cpuCoreSeconds]));
  return r.cur.containers.some((c) => {
    const cpu = before.get(containerKey(c));
    return cpu === undefined || cpu > c.cpuCoreSeconds;
  });
}

export class MetricsScraper {
  private readonly readings = new Map<string, NodeReadings>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** A scrape asked for while one runs: run again when it ends. */
  private rerun = false;
  private soon?: { timer: NodeJS.Timeout; due: number };
  private stopped = false;

  constructor(private readonly opts: MetricsScraperOptions) {}

  private get resolutionMs(): number {
    return this.opts.resolutionMs ?? defaultMetricResolutionMs;
  }

  private get firstWindowMs(): number {
    return Math.min(firstWindowMs, this.resolutionMs);
  }

  start(): void {
    this.tick(false);
    this.timer = setInterval(() => this.tick(false), this.resolutionMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon?.timer);
    await this.running;
  }

  /** Reads every node within delayMs (a pod started, a node joined); requests meanwhile share the read. */
  requestScrape(delayMs = 0): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.soon && this.soon.due <= due) return;
    clearTimeout(this.soon?.timer);
    const timer = setTimeout(() => {
      this.soon = undefined;
      this.tick(true);
    }, delayMs);
    timer.unref();
    this.soon = { timer, due };
  }

  private tick(requested: boolean): void {
    if (this.running) {
      // A resolution tick during a slow round is skipped, as metrics-server's; a request is kept.
      this.rerun ||= requested;
      return;
    }
    this.running = this.scrapeAll().finally(() => {
      this.running = undefined;
      if (this.rerun && !this.stopped) {
        this.rerun = false;
        this.tick(true);
      }
    });
  }

  /** One round over every node (exported for tests that drive the scraper themselves). */
  async scrapeAll(): Promise<void> {
    const nodes = await this.opts.nodes().catch(() => [] as string[]);
    for (const gone of [...this.readings.keys()].filter((n) => !nodes.includes(n))) this.readings.delete(gone);
    await Promise.all(
      nodes.map(async (node) => {
        try {
          const reading = await this.opts.scrape(node);
          this.readings.set(node, withReading(this.readings.get(node), reading, this.firstWindowMs));
        } catch (e) {
          this.readings.delete(node);
          this.opts.logger.warn('Failed to scrape node', { node, err: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
    if ([...this.readings.values()].some(lacksRate)) this.requestScrape(this.firstWindowMs);
  }

  /** The nodes with two readings: what the metrics API can answer from. */
  pairs(): ReadingPair[] {
    const out: ReadingPair[] = [];
    for (const [node, r] of this.readings) if (r.prev) out.push({ node, prev: r.prev, cur: r.cur });
    return out;
  }
}
