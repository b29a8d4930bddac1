// The node lifecycle controller (upstream pkg/controller/nodelifecycle, with the
// NoExecute taint manager of pkg/controller/tainteviction and the orphan pass of
// pkg/controller/podgc). It watches each node's heartbeats (the Lease in kube-node-lease and
// the Ready condition's lastHeartbeatTime), as observed on its own clock:
//   * a node silent for longer than the grace period gets every condition set to Unknown
//     ("Kubelet stopped posting node status.") and its pods marked not Ready;
//   * a node whose Ready condition is False/Unknown is tainted not-ready/unreachable with
//     NoSchedule (TaintNodesByCondition) and NoExecute (TaintBasedEvictions); a recovered
//     node loses those taints;
//   * pods on a node with NoExecute taints they do not tolerate are deleted once their
//     tolerationSeconds run out; a deleted pod that its silent node never confirms is
//     force-deleted when its grace period is over, and pods bound to nodes that no longer
//     exist are force-deleted (PodGC).
import { isDeepStrictEqual } from 'node:util';
import { isConflict, isNotFound } from '../api/errors.js';
import type { ConditionStatus, Lease, Node, NodeCondition, Pod, Toleration } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { objectKey } from '../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';
import { rfc3339 } from '../api/time.js';

type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];

export const taintNotReady = 'node.kubernetes.io/not-ready';
export const taintUnreachable = 'node.kubernetes.io/unreachable';
export const taintUnschedulable = 'node.kubernetes.io/unschedulable';
const managedTaintKeys = new Set([taintNotReady, taintUnreachable, taintUnschedulable]);

/** Upstream nodeMonitorPeriod: how often each node's health is re-evaluated at most. */
const nodeMonitorPeriodMs = 5_000;
/** Upstream PodGC quarantineTime: a pod's node must be gone this long before the pod is. */
const orphanQuarantineMs = 40_000;
/** DefaultTolerationSeconds admission's value; such tolerations follow podEvictionTimeoutMs. */
const defaultTolerationSeconds = 300;
/** The conditions a silent node's kubelet would own (upstream nodeConditionTypes). */
const kubeletConditionTypes = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

const nodeLeaseNamespace = 'kube-node-lease';

interface NodeHealth {
  probeTimestamp: number;
  heartbeat?: string;
  renewTime?: string;
}


function readyStatus(node: Node): ConditionStatus | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/**
 * The node's conditions with every kubelet-owned one Unknown (upstream tryUpdateNodeHealth
 * once the grace period has passed); undefined when nothing changes.
 */
