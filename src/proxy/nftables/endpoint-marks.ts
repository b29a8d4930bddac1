// Byte counting per endpoint. The nat hooks see a connection's first packet only, so bytes
// are counted in filter hooks, where the packet no longer says which Service port chose
// the endpoint. The endpoint chain therefore stamps the connection's conntrack mark with a
// number of its own; `ct direction . ct mark` then finds the endpoint's byte counters
// (bytes in: original direction, bytes out: reply) in the endpoint-bytes map.

/** The map: "original . <mark>" / "reply . <mark>" → a named counter. */
export const endpointBytesMap = 'endpoint-bytes';

/** The byte counters of an endpoint chain. */
export function byteCounterNames(endpointChain: string): { in: string; out: string } {
  return { in: `${endpointChain}/in`, out: `${endpointChain}/out` };
}

/**
 * Hands out conntrack marks to endpoint chains. A chain keeps its mark while it exists;
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
