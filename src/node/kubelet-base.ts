// What the fake kubelet (fake-kubelet.ts) and the real one (kubelet/kubelet.ts) share: the
// shape register → heartbeat → one pods informer of this node (spec.nodeName=<node>, in the
// kubelet's own InformerFactory) → queue → syncPod(key), the re-adoption of pods a previous
// kubelet left, and the node-side admission a fake node can check too (nodeSelector).
import type { ContainerImage, Node, Pod } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { objectKey, type Informer } from '../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Logger } from '../util/logger.js';
import { NodeHeartbeat } from './node-lease.js';
import { registerNode, type NodeRegistration } from './node-registration.js';
import { PodIPAllocator } from './pod-ip-allocator.js';

const podsInfo = resourceFor('pods');
const nodesInfo = resourceFor('nodes');
/** Distinct pods synced at once. */
const defaultWorkers = 4;

export interface KubeletBaseOptions {
  client: ApiClient;
  nodeName: string;
  nodeIP: string;
  /** This node's pod range, e.g. 10.244.1.0/24. */
  podCIDR: string;
  logger: Logger;
  now?: () => Date;
  workers?: number;
  leaseRenewIntervalMs?: number;
  nodeStatusReportIntervalMs?: number;
  capacity?: Record<string, string>;
  /** What the node's image store holds (status.images). */
  nodeImages?: () => ContainerImage[];
}

/** Whether the node's labels satisfy the pod's nodeSelector (the part of upstream's admission a fake node can check). */
export function nodeSelectorMatches(pod: Pod, node: Pick<Node, 'metadata'>): boolean {
  const labels = node.metadata.labels ?? {};
  return Object.entries(pod.spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export abstract class KubeletBase {
  readonly nodeName: string;
  readonly ipAllocator: PodIPAllocator;
  protected readonly client: ApiClient;
  protected readonly log: Logger;
  protected readonly now: () => Date;
  protected readonly informers: InformerFactory;
  protected readonly queue: WorkQueue;
  protected readonly heartbeat: NodeHeartbeat;
  protected pods?: Informer<Pod>;
  protected node?: Node;
  /** The UID this kubelet knows for each pod key, so what ran for a pod replaced under the same name is released. */
  protected readonly uids = new Map<string, string>();

  constructor(
    private readonly base: KubeletBaseOptions,
    private readonly runtimeVersion: string,
  ) {
    this.nodeName = base.nodeName;
    this.client = base.client;
    this.log = base.logger.child(`kubelet/${base.nodeName}`);
    this.now = base.now ?? (() => new Date());
    this.ipAllocator = new PodIPAllocator(base.podCIDR);
    // The kubelet reads no managedFields: its caches keep none (kanzen's nodes may share one process).
    this.informers = new InformerFactory(base.client, this.log, { stripManagedFields: true });
    this.queue = new WorkQueue((key) => this.syncPod(key), { name: `kubelet/${base.nodeName}`, workers: base.workers ?? defaultWorkers, logger: this.log });
    this.heartbeat = new NodeHeartbeat({
      client: base.client,
      nodeName: base.nodeName,
      logger: this.log,
      now: this.now,
      leaseRenewIntervalMs: base.leaseRenewIntervalMs,
      nodeStatusReportIntervalMs: base.nodeStatusReportIntervalMs,
      images: base.nodeImages,
    });
  }

  get registration(): NodeRegistration {
    return { name: this.nodeName, nodeIP: this.base.nodeIP, podCIDR: this.base.podCIDR, containerRuntimeVersion: this.runtimeVersion, capacity: this.base.capacity, images: this.base.nodeImages };
  }

  /** Registers the node, starts heartbeats, and once the node's pods are listed, adopts them and starts syncing. */
  async start(): Promise<void> {
    this.node = await registerNode(this.client, this.registration, this.now);
    await this.heartbeat.start();
    const pods = this.informers.for<Pod>(podsInfo, { fieldSelector: `spec.nodeName=${this.nodeName}` });
    this.pods = pods;
    const others = this.otherInformers();
    this.informers.start();
    await Promise.all([pods.waitForSync(), ...others.map((i) => i.waitForSync())]);
    await this.adopt(pods.list());
    // Registered after the sync, so the informer replays every pod as an add.
    const enqueue = (pod: Pod) => this.queue.add(objectKey(pod));
    const updated = (old: Pod, pod: Pod) => {
      this.podUpdated(old, pod);
      enqueue(pod);
    };
    pods.addHandlers({ add: enqueue, update: updated, delete: enqueue });
    this.log.info('node started', { node: this.nodeName, pods: pods.list().length, ...this.startedFields() });
  }

  /** Stops syncing (heartbeats, informers, queue) and waits for the syncs under way. */
  async stop(): Promise<void> {
    this.heartbeat.stop();
    this.queue.stop();
    this.informers.stop();
    await this.queue.idle();
  }

  /** Resolves when no pod sync is queued, running or waiting on a delay (for tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Brings one pod's reported state to what this node runs (upstream syncPod + status manager). */
  protected abstract syncPod(key: string): Promise<ReconcileResult>;

  /** The pods bound to this node as this kubelet's cache holds them (its resource metrics read these). */
  boundPods(): Pod[] {
    return this.pods?.list() ?? [];
  }

  /** Takes over what a previous kubelet left for this node's pods (at least their IPs). */
  protected abstract adopt(pods: Pod[]): void | Promise<void>;

  /** More informers of this kubelet's factory, started and synced with the pods one. */
  protected otherInformers(): Pick<Informer, 'waitForSync'>[] {
    return [];
  }

  /** Called for every pod update before the pod is queued. */
  protected podUpdated(_old: Pod, _pod: Pod): void {}

  /** More fields for the "node started" log line. */
  protected startedFields(): Record<string, unknown> {
    return {};
  }

  /** Records the IP a pod already reports as its own (a restarted kubelet keeps it). */
  protected adoptIP(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    this.uids.set(objectKey(pod), uid);
    const ip = pod.status?.podIP;
    if (!ip || pod.spec.hostNetwork || isTerminal(pod)) return;
    if (!this.ipAllocator.reserve(uid, ip)) this.log.warn('pod IP not re-adopted', { pod: objectKey(pod), ip });
  }

  /** Whether the pod's nodeSelector matches this node; the node is read again once when it does not (kubectl label node). */
  protected async nodeAdmits(pod: Pod): Promise<boolean> {
    if (!this.node || nodeSelectorMatches(pod, this.node)) return true;
    this.node = await this.client.get<Node>(nodesInfo, undefined, this.nodeName);
    return nodeSelectorMatches(pod, this.node);
  }
}
