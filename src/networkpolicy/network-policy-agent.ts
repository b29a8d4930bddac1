// NetworkPolicy enforcement in one node (runs in the node agent, inside the node's network
// namespace, beside the proxier): informers on pods, namespaces and policies request a
// sync from one bounded-frequency runner (merged, retried after a failure, periodic); a
// sync shrinks the caches into the policy model's input, renders this node's table
// (policy-ruleset.ts) and writes it in one nftables transaction through the one writer.
// Nothing is written before every informer has synced: a restarted agent leaves its
// predecessor's table in force until it can write a complete one, so no isolated pod
// becomes reachable in between.
import { resourceFor } from '../client/api-client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { Informer } from '../client/informer.js';
import type { Namespace, NetworkPolicy, Pod } from '../api/types.js';
import { BoundedFrequencyRunner } from '../proxy/bounded-frequency-runner.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { nftApply, type NftTarget } from '../util/nftables.js';
import { namespaceLabelsOf, policyPodFromPod, type PolicyCluster, type PolicyPod } from './policy-cluster.js';
import { policyRuleset } from './policy-ruleset.js';

export interface NetworkPolicyAgentOptions {
  informers: InformerFactory;
  nodeName: string;
  /** policyTableName(cluster) */
  table: string;
  serviceCIDRs: readonly string[];
  /** Minimum time between two writes (default 0: every change at once, merged while one is written). */
  minSyncPeriodMs?: number;
  /** A full rewrite at least this often, repairing whatever changed the table behind the agent's back. */
  syncPeriodMs?: number;
  logger?: Logger;
  /** Where nft runs (tests); default: this process's own namespace. */
  netns?: string;
}

export class NetworkPolicyAgent {
  private readonly pods: Informer<Pod>;
  private readonly namespaces: Informer<Namespace>;
  private readonly policies: Informer<NetworkPolicy>;
  private readonly runner: BoundedFrequencyRunner;
  private readonly log: Logger;
  private readonly target: NftTarget;
  /** The ruleset last written successfully: an unchanged one is not written again (until the periodic rewrite). */
  private applied = '';
  private lastWriteAt = 0;
  private syncs = 0;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(private readonly opts: NetworkPolicyAgentOptions) {
    this.log = (opts.logger ?? silentLogger).child('network-policy');
    this.pods = opts.informers.for<Pod>(resourceFor('pods'));
    this.namespaces = opts.informers.for<Namespace>(resourceFor('namespaces'));
    this.policies = opts.informers.for<NetworkPolicy>(resourceFor('networkpolicies', 'networking.k8s.io'));
    this.target = opts.netns ? { netns: opts.netns } : {};
    this.runner = new BoundedFrequencyRunner('network-policy-sync', () => this.sync(), {
      minIntervalMs: opts.minSyncPeriodMs ?? 0,
      maxIntervalMs: opts.syncPeriodMs ?? 60_000,
      // A kernel without nftables fails every write: retried, but not in a tight loop.
      retryIntervalMs: 5000,
      logger: this.log,
    });
  }

  /** Registers the handlers; the caller starts the informer factory. */
  start(): void {
    const request = { add: () => this.runner.run(), update: () => this.runner.run(), delete: () => this.runner.run() };
    this.pods.addHandlers(request);
    this.namespaces.addHandlers(request);
    this.policies.addHandlers(request);
    this.runner.start();
    void Promise.all([this.pods.waitForSync(), this.namespaces.waitForSync(), this.policies.waitForSync()]).then(() => this.runner.run());
  }

  /** Leaves the table in force: the next agent replaces it in place. */
  stop(): void {
    this.runner.stop();
  }

  /** Resolves after the next successful sync that starts from now (tests, readiness). */
  nextSync(): Promise<void> {
    this.runner.run();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  /** Syncs written since the start (metrics, tests). */
  get syncCount(): number {
    return this.syncs;
  }

  private cluster(): PolicyCluster {
    const pods = this.pods.list().map(policyPodFromPod).filter((p): p is PolicyPod => p !== undefined);
    return { pods, namespaceLabels: namespaceLabelsOf(this.namespaces.list()), policies: this.policies.list() };
  }

  private async sync(): Promise<void> {
    if (!this.pods.hasSynced() || !this.namespaces.hasSynced() || !this.policies.hasSynced()) return;
    const waiters = this.syncWaiters.splice(0);
    const cluster = this.cluster();
    const local = this.pods.list().filter((p) => p.spec.nodeName === this.opts.nodeName);
    // Live pods before terminating ones: should two share an address, the live one's rules win.
    const terminating = new Set(local.filter((p) => p.metadata.deletionTimestamp).map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const localNames = new Set(local.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const localPods = cluster.pods
      .filter((p) => localNames.has(`${p.namespace}/${p.name}`))
      .sort((a, b) => Number(terminating.has(`${a.namespace}/${a.name}`)) - Number(terminating.has(`${b.namespace}/${b.name}`)));
    const ruleset = policyRuleset(cluster, { table: this.opts.table, localPods, serviceCIDRs: this.opts.serviceCIDRs });
    const periodic = Date.now() - this.lastWriteAt >= (this.opts.syncPeriodMs ?? 60_000);
    if (ruleset !== this.applied || periodic) {
      try {
        await nftApply(ruleset, this.target);
      } catch (err) {
        this.syncWaiters.push(...waiters);
        throw err;
      }
      this.applied = ruleset;
      this.lastWriteAt = Date.now();
      this.syncs++;
      this.log.debug('network policy table written', { pods: localPods.length, policies: cluster.policies.length });
    }
    for (const w of waiters) w();
  }
}
