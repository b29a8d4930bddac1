// The nftables backend: kube-proxy's nftables mode in each node's network namespace.
// The proxier hands it Service ports one at a time (syncServicePort), which only
// renders them; commit() then writes everything that changed since the last commit as
// one `nft -f` transaction. The table is rebuilt from scratch on the first commit and
// after a failed one (the kernel's state is then unknown); otherwise commits are partial.
// No packet crosses this process: after the transaction, the kernel forwards alone.
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import { nftApply, type NftTarget } from '../../util/nftables.js';
import { EndpointStats, ServicePortStats, type StatsSource } from '../metrics.js';
import type { ProxyBackend } from '../provider.js';
import type { BalanceMode } from '../service-port.js';
import type { ServicePortProgram } from '../userspace/service-port-route.js';
import { ActiveConnections } from './active-connections.js';
import { runConntrack, udpConntrackCleanups } from './conntrack.js';
import { CounterTotals, readCounters, readEndpointMarks, type CounterValue } from './endpoint-counters.js';
import { HairpinAddresses } from './hairpin-addresses.js';
import { countingElements, elementCounterName, endpointBytesSet, endpointConnectionsSet, EndpointMarks } from './endpoint-marks.js';
import { emptyObjects, sameObjects, type NftObjects } from './nft-objects.js';
import { endpointObjectNames, renderServicePort, servicePortObjectNames, type RenderOptions } from './service-port-rules.js';
import { emptyTableContents, listTableContents, type TableContents } from './table-contents.js';
import { fullTransaction, inPlaceFullTransaction, partialTransaction, setsRedeclared, type ObjectsChange } from './transaction.js';

/** The Service proxy's table in a node namespace of a cluster. */
export function proxyTableName(cluster: string): string {
  return `kanzen-${cluster}-proxy`;
}

export interface NftablesBackendOptions {
  /** The table to own (proxyTableName(cluster)). */
  table: string;
  /** Addresses NodePorts answer on (loopback ones are left to the host-socket path). */
  nodePortAddresses: readonly string[];
  /** The pods' addresses, for masquerade decisions (RenderOptions.clusterCIDRs). */
  clusterCIDRs?: readonly string[];
  /** Default balance (round robin); the kanzen.io/proxy-balance annotation overrides it. */
  balance?: BalanceMode;
  logger?: Logger;
  /** Run nft and conntrack in this named namespace (tests, benchmarks); default: this process's own. */
  netns?: string;
}

interface PortState {
  program: ServicePortProgram;
  objects: NftObjects;
  /** Endpoint key → the conntrack mark its counters are found by (statsSources). */
  marks: Map<string, number>;
  /** The marks of the port's refused and dropped counts, while it has them. */
  refusedMark?: number;
  droppedMark?: number;
}

/** The set elements that count, as endpoint-counters.ts names their counters. */
function countingElementNames(o: NftObjects | undefined): Set<string> {
  const out = new Set<string>();
  for (const set of [endpointConnectionsSet, endpointBytesSet]) for (const key of o?.elements.get(set)?.keys() ?? []) out.add(elementCounterName(set, key));
  return out;
}

/** The counting sets' elements a reading found: set → element keys (endpoint-counters.ts names them "<set> <key>"). */
function countingElementsOf(counted: ReadonlyMap<string, CounterValue> | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const name of counted?.keys() ?? []) {
    const i = name.indexOf(' ');
    const set = name.slice(0, i);
    let keys = out.get(set);
    if (!keys) out.set(set, (keys = new Set()));
    keys.add(name.slice(i + 1));
  }
  return out;
}

export class NftablesBackend implements ProxyBackend {
  /** What the proxier asked for. */
  private readonly desired = new Map<string, PortState>();
  /** What the kernel has (as of the last successful commit). */
  private readonly applied = new Map<string, PortState>();
  private readonly pending = new Set<string>();
  private needFull = true;
  /** The next full sync deletes the table first (the last in-place one was refused). */
  private recreateNext = false;
  private readonly render: RenderOptions;
  private readonly target: NftTarget;
  private readonly totals = new CounterTotals();
  private readonly marks = new EndpointMarks();
  private readonly hairpin = new HairpinAddresses();
  private readonly active: ActiveConnections;
  private readonly adopting: Promise<void>;
  private readonly log: Logger;
  private committing: Promise<void> = Promise.resolve();
  /** The reading under way: concurrent refreshStats() calls share it. */
  private reading?: Promise<void>;
  /** The last transaction written and how long `nft -f` took to apply it (diagnostics, tests, benchmarks). */
  lastTransaction = '';
  lastApplyMs = 0;