export function conditionsUnknown(node: Node, now: Date): NodeCondition[] | undefined {
  const conditions = structuredClone(node.status?.conditions ?? []);
  let changed = false;
  for (const type of kubeletConditionTypes) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: rfc3339(now),
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = rfc3339(now);
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** The taints this controller wants on a node, given its Ready condition and spec.unschedulable. */
export function desiredTaints(node: Node, now: Date): Taint[] {
  const current = node.spec?.taints ?? [];
  const keep = (t: Taint): Taint => current.find((c) => c.key === t.key && c.effect === t.effect) ?? t;
  const out: Taint[] = current.filter((t) => !managedTaintKeys.has(t.key));
  const ready = readyStatus(node);
  const key = ready === 'False' ? taintNotReady : ready === 'True' ? undefined : taintUnreachable;
  if (key) {
    out.push(keep({ key, effect: 'NoSchedule' }));
    out.push(keep({ key, effect: 'NoExecute', timeAdded: rfc3339(now) }));
  }
  if (node.spec?.unschedulable) out.push(keep({ key: taintUnschedulable, effect: 'NoSchedule' }));
  // Taints the controller does not manage keep their place; its own come after them.
  return out;
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * How long a pod may stay on a node with these NoExecute taints (upstream
 * getMinTolerationTime): 0 when some taint is not tolerated, Infinity when every matching
 * toleration is unbounded, else the least tolerationSeconds. Default tolerations (300s on
 * not-ready/unreachable) follow the controller's podEvictionTimeoutMs.
 */
export function tolerationTimeMs(pod: Pod, taints: Taint[], podEvictionTimeoutMs: number): number {
  let min = Infinity;
  for (const taint of taints) {
    const used = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (!used.length) return 0;
    for (const t of used) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
      const isDefault = t.tolerationSeconds === defaultTolerationSeconds && (t.key === taintNotReady || t.key === taintUnreachable);
      min = Math.min(min, isDefault ? podEvictionTimeoutMs : Math.max(0, t.tolerationSeconds) * 1000);
    }
  }
  return min;
}

export function newNodeLifecycleController(ctx: ControllerContext): Controller {
  const nodesInfo = resourceFor('nodes');
  const podsInfo = resourceFor('pods');
  const nodes = ctx.informers.for<Node>(nodesInfo);
  const leases = ctx.informers.for<Lease>(resourceFor('leases', 'coordination.k8s.io'), { namespace: nodeLeaseNamespace });
  const pods = ctx.informers.for<Pod>(podsInfo);
  const recorder = ctx.recorder('node-controller');
  const evictionRecorder = ctx.recorder('taint-eviction-controller');
  const log = ctx.logger.child('node-lifecycle-controller');
  const podsByNode = 'node-lifecycle/nodeName';
  pods.addIndex(podsByNode, (p) => (p.spec.nodeName ? [p.spec.nodeName] : []));
  const health = new Map<string, NodeHealth>();
  /** Nodes whose pods still have to be marked not Ready (upstream's nodesToRetry). */
  const markPodsPending = new Set<string>();
  const orphanSince = new Map<string, number>();
  const taintSeen = new Map<string, number>();
  const nodeQueue = new WorkQueue((name) => monitorNode(name), { name: 'node-lifecycle', workers: 2, logger: log });
  const podQueue = new WorkQueue((key) => processPod(key), { name: 'taint-eviction', workers: 4, logger: log });
  const graceMs = () => ctx.options.nodeMonitorGracePeriodMs;

  /** Refreshes what we know of the node's heartbeats; returns when it was last heard from. */
  function observe(node: Node): number {
    const name = node.metadata.name!;
    const now = ctx.now().getTime();
    const heartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    const renewTime = leases.getByName(nodeLeaseNamespace, name)?.spec?.renewTime;
    let h = health.get(name);
    if (!h) {
      // A node that never posted status is judged from its creation (upstream fake Ready condition).
      const start = heartbeat || renewTime ? now : Date.parse(node.metadata.creationTimestamp ?? '') || now;
      h = { probeTimestamp: start, heartbeat, renewTime };
      health.set(name, h);
      recorder.event(node, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      return h.probeTimestamp;
    }
    if (heartbeat !== h.heartbeat) {
      h.heartbeat = heartbeat;
      h.probeTimestamp = now;
    }
    if (renewTime && (!h.renewTime || Date.parse(renewTime) > Date.parse(h.renewTime))) {
      h.renewTime = renewTime;
      h.probeTimestamp = now;
    }
    return h.probeTimestamp;
  }

  async function monitorNode(name: string): Promise<ReconcileResult> {
    if (!nodes.hasSynced() || !leases.hasSynced() || !pods.hasSynced()) return { requeueAfterMs: 100 };
    let node = nodes.getByName(undefined, name);
    if (!node) {
      health.delete(name);
      markPodsPending.delete(name);
      return;
    }
    const probe = observe(node);
    const now = ctx.now();
    const silentFor = now.getTime() - probe;
    if (silentFor > graceMs()) {
      const wasReady = readyStatus(node) === 'True';
      const conditions = conditionsUnknown(node, now);
      if (conditions) {
        node = await ctx.client.updateStatus<Node>(nodesInfo, { ...node, status: { ...(node.status ?? {}), conditions } });
        if (wasReady) {
          recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
          markPodsPending.add(name);
        }
      }
    }
    if (readyStatus(node) === 'True') markPodsPending.delete(name);
    if (markPodsPending.has(name)) {
      await markPodsNotReady(name);
      markPodsPending.delete(name);
    }
    await reconcileTaints(node);
    const untilSilent = probe + graceMs() - now.getTime() + 10;
    return { requeueAfterMs: Math.max(10, Math.min(nodeMonitorPeriodMs, untilSilent > 0 ? untilSilent : nodeMonitorPeriodMs)) };
  }

  /** Upstream SwapNodeControllerTaint, from a fresh read so other writers' taints survive. */
  async function reconcileTaints(cached: Node): Promise<void> {
    if (isDeepStrictEqual(desiredTaints(cached, ctx.now()).map(taintId), (cached.spec?.taints ?? []).map(taintId))) return;
    const live = await ctx.client.get<Node>(nodesInfo, undefined, cached.metadata.name!);
    const taints = desiredTaints(live, ctx.now());
    if (isDeepStrictEqual(taints, live.spec?.taints ?? [])) return;
    const spec = { ...(live.spec ?? {}) };
    if (taints.length) spec.taints = taints;
    else delete spec.taints;
    await ctx.client.update<Node>(nodesInfo, { ...live, spec });
  }

  function taintId(t: Taint): string {
    return `${t.key}=${t.value ?? ''}:${t.effect}`;
  }

  /** Upstream MarkPodsNotReady: the pods of a silent node are no longer Ready. */
  async function markPodsNotReady(nodeName: string): Promise<void> {
    for (const pod of pods.byIndex(podsByNode, nodeName)) {
      if (pod.spec.nodeName !== nodeName) continue;
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: rfc3339(ctx.now()) } : c));
      try {
        await ctx.client.updateStatus<Pod>(podsInfo, { ...pod, status: { ...(pod.status ?? {}), conditions: next } });
        recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  async function deletePod(pod: Pod, gracePeriodSeconds?: number): Promise<void> {
    try {
      await ctx.client.delete(podsInfo, pod.metadata.namespace, pod.metadata.name!, {
        preconditions: { uid: pod.metadata.uid },
        ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      });
    } catch (e) {
      // Gone already, or replaced by a new pod of the same name.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  async function processPod(key: string): Promise<ReconcileResult> {
    if (!nodes.hasSynced() || !pods.hasSynced()) return { requeueAfterMs: 100 };
    const pod = pods.get(key);
    if (!pod?.spec.nodeName) {
      orphanSince.delete(key);
      return;
    }
    const node = nodes.getByName(undefined, pod.spec.nodeName);
    const now = ctx.now().getTime();
    if (!node) return gcOrphan(pod, key, now);
    orphanSince.delete(key);
    if (pod.metadata.deletionTimestamp) {
      // A silent node never confirms the deletion: finish it once the grace period is over.
      if (readyStatus(node) === 'True' || !(node.spec?.taints ?? []).some((t) => t.key === taintUnreachable)) return;
      const due = Date.parse(pod.metadata.deletionTimestamp);
      if (now < due) return { requeueAfterMs: due - now + 10 };
      await deletePod(pod, 0);
      return;
    }
    const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (!taints.length) return;
    const tolerated = tolerationTimeMs(pod, taints, ctx.options.podEvictionTimeoutMs);
    if (tolerated === Infinity) return;
    const since = Math.min(...taints.map((t) => Date.parse(t.timeAdded ?? '') || firstSeen(node.metadata.name!, t, now)));
    const due = since + tolerated;
    if (now < due) return { requeueAfterMs: due - now + 10 };
    evictionRecorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    await markDisruptionTarget(pod);
    await deletePod(pod);
  }

  /** PodDisruptionConditions: the pod says why it goes before it is deleted (best effort, as upstream). */
  async function markDisruptionTarget(pod: Pod): Promise<void> {
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({
      type: 'DisruptionTarget',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: rfc3339(ctx.now()),
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    });
    try {
      await ctx.client.updateStatus<Pod>(podsInfo, { ...pod, status: { ...(pod.status ?? {}), conditions } });
    } catch (e) {
      log.debug('could not add DisruptionTarget condition', { pod: objectKey(pod), err: e instanceof Error ? e.message : String(e) });
    }
  }

  /** PodGC gcOrphaned: a pod whose node is gone (confirmed with the API) is force-deleted. */
  async function gcOrphan(pod: Pod, key: string, now: number): Promise<ReconcileResult> {
    const since = orphanSince.get(key) ?? now;
    orphanSince.set(key, since);
    if (now - since < orphanQuarantineMs) return { requeueAfterMs: since + orphanQuarantineMs - now + 10 };
    try {
      await ctx.client.get(nodesInfo, undefined, pod.spec.nodeName!);
      orphanSince.delete(key);
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    orphanSince.delete(key);
    await deletePod(pod, 0);
  }

  /** When a taint without timeAdded was first seen (upstream's taint manager uses its own clock). */
  function firstSeen(nodeName: string, t: Taint, now: number): number {
    const id = `${nodeName}/${taintId(t)}`;
    const seen = taintSeen.get(id);
    if (seen !== undefined) return seen;
    taintSeen.set(id, now);
    return now;
  }

  function enqueuePodsOf(nodeName: string): void {
    for (const p of pods.byIndex(podsByNode, nodeName)) podQueue.add(objectKey(p));
  }

  return {
    name: 'node-lifecycle-controller',
    start() {
      nodes.addHandlers({
        add: (n) => nodeQueue.add(n.metadata.name!),
        update: (o, n) => {
          nodeQueue.add(n.metadata.name!);
          if (!isDeepStrictEqual(o.spec?.taints, n.spec?.taints) || readyStatus(o) !== readyStatus(n)) enqueuePodsOf(n.metadata.name!);
        },
        delete: (n) => {
          for (const id of taintSeen.keys()) if (id.startsWith(`${n.metadata.name}/`)) taintSeen.delete(id);
          nodeQueue.add(n.metadata.name!);
          enqueuePodsOf(n.metadata.name!);
        },
      });
      const onLease = (l: Lease) => {
        if (l.metadata.namespace === nodeLeaseNamespace) nodeQueue.add(l.metadata.name!);
      };
      leases.addHandlers({ add: onLease, update: (_o, l) => onLease(l) });
      pods.addHandlers({
        add: (p) => {
          if (p.spec.nodeName) podQueue.add(objectKey(p));
        },
        update: (o, p) => {
          if (p.spec.nodeName && (o.spec.nodeName !== p.spec.nodeName || o.metadata.deletionTimestamp !== p.metadata.deletionTimestamp || !isDeepStrictEqual(o.spec.tolerations, p.spec.tolerations))) {
            podQueue.add(objectKey(p));
          }
        },
      });
    },
    stop() {
      nodeQueue.stop();
      podQueue.stop();
    },
  };
}
