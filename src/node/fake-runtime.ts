// The `fake` runtime (`kanzen up --runtime fake --nodes N`): N nodes whose kubelets run no
// processes (see fake-kubelet.ts). They run inside the daemon; each node keeps the shape of
// a separate node agent (its own client use, informer, queue and heartbeats).
import type { ApiClient } from '../client/api-client.js';
import type { Logger } from '../util/logger.js';
import { FakeKubelet } from './fake-kubelet.js';
import { nodeName, nodePodCIDR } from './node-registration.js';

export interface FakeNodesOptions {
  client: ApiClient;
  /** How many nodes: node-1 … node-N. */
  nodes: number;
  /** The cluster pod CIDR (e.g. 10.244.0.0/16); node-i gets its i-th /24. */
  podCIDR: string;
  /** The InternalIP of node-i (1-based). */
  nodeIP: (i: number) => string;
  logger: Logger;
  /** Longest a deleted pod is kept before its deletion is confirmed (default: the pod's grace period). */
  deletionGraceCapMs?: number;
  /** Heartbeat intervals (defaults: upstream's 10s lease renewal, 5 min status report). */
  leaseRenewIntervalMs?: number;
  nodeStatusReportIntervalMs?: number;
  /** status.capacity overrides for every node (e.g. a fixed size for benchmarks). */
  capacity?: Record<string, string>;
}

export interface FakeNodes {
  readonly kubelets: readonly FakeKubelet[];
  stop(): Promise<void>;
}

/** Registers node-1…node-N and starts their kubelets; resolves once every node is registered and has listed its pods. */
export async function startFakeNodes(opts: FakeNodesOptions): Promise<FakeNodes> {
  const kubelets: FakeKubelet[] = [];
  for (let i = 1; i <= opts.nodes; i++) {
    kubelets.push(
      new FakeKubelet({
        client: opts.client,
        nodeName: nodeName(i),
        nodeIP: opts.nodeIP(i),
        podCIDR: nodePodCIDR(opts.podCIDR, i),
        logger: opts.logger,
        deletionGraceCapMs: opts.deletionGraceCapMs,
        leaseRenewIntervalMs: opts.leaseRenewIntervalMs,
        nodeStatusReportIntervalMs: opts.nodeStatusReportIntervalMs,
        capacity: opts.capacity,
      }),
    );
  }
  const stop = async () => {
    await Promise.all(kubelets.map((k) => k.stop()));
  };
  const started = await Promise.allSettled(kubelets.map((k) => k.start()));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  opts.logger.info('fake nodes started', { nodes: opts.nodes });
  return { kubelets, stop };
}
