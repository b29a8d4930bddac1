// metrics-server's scraper (pkg/scraper): every metric resolution, read each node's resource
// usage (the kubelet's /metrics/resource) and keep the last two readings per node, from which
// resource-metrics.ts computes the metrics.k8s.io objects. A node that fails to answer keeps
// its earlier readings out of the answer (metrics-server drops nodes it could not scrape).
import type { Logger } from '../../util/logger.js';
import type { NodeResourceUsage } from '../../api/node-resource-usage.js';
import type { ReadingPair } from './resource-metrics.js';

/** metrics-server's default --metric-resolution. */
export const defaultMetricResolutionMs = 15_000;

export interface MetricsScraperOptions {
  /** The names of the cluster's nodes now. */
  nodes(): Promise<string[]>;
  /** One node's reading (over its kubelet server, or in process for the fake runtime). */
  scrape(node: string): Promise<NodeResourceUsage>;
  resolutionMs?: number;
  logger: Logger;
}

export class MetricsScraper {
  private readonly readings = new Map<string, { prev?: NodeResourceUsage; cur: NodeResourceUsage }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly opts: MetricsScraperOptions) {}

  start(): void {
    const tick = () => {
      this.running ??= this.scrapeAll().finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.opts.resolutionMs ?? defaultMetricResolutionMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round over every node (exported for tests that drive the scraper themselves). */
  async scrapeAll(): Promise<void> {
    const nodes = await this.opts.nodes().catch(() => [] as string[]);
    for (const gone of [...this.readings.keys()].filter((n) => !nodes.includes(n))) this.readings.delete(gone);
    await Promise.all(
      nodes.map(async (node) => {
        try {
          const cur = await this.opts.scrape(node);
          const last = this.readings.get(node);
          this.readings.set(node, { prev: last?.cur, cur });
        } catch (e) {
          this.readings.delete(node);
          this.opts.logger.warn('Failed to scrape node', { node, err: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
  }

  /** The nodes with two readings: what the metrics API can answer from. */
  pairs(): ReadingPair[] {
    const out: ReadingPair[] = [];
    for (const [node, r] of this.readings) if (r.prev) out.push({ node, prev: r.prev, cur: r.cur });
    return out;
  }
}