  constructor(private readonly opts: NftablesBackendOptions) {
    this.log = (opts.logger ?? silentLogger).child('nftables');
    this.render = { clusterCIDRs: opts.clusterCIDRs ?? [], balance: opts.balance ?? 'round-robin', nodeIPs: opts.nodePortAddresses };
    this.target = opts.netns ? { netns: opts.netns } : {};
    this.active = new ActiveConnections(this.target);
    // A previous agent's table (stop() leaves it): its endpoints keep their marks.
    this.adopting = readEndpointMarks(opts.table, this.target).then(
      (marks) => this.marks.adopt(marks),
      (err) => this.log.warn('reading the endpoint marks of the existing table failed', { err }),
    );
  }

  async syncServicePort(key: string, program: ServicePortProgram | undefined): Promise<void> {
    await this.adopting;
    const marks = this.marks.forPort(key);
    if (program) {
      const byKey = new Map<string, number>();
      const objects = renderServicePort(program, this.render, (k) => {
        const m = marks.markOf(k);
        byKey.set(k, m);
        return m;
      });
      // Names hashed once here, so statsSources() (every metrics scrape and health check) hashes nothing.
      const counted = new Map<string, number>();
      for (const ep of [...program.internal, ...program.external]) {
        const m = byKey.get(endpointObjectNames(program, ep).chain);
        if (m !== undefined) counted.set(ep.key, m);
      }
      const names = servicePortObjectNames(program);
      this.desired.set(key, { program, objects, marks: counted, refusedMark: byKey.get(names.refusedCounter), droppedMark: byKey.get(names.droppedCounter) });
    } else this.desired.delete(key);
    marks.done();
    this.pending.add(key);
  }

  /** Writes what changed since the last commit as one transaction. Throws when nft refused it (the next commit rebuilds the table). */
  commit(): Promise<void> {
    // Commits never overlap: each diffs against what the previous one applied.
    const run = this.committing.then(() => this.commitNow());
    this.committing = run.catch(() => undefined);
    return run;
  }

  private async commitNow(): Promise<void> {
    // What this commit writes, taken now: syncServicePort calls made while nft runs belong to the next commit.
    const keys = this.needFull ? new Set([...this.applied.keys(), ...this.desired.keys()]) : new Set(this.pending);
    this.pending.clear();
    const target = new Map<string, PortState | undefined>();
    for (const key of keys) target.set(key, this.desired.get(key));
    const changes: ObjectsChange[] = [];
    for (const [key, after] of target) {
      const change = { before: this.applied.get(key)?.objects, after: after?.objects };
      if (setsRedeclared(change)) this.needFull = true;
      if (change.before && change.after && sameObjects(change.before, change.after)) continue;
      changes.push(change);
    }
    const full = this.needFull;
    if (full) {
      // The pending keys are a subset of all: a rebuild writes every desired port.
      for (const key of [...this.applied.keys(), ...this.desired.keys()]) if (!target.has(key)) target.set(key, this.desired.get(key));
    }
    const hairpin = this.hairpin.change(
      [...target].map(([key, after]) => [this.applied.get(key)?.program, after?.program]),
      full,
    );
    const base = { table: this.opts.table, nodePortAddresses: this.opts.nodePortAddresses };
    const ports = full ? [...[...target.keys()].sort().flatMap((k) => target.get(k)?.objects ?? []), hairpin.change.after ?? emptyObjects()] : [];
    // A rebuild keeps the table, its affinity sets and its counting elements
    // (inPlaceFullTransaction); only after the kernel refused that does one start from an
    // empty table, whose zeroed counters are then carried on from what they held.
    const recreate = full && this.recreateNext;
    const counted = full ? await readCounters(this.opts.table, this.target).catch(() => new Map<string, CounterValue>()) : undefined;
    const text = !full
      ? partialTransaction(this.opts.table, [...changes, hairpin.change])
      : recreate
        ? fullTransaction(base, ports)
        : inPlaceFullTransaction(base, ports, await this.listTable(), countingElementsOf(counted));
    if (text) {
      this.lastTransaction = text;
      try {
        const t0 = performance.now();
        await nftApply(text, this.target);
        this.lastApplyMs = performance.now() - t0;
      } catch (err) {
        this.needFull = true;
        if (full) this.recreateNext = !recreate;
        throw err;
      }
    }
    this.needFull = false;
    hairpin.done();
    this.recreateNext = false;
    if (counted && recreate) this.totals.rebuilding(counted);
    const cleanups: string[][] = [];
    for (const [key, after] of target) {
      const before = this.applied.get(key);
      cleanups.push(...udpConntrackCleanups(before?.program, after?.program));
      const counting = countingElementNames(after?.objects);
      for (const name of countingElementNames(before?.objects)) if (!counting.has(name)) this.totals.forget(name);
      if (after) this.applied.set(key, after);
      else this.applied.delete(key);
    }
    // After the rules: an entry deleted before could be recreated by a packet still DNATed to the old endpoint.
    for (const args of cleanups) {
      await runConntrack(args, this.target).catch((err) => this.log.warn('deleting stale UDP conntrack entries failed', { err }));
    }
    // A full sync is rare (the agent's first, after a refused transaction): worth a line at info.
    if (full) this.log.info('nftables table written', { servicePorts: target.size, kept: recreate ? 'nothing (recreated)' : 'affinity sets and counters' });
    else if (text) this.log.debug('partial sync written', { servicePorts: changes.length });
  }

