// A node agent's heartbeats (upstream component-helpers/apimachinery/lease/controller.go and
// the kubelet's node status loop in kubelet_node_status.go):
// * the Lease `kube-node-lease/<node>` is renewed every 10s (a quarter of its 40s duration,
//   upstream's renewInterval) — this is the cheap heartbeat the node lifecycle controller
//   watches (node-monitor-grace-period 40s);
// * the Node's status is computed every 10 s (upstream nodeStatusUpdateFrequency) and
//   posted when it differs from the Node's, heartbeat times aside (upstream
//   nodeStatusHasChanged), or when the last post is 5 minutes old (nodeStatusReportFrequency).
//   kanzen's kubelets have no pressure signals, so the usual change is the node lifecycle
//   controller having set the conditions to Unknown: they are put back to True within 10 s
//   of the agent being able to reach the API again, not at the next 5-minute report.
// Failures are logged and retried at the next tick; a heartbeat never throws.
import { isDeepStrictEqual } from 'node:util';
import type { ContainerImage, NodeCondition, Lease, Node } from '../api/types.js';
import { isConflict, isNotFound } from '../api/errors.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Logger } from '../util/logger.js';
import { nodeConditions } from './node-registration.js';

export const nodeLeaseNamespace = 'kube-node-lease';
/** Upstream kubelet nodeLeaseDurationSeconds. */
export const nodeLeaseDurationSeconds = 40;
/** Upstream renewInterval: 25% of the lease duration. */
export const defaultLeaseRenewIntervalMs = 10_000;
/** Upstream nodeStatusReportFrequency. */
export const defaultNodeStatusReportIntervalMs = 5 * 60_000;
/** Upstream nodeStatusUpdateFrequency: how often the status is computed and compared. */
export const defaultNodeStatusUpdateIntervalMs = 10_000;

const leases = resourceFor('leases', 'coordination.k8s.io');
const nodes = resourceFor('nodes');

/** metav1.MicroTime: RFC 3339 with microseconds, as leases carry. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface NodeHeartbeatOptions {
  client: ApiClient;
  nodeName: string;
  logger: Logger;
  now?: () => Date;
  leaseRenewIntervalMs?: number;
  nodeStatusReportIntervalMs?: number;
  nodeStatusUpdateIntervalMs?: number;
  /** The images the node holds, posted with the status when they change (upstream setters.Images). */
  images?: () => ContainerImage[];
}

/** A condition as compared for a change: its heartbeat time does not count (upstream nodeConditionsHaveChanged). */
function withoutHeartbeat(conditions: NodeCondition[] | undefined): NodeCondition[] {
  return (conditions ?? []).map(({ lastHeartbeatTime: _, ...c }) => c);
}

/** True when the status the kubelet computed differs from the Node's other than in heartbeat times (upstream nodeStatusHasChanged). */
export function nodeConditionsChanged(original: NodeCondition[] | undefined, computed: NodeCondition[]): boolean {
  return !isDeepStrictEqual(withoutHeartbeat(original), withoutHeartbeat(computed));
}

/** The Lease a kubelet holds for its node, owned by the Node so it goes when the Node does (upstream newLease). */
export function nodeLease(node: Pick<Node, 'metadata'>, now: Date, existing?: Lease): Lease {
  const ownerReferences = node.metadata.uid
    ? [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid }]
    : existing?.metadata.ownerReferences;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    ...existing,
    metadata: {
      ...(existing?.metadata ?? {}),
      name: node.metadata.name,
      namespace: nodeLeaseNamespace,
      ...(ownerReferences ? { ownerReferences } : {}),
    },
    spec: {
      ...(existing?.spec ?? {}),
      holderIdentity: node.metadata.name,
      leaseDurationSeconds: nodeLeaseDurationSeconds,
      renewTime: microTime(now),
    },
  };
}

