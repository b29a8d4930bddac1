// A tiny Prometheus registry (text exposition format 0.0.4): counters, gauges and
// histograms with labels. Enough for CoreDNS's metric names; no dependency.

type Labels = Record<string, string>;

function labelKey(names: readonly string[], values: readonly string[]): string {
  return values.join('\u0000');
}

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderLabels(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escape(values[i])}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Metric {
  name: string;
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: string[]; v: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    private readonly type: 'counter' | 'gauge' = 'counter',
  ) {}
  inc(labels: readonly string[] = [], by = 1): void {
    const k = labelKey(this.labelNames, labels);
    const e = this.values.get(k);
    if (e) e.v += by;
    else this.values.set(k, { labels: [...labels], v: by });
  }
  set(labels: readonly string[], v: number): void {
    this.values.set(labelKey(this.labelNames, labels), { labels: [...labels], v });
  }
  get(labels: readonly string[] = []): number {
    return this.values.get(labelKey(this.labelNames, labels))?.v ?? 0;
  }
  render(): string {
    let s = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    for (const e of this.values.values()) s += `${this.name}${renderLabels(this.labelNames, e.labels)} ${e.v}\n`;
    return s;
  }
}

export class Gauge extends Counter {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'gauge');
  }
}

export class Histogram implements Metric {
  private readonly values = new Map<string, { labels: string[]; counts: number[]; sum: number; n: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {}
  observe(labels: readonly string[], v: number): void {
    const k = labelKey(this.labelNames, labels);
    let e = this.values.get(k);
    if (!e) this.values.set(k, (e = { labels: [...labels], counts: new Array(this.buckets.length).fill(0), sum: 0, n: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) e.counts[i]++;
    e.sum += v;
    e.n++;
  }
  count(labels: readonly string[]): number {
    return this.values.get(labelKey(this.labelNames, labels))?.n ?? 0;
  }
  render(): string {
    let s = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const e of this.values.values()) {
      for (let i = 0; i < this.buckets.length; i++) s += `${this.name}_bucket${renderLabels(this.labelNames, e.labels, `le="${this.buckets[i]}"`)} ${e.counts[i]}\n`;
      s += `${this.name}_bucket${renderLabels(this.labelNames, e.labels, 'le="+Inf"')} ${e.n}\n`;
      s += `${this.name}_sum${renderLabels(this.labelNames, e.labels)} ${e.sum}\n`;
      s += `${this.name}_count${renderLabels(this.labelNames, e.labels)} ${e.n}\n`;
    }
    return s;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();
  /** Returns the existing metric of that name (so reloads share counters). */
  register<M extends Metric>(m: M): M {
    const old = this.metrics.get(m.name);
    if (old) return old as M;
    this.metrics.set(m.name, m);
    return m;
  }
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('');
  }
}

// CoreDNS's buckets (plugin/metrics/vars): durations are exponential from 0.25 ms.
export const durationBuckets = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];
export const sizeBuckets = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000];

export type { Labels };
