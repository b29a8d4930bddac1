// How soon a crashed cluster process (the daemon, a node agent) is started again: at once
// the first time, then after a delay that doubles up to a cap, as systemd's restart and the
// kubelet's crash-loop back-off do; a process that ran long enough before dying counts as
// healthy again and resets the delay, so a rare crash never waits long.
export interface RestartBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** A run at least this long resets the delay. */
  resetAfterMs?: number;
}

export class RestartBackoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly resetAfterMs: number;
  private nextMs = 0;

  constructor(opts: RestartBackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 250;
    this.maxMs = opts.maxMs ?? 30_000;
    this.resetAfterMs = opts.resetAfterMs ?? 60_000;
  }

  /** The delay before the next start of a process that ran for ranMs. */
  delayAfter(ranMs: number): number {
    if (ranMs >= this.resetAfterMs) this.nextMs = 0;
    const delay = this.nextMs;
    this.nextMs = delay === 0 ? this.initialMs : Math.min(delay * 2, this.maxMs);
    return delay;
  }
}