export class NodeHeartbeat {
  private readonly now: () => Date;
  private readonly log: Logger;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  /** The lease as last written, so a renewal is one PUT (upstream keeps latestLease). */
  private latestLease?: Lease;
  /** When the Node's status was last posted (by the injected clock); none yet: the first tick posts (upstream lastStatusReportTime zero). */
  private lastReportMs?: number;

  constructor(private readonly opts: NodeHeartbeatOptions) {
    this.now = opts.now ?? (() => new Date());
    this.log = opts.logger.child('heartbeat');
  }

  /** Renews the lease once (so it exists when start resolves), then keeps both heartbeats going. */
  async start(): Promise<void> {
    await this.renewLease();
    this.every(this.opts.leaseRenewIntervalMs ?? defaultLeaseRenewIntervalMs, () => this.renewLease());
    this.every(this.opts.nodeStatusUpdateIntervalMs ?? defaultNodeStatusUpdateIntervalMs, () => this.syncNodeStatus());
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  /** Runs fn every intervalMs, never two at once (a slow API delays the next tick instead of piling up). */
  private every(intervalMs: number, fn: () => Promise<void>): void {
    const slot = this.timers.length;
    const tick = (): void => {
      this.timers[slot] = setTimeout(() => {
        void fn().finally(() => {
          if (!this.stopped) tick();
        });
      }, intervalMs);
    };
    tick();
  }

  /** Creates or renews the node's lease; never throws. */
  async renewLease(): Promise<void> {
    const { client, nodeName } = this.opts;
    try {
      let current = this.latestLease;
      if (!current) {
        try {
          current = await client.get<Lease>(leases, nodeLeaseNamespace, nodeName);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      const node = await this.node();
      if (!current) {
        this.latestLease = await client.create<Lease>(leases, nodeLeaseNamespace, nodeLease(node ?? { metadata: { name: nodeName } }, this.now()));
        return;
      }
      this.latestLease = await client.update<Lease>(leases, nodeLease(node ?? { metadata: { name: nodeName } }, this.now(), current));
    } catch (e) {
      // A stale cached lease (someone else wrote it) or a deleted one: start over from the API next time.
      if (isConflict(e) || isNotFound(e)) this.latestLease = undefined;
      if (!this.stopped) this.log.warn('failed to renew node lease', { node: nodeName, err: e });
    }
  }

  /**
   * One tick of the node status loop (upstream syncNodeStatus → tryUpdateNodeStatus): the
   * kubelet's conditions are computed and posted when they changed or the report is due;
   * never throws.
   */
  async syncNodeStatus(): Promise<void> {
    const { client, nodeName } = this.opts;
    try {
      const node = await client.get<Node>(nodes, undefined, nodeName);
      const now = this.now();
      const conditions = nodeConditions(node.status?.conditions, now);
      const images = this.opts.images?.();
      const imagesChanged = images !== undefined && !isDeepStrictEqual(images, node.status?.images ?? []);
      const reportIntervalMs = this.opts.nodeStatusReportIntervalMs ?? defaultNodeStatusReportIntervalMs;
      const due = this.lastReportMs === undefined || now.getTime() - this.lastReportMs >= reportIntervalMs;
      if (!due && !imagesChanged && !nodeConditionsChanged(node.status?.conditions, conditions)) return;
      await client.updateStatus<Node>(nodes, { ...node, status: { ...(node.status ?? {}), conditions, ...(images ? { images } : {}) } });
      this.lastReportMs = now.getTime();
    } catch (e) {
      if (!this.stopped) this.log.warn('failed to report node status', { node: nodeName, err: e });
    }
  }

  /** The Node, for the lease's owner reference; a lease without one is still a heartbeat (upstream does the same). */
  private async node(): Promise<Node | undefined> {
    if (this.latestLease?.metadata.ownerReferences?.length) return undefined;
    try {
      return await this.opts.client.get<Node>(nodes, undefined, this.opts.nodeName);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
