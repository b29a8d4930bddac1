// The hairpin set's elements (base-ruleset.ts, hairpinSet): "<ip> . <ip>" for each endpoint
// address some Service port uses. Service ports share addresses (a pod behind two
// Services, or two ports of one), so an element is counted across ports rather than owned
// by one port's objects, which transaction.ts diffs port by port.
import type { ServicePortProgram } from '../userspace/service-port-route.js';
import { hairpinSet } from './base-ruleset.js';
import { addElement, emptyObjects, type NftObjects } from './nft-objects.js';
import type { ObjectsChange } from './transaction.js';

function addresses(p: ServicePortProgram | undefined): Set<string> {
  const out = new Set<string>();
  for (const ep of [...(p?.internal ?? []), ...(p?.external ?? [])]) if (!ep.ip.includes(':')) out.add(ep.ip);
  return out;
}

function elements(ips: Iterable<string>): NftObjects {
  const o = emptyObjects();
  for (const ip of ips) addElement(o, hairpinSet, `${ip} . ${ip}`, '');
  return o;
}

export class HairpinAddresses {
  /** Address → how many applied Service ports use it. */
  private uses = new Map<string, number>();

  /**
   * The set's change when Service ports go from their before to their after programs
   * (`rebuild`: every port, into an empty table); `done` keeps the new counts once the
   * transaction is applied.
   */
  change(ports: Iterable<[before: ServicePortProgram | undefined, after: ServicePortProgram | undefined]>, rebuild: boolean): { change: ObjectsChange; done: () => void } {
    const uses = new Map(rebuild ? [] : this.uses);
    for (const [before, after] of ports) {
      if (!rebuild) {
        for (const ip of addresses(before)) {
          const n = (uses.get(ip) ?? 0) - 1;
          if (n > 0) uses.set(ip, n);
          else uses.delete(ip);
        }
      }
      for (const ip of addresses(after)) uses.set(ip, (uses.get(ip) ?? 0) + 1);
    }
    const gone = rebuild ? [] : [...this.uses.keys()].filter((ip) => !uses.has(ip));
    const come = [...uses.keys()].filter((ip) => rebuild || !this.uses.has(ip));
    return { change: { before: elements(gone), after: elements(come) }, done: () => (this.uses = uses) };
  }
}