  /** The table's objects now; none when they cannot be listed (the transaction then fails on a conflict and the next one recreates the table). */
  private async listTable(): Promise<TableContents> {
    return listTableContents(this.opts.table, this.target).catch((err) => {
      this.log.warn('listing the nftables table failed', { err });
      return emptyTableContents();
    });
  }

  /** The next commit rebuilds the whole table (as after a refused transaction), e.g. to repair rules changed behind kanzen's back. */
  requestRebuild(): void {
    this.needFull = true;
  }

  /** Reads the counters and the open connections now (statsSources() reports the last reading); nothing reads them on a timer. */
  refreshStats(): Promise<void> {
    if (!this.reading) {
      // In line with the commits: a reading taken before a rebuild must not land after it (totals would count twice).
      const run = this.committing
        .then(() =>
          Promise.all([
            readCounters(this.opts.table, this.target),
            this.active.refresh().catch((err) => this.log.debug('reading open connections from conntrack failed', { err })),
          ]),
        )
        .then(([values]) => this.totals.update(values));
      this.committing = run.catch(() => undefined);
      this.reading = run.finally(() => (this.reading = undefined));
    }
    return this.reading;
  }

  routesNewConnectionsTo(ip: string, port?: number): boolean {
    for (const { program } of this.applied.values()) {
      for (const ep of [...program.internal, ...program.external]) if (ep.ip === ip && (port === undefined || ep.port === port)) return true;
    }
    return false;
  }

  programmedServicePorts(): Iterable<string> {
    return new Set([...this.applied.keys(), ...this.desired.keys()]);
  }

  statsSources(): Iterable<StatsSource> {
    const out: StatsSource[] = [];
    for (const { program, marks, refusedMark, droppedMark } of this.applied.values()) {
      const n = program.info.name;
      const stats = new ServicePortStats(n.namespace, n.name, n.port, n.protocol);
      const endpoints = new Map<string, EndpointStats>();
      for (const ep of [...program.internal, ...program.external]) {
        if (endpoints.has(ep.key) || ep.ip.includes(':')) continue;
        const s = new EndpointStats(ep.key);
        const mark = marks.get(ep.key);
        s.totalConnections = this.connections(mark);
        s.activeConnections = this.active.of(mark);
        stats.activeConnections += s.activeConnections;
        if (mark !== undefined) {
          const c = countingElements(mark);
          s.bytesIn = this.totals.bytes(elementCounterName(endpointBytesSet, c.bytesIn));
          s.bytesOut = this.totals.bytes(elementCounterName(endpointBytesSet, c.bytesOut));
        }
        stats.totalConnections += s.totalConnections;
        stats.bytesIn += s.bytesIn;
        stats.bytesOut += s.bytesOut;
        endpoints.set(ep.key, s);
      }
      stats.refusedConnections = this.connections(refusedMark);
      stats.droppedConnections = this.connections(droppedMark);
      out.push({ stats, endpointStats: () => endpoints.values() });
    }
    return out;
  }

  /** The connections counted for a mark (its endpoint-connections element). */
  private connections(mark: number | undefined): number {
    return mark === undefined ? 0 : this.totals.connections(elementCounterName(endpointConnectionsSet, countingElements(mark).connections));
  }

  /**
   * Stops reading counters and writing rules, and leaves the table in place, as kube-proxy
   * leaves its rules on exit: the kernel keeps forwarding while the agent restarts, and the
   * next agent's first commit replaces the table's contents atomically. Removing it is a
   * separate step (removeProxyTable; the node namespace goes with `kanzen down`).
   */
  async stop(): Promise<void> {
    await this.committing;
    this.applied.clear();
    this.desired.clear();
  }
}

/** Deletes a Service proxy table if there is one (upstream CleanupLeftovers): a node that runs the userspace proxy must not keep a previous run's DNAT rules. */
export async function removeProxyTable(table: string, target: NftTarget = {}): Promise<void> {
  const t = `ip ${table}`;
  await nftApply(`add table ${t}\ndelete table ${t}\n`, target);
}
