// Client connections the proxy could not take because of a local limit: accept(2)
// failed, the file-descriptor budget was spent (fd-limit.ts), or no socket to the
// endpoint could be opened. Each is counted by reason (the errno's code, as
// kanzen_proxy_accept_errors_total{reason="EMFILE"}) and logged — at most once per
// interval and reason, with the count of those not logged, since a proxy at its limit
// refuses thousands a second and a log line per refusal would only add to the load.
import type { Logger } from '../../util/logger.js';
import { uvCode, uvError } from './libuv-stream.js';

export type AcceptErrorStats = ReadonlyMap<string, number>;

export class AcceptErrors {
  private readonly counts = new Map<string, number>();
  private readonly lastLogged = new Map<string, { at: number; countThen: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly logIntervalMs = 10_000,
  ) {}

  /** A refused client connection: err is a libuv status (a negative errno). */
  record(err: number, syscall: string, where: string): void {
    // The Error (a stack capture) only for the refusals that are logged: at the limit,
    // thousands a second are only counted.
    const reason = uvCode(err);
    const n = (this.counts.get(reason) ?? 0) + 1;
    this.counts.set(reason, n);
    const last = this.lastLogged.get(reason);
    const t = this.now();
    if (last && t - last.at < this.logIntervalMs) return;
    this.lastLogged.set(reason, { at: t, countThen: n });
    const notLogged = last ? n - last.countThen - 1 : 0;
    this.logger.warn('refused a client connection', { err: uvError(err, syscall, where).message, reason, total: n, ...(notLogged ? { notLoggedSinceLast: notLogged } : {}) });
  }

  /** Refusals by reason since the proxy started. */
  get stats(): AcceptErrorStats {
    return this.counts;
  }
}
