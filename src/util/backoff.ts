// The kubelet's restart back-off (client-go util/flowcontrol.Backoff as pkg/kubelet uses it):
// per key, the delay starts at 10s and doubles up to 5m; an entry untouched for twice the
// maximum (10 min, e.g. a container that ran 10 minutes without failing) starts over. The
// same shape, with other constants, is the image pull back-off.

/** upstream kubelet.go: backOffPeriod / MaxContainerBackOff. */
export const containerBackOffInitialMs = 10_000;
export const containerBackOffMaxMs = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdateMs: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs = containerBackOffInitialMs,
    readonly maxMs = containerBackOffMaxMs,
  ) {}

  /** The current delay of key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Moves key to its next delay at nowMs: initial on first use or after a quiet 2×max, else doubled (capped). */
  next(key: string, nowMs: number): number {
    const e = this.entries.get(key);
    if (!e || nowMs - e.lastUpdateMs > 2 * this.maxMs) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdateMs: nowMs });
      return this.initialMs;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdateMs = nowMs;
    return e.backoffMs;
  }

  /** Whether, at nowMs, key is still backing off from an event (a container's exit) at eventMs. */
  isInBackOffSince(key: string, eventMs: number, nowMs: number): boolean {
    const e = this.entries.get(key);
    if (!e || nowMs - e.lastUpdateMs > 2 * this.maxMs) return false;
    return nowMs - eventMs < e.backoffMs;
  }

  /** Whether key is backing off since its own last update (the image puller's check). */
  isInBackOffSinceUpdate(key: string, nowMs: number): boolean {
    const e = this.entries.get(key);
    if (!e || nowMs - e.lastUpdateMs > 2 * this.maxMs) return false;
    return nowMs - e.lastUpdateMs < e.backoffMs;
  }

  /** How long until isInBackOffSinceUpdate turns false. */
  remainingSinceUpdate(key: string, nowMs: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(e.lastUpdateMs + e.backoffMs - nowMs, 0) : 0;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key starting with prefix (a pod's containers when the pod goes). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Go's time.Duration.String for whole milliseconds: 10s, 1m20s, 5m0s, 1.5s, 0s. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? '-' : ''}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  const sText = Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
  let out = `${sText}s`;
  if (h > 0 || m > 0) out = `${m}m${out}`;
  if (h > 0) out = `${h}h${out}`;
  return (neg ? '-' : '') + out;
}
