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
import { byteCounterNames, EndpointMarks } from './endpoint-marks.js';
import { sameObjects, type NftObjects } from './nft-objects.js';
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
  /** How often the endpoint counters are read for statsSources() (default 2 s; 0: only by refreshStats()). */
  statsIntervalMs?: number;
}

interface PortState {
  program: ServicePortProgram;
  objects: NftObjects;
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
  private readonly active: ActiveConnections;
  private readonly adopting: Promise<void>;
  private readonly log: Logger;
  private readonly statsTimer?: NodeJS.Timeout;
  private committing: Promise<void> = Promise.resolve();
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
    const every = opts.statsIntervalMs ?? 2000;
    if (every > 0) {
      this.statsTimer = setInterval(() => void this.refreshStats().catch((err) => this.log.debug('reading counters failed', { err })), every);
      this.statsTimer.unref();
    }
  }

  async syncServicePort(key: string, program: ServicePortProgram | undefined): Promise<void> {
    await this.adopting;
    const marks = this.marks.forPort(key);
    if (program) this.desired.set(key, { program, objects: renderServicePort(program, this.render, marks.markOf) });
    else this.desired.delete(key);
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
    const base = { table: this.opts.table, nodePortAddresses: this.opts.nodePortAddresses };
    const ports = full ? [...target.keys()].sort().flatMap((k) => target.get(k)?.objects ?? []) : [];
    // A rebuild keeps the table and its affinity sets and counters (inPlaceFullTransaction);
    // only after the kernel refused that does one start from an empty table.
    const recreate = full && this.recreateNext;
    const text = !full ? partialTransaction(this.opts.table, changes) : recreate ? fullTransaction(base, ports) : inPlaceFullTransaction(base, ports, await this.listTable());
    // What the counters hold before recreating the table zeroes them (kept as a baseline once it succeeded).
    const counted = recreate ? await readCounters(this.opts.table, this.target).catch(() => new Map<string, CounterValue>()) : undefined;
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
    this.recreateNext = false;
    if (counted) this.totals.rebuilding(counted);
    const cleanups: string[][] = [];
    for (const [key, after] of target) {
      const before = this.applied.get(key);
      cleanups.push(...udpConntrackCleanups(before?.program, after?.program));
      for (const name of before?.objects.counters ?? []) if (!after?.objects.counters.has(name)) this.totals.forget(name);
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

  /** Reads the endpoint counters now (statsSources() reports the last reading). */
  async refreshStats(): Promise<void> {
    const [values] = await Promise.all([
      readCounters(this.opts.table, this.target),
      this.active.refresh().catch((err) => this.log.debug('reading open connections from conntrack failed', { err })),
    ]);
    this.totals.update(values);
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
    for (const { program } of this.applied.values()) {
      const n = program.info.name;
      const stats = new ServicePortStats(n.namespace, n.name, n.port, n.protocol);
      const endpoints = new Map<string, EndpointStats>();
      for (const ep of [...program.internal, ...program.external]) {
        if (endpoints.has(ep.key) || ep.ip.includes(':')) continue;
        const s = new EndpointStats(ep.key);
        const chain = endpointObjectNames(program, ep).chain;
        const bytes = byteCounterNames(chain);
        s.totalConnections = this.totals.connections(chain);
        s.activeConnections = this.active.of(this.marks.current(chain));
        stats.activeConnections += s.activeConnections;
        s.bytesIn = this.totals.bytes(bytes.in);
        s.bytesOut = this.totals.bytes(bytes.out);
        stats.totalConnections += s.totalConnections;
        stats.bytesIn += s.bytesIn;
        stats.bytesOut += s.bytesOut;
        endpoints.set(ep.key, s);
      }
      const counted = servicePortObjectNames(program);
      stats.refusedConnections = this.totals.connections(counted.refusedCounter);
      stats.droppedConnections = this.totals.connections(counted.droppedCounter);
      out.push({ stats, endpointStats: () => endpoints.values() });
    }
    return out;
  }

  /**
   * Stops reading counters and writing rules, and leaves the table in place, as kube-proxy
   * leaves its rules on exit: the kernel keeps forwarding while the agent restarts, and the
   * next agent's first commit replaces the table's contents atomically. Removing it is a
   * separate step (removeProxyTable; the node namespace goes with `kanzen down`).
   */
  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
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
