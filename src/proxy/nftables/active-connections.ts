// Open connections per endpoint in nftables mode. The kernel forwards them, so no process
// holds them: conntrack does. Every endpoint chain stamps its connections' conntrack mark
// (endpoint-marks.ts), so one `conntrack -L` in the node namespace, counted by mark, gives
// each endpoint of each Service port its open connections (UDP: flows), as the userspace
// proxy counts the connections it splices. A TCP entry in TIME_WAIT or CLOSE is a
// connection that ended (conntrack keeps it a while to catch stray packets): not counted.
import type { NftTarget } from '../../util/nftables.js';
import { listConntrack } from './conntrack.js';

/** TCP states of connections no longer open. */
const closedStates = new Set(['TIME_WAIT', 'CLOSE']);

/** Counts `conntrack -L` lines by their mark, leaving out mark 0 (not DNATed by kanzen) and closed TCP connections. */
export function countByMark(listing: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of listing.split('\n')) {
    const m = / mark=(\d+)/.exec(line);
    if (!m || m[1] === '0') continue;
    // "tcp      6 431999 ESTABLISHED src=…": the state is the fourth field.
    if (line.startsWith('tcp') && closedStates.has(line.split(/\s+/, 4)[3])) continue;
    const mark = Number(m[1]);
    out.set(mark, (out.get(mark) ?? 0) + 1);
  }
  return out;
}

/**
 * Reads the open connections by mark, bounded: one listing at a time (callers during a
 * listing share it), and none larger than `maxBytes` (about 150 bytes an entry); a
 * listing that fails leaves the previous figures.
 */
export class ActiveConnections {
  private counts = new Map<number, number>();
  private reading?: Promise<void>;

  constructor(
    private readonly target: NftTarget,
    private readonly maxBytes = 32 << 20,
  ) {}

  refresh(): Promise<void> {
    this.reading ??= listConntrack(this.target, this.maxBytes)
      .then((text) => void (this.counts = countByMark(text)))
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  of(mark: number | undefined): number {
    return mark === undefined ? 0 : (this.counts.get(mark) ?? 0);
  }
}
