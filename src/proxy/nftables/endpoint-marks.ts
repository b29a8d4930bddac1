// Counting per endpoint. The nat hooks see a connection's first packet only, so bytes are
// counted in filter hooks, where the packet no longer says which Service port chose the
// endpoint. The rule that sends a connection to an endpoint therefore stamps its conntrack
// mark with a number of the endpoint's own (so do a port's refused and dropped counts,
// whose connections end there), and the counters are elements of two sets that keep a
// counter per element (`counter` in the set's declaration; a rule's lookup bumps the
// element it matched): endpoint-connections ("<mark>", looked up once per new connection
// by that rule) and endpoint-bytes ("original . <mark>": bytes in, "reply . <mark>": bytes
// out, looked up by every packet after DNAT).
//
// Elements, not named counters: nft before 1.1.3 loads every named object of the
// namespace for any rule or element it adds, so three counters per endpoint made a
// one-endpoint change at 10,000 Service ports spend most of its second listing 75,000
// counters.

/** The set counting each endpoint's connections (UDP: flows): "<mark>". */
export const endpointConnectionsSet = 'endpoint-connections';
/** The set counting each endpoint's bytes: "original . <mark>" (in) and "reply . <mark>" (out). */
export const endpointBytesSet = 'endpoint-bytes';

/** The counting elements of the endpoint with `mark`: set → element key. */
export function countingElements(mark: number): { connections: string; bytesIn: string; bytesOut: string } {
  return { connections: String(mark), bytesIn: `original . ${mark}`, bytesOut: `reply . ${mark}` };
}

/** How endpoint-counters.ts names an element's counter: "<set> <element key>". */
export function elementCounterName(set: string, key: string): string {
  return `${set} ${key}`;
}

/**
 * Hands out conntrack marks to endpoints (by their upstream endpoint chain names) and to a
 * port's refused and dropped counts (by their names). A key keeps its mark while it is used;
 * marks are never reused (connections still carrying an old mark would be counted for
 * the wrong endpoint); 2^32 marks outlast any cluster.
 */
export class EndpointMarks {
  private next = 1;
  private readonly marks = new Map<string, number>();
  private readonly chainsOfPort = new Map<string, Set<string>>();

  /**
   * Takes over the marks a previous agent gave (read from the table it left): connections
   * it DNATed carry them, so their bytes and their count stay with their endpoint, and no
   * mark of theirs is handed to another endpoint.
   */
  adopt(marks: Iterable<[chain: string, mark: number]>): void {
    for (const [chain, mark] of marks) {
      this.marks.set(chain, mark);
      this.next = Math.max(this.next, mark + 1);
    }
  }

  /** The mark an endpoint chain has now, if any. */
  current(chain: string): number | undefined {
    return this.marks.get(chain);
  }

  /** A mark lookup for rendering one Service port; `done` then forgets the chains it no longer has. */
  forPort(key: string): { markOf: (chain: string) => number; done: () => void } {
    const used = new Set<string>();
    return {
      markOf: (chain) => {
        used.add(chain);
        let m = this.marks.get(chain);
        if (m === undefined) this.marks.set(chain, (m = this.next++));
        return m;
      },
      done: () => {
        for (const chain of this.chainsOfPort.get(key) ?? []) if (!used.has(chain)) this.marks.delete(chain);
        if (used.size) this.chainsOfPort.set(key, used);
        else this.chainsOfPort.delete(key);
      },
    };
  }
}
