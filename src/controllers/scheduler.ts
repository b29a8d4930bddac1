// The scheduler (upstream kube-scheduler with its default profile, reduced to what kanzen's
// nodes need): pending pods of "default-scheduler" are filtered against every node
// (NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit
// (scheduler-resources-fit.ts), VolumeRestrictions
// (ReadWriteOncePod, scheduler-volume-restrictions.ts), VolumeBinding, InterPodAffinity, in
// upstream's plugin order, the first failing filter giving the node's reason), the feasible
// nodes are scored (preferred inter-pod and node affinity, then spreading), and the pod is
// bound through pods/binding once its claims are bound (VolumeBinding, scheduler-volume-binding.ts).
// A pod that fits nowhere gets a
// FailedScheduling event and PodScheduled=False/Unschedulable, and is retried when nodes
// change (upstream's unschedulable pods queue, moved on Node events).
import { isDeepStrictEqual } from 'node:util';
import { isConflict, isNotFound } from '../api/errors.js';
import type { Namespace, Node, NodeCondition, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition, StorageClass, Toleration } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { objectKey, splitKey } from '../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';
import { rfc3339 } from '../api/time.js';
import { PodVolumes, type VolumeBinder } from './scheduler-volume-binding.js';
import { insufficient, podRequests, reasonTooManyPods, resourcesFitReasons, type Amounts } from './scheduler-resources-fit.js';
import { podClaimKeys, readWriteOncePodConflict, reasonReadWriteOncePodConflict } from './scheduler-volume-restrictions.js';
import { annSelectedNode } from './volume/volume-matching.js';
import { InterPodAffinity, namespaceLabels, nodeAffinityScores, nodeSelectorTermMatches, reasonAntiAffinityRulesNotMatch, reasonExistingAntiAffinityRulesNotMatch, type PlacedPod } from './scheduler-affinity.js';

export const schedulerName = 'default-scheduler';

/** Upstream podMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often. */
const unschedulableRetryMs = 5 * 60_000;

type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];

// Reasons as upstream's filter plugins word them.
const reasonUnschedulable = 'node(s) were unschedulable';
const reasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
const reasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
const untoleratedTaint = (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;

/** v1helper.TolerationsTolerateTaint: one toleration matching key, value and effect. */
export function toleratesTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    // An empty key with Exists matches every taint.
    if (t.operator === 'Exists') return true;
    return (t.value ?? '') === (taint.value ?? '');
  });
}

function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/**
 * The node's taints, plus the not-ready/unreachable NoSchedule taint the node lifecycle
 * controller puts on a node whose Ready condition is not True (TaintNodesByCondition), so a
 * pod never lands on such a node in the moment before the taint is written.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = readyCondition(node);
  if (ready?.status !== 'True') {
    const key = ready?.status === 'False' ? 'node.kubernetes.io/not-ready' : 'node.kubernetes.io/unreachable';
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}

/** nodeaffinity.GetRequiredNodeAffinity: nodeSelector AND (any of the required terms). */
export function matchesNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((term) => nodeSelectorTermMatches(term, node));
}

function hostPorts(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostPort}`);
  }
  return out;
}

/** What the filters know of one attempt beyond the pod and the node. */
export interface FilterState {
  /** The node's pods, assumed ones included (asked only when a filter needs the list). */
  podsOnNode(): Pod[];
  /** How many pods the node has, assumed ones included. */
  podCount: number;
  /** The pod's effective request (podRequests). */
  requests: Amounts;
  /** The attempt's inter-pod affinity state (none: that filter is skipped). */
  affinity?: InterPodAffinity;
  volumes?: PodVolumes;
  /** A ReadWriteOncePod claim of the pod is used by another pod. */
  claimInUse?: boolean;
}

/**
 * The first failing filter's reasons for this node (NodeResourcesFit may give several), empty
 * when the pod fits.
 */
export function filterNode(pod: Pod, node: Node, s: FilterState): string[] {
  const tolerations = pod.spec.tolerations;
  if (node.spec?.unschedulable && !toleratesTaint(tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) {
    return [reasonUnschedulable];
  }
  const taint = effectiveTaints(node).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !toleratesTaint(tolerations, t));
  if (taint) return [untoleratedTaint(taint)];
  if (!matchesNodeAffinity(pod, node)) return [reasonNodeAffinity];
  const wanted = hostPorts(pod);
  if (wanted.length) {
    const used = new Set(s.podsOnNode().flatMap(hostPorts));
    if (wanted.some((p) => used.has(p))) return [reasonNodePorts];
  }
  const fit = resourcesFitReasons(pod, s.requests, node, s.podCount, s.podsOnNode);
  if (fit.length) return fit;
  if (s.claimInUse) return [reasonReadWriteOncePodConflict];
  const other = s.volumes?.filter(node) ?? s.affinity?.filter(node);
  return other ? [other] : [];
}

/**
 * Filters whose failure preemption could resolve (upstream Unschedulable, not
 * UnschedulableAndUnresolvable): InterPodAffinity's anti-affinity reasons, VolumeRestrictions'
 * claim in use, NodeResourcesFit's too many pods and insufficient resources.
 */
const resolvableReasons = new Set([reasonAntiAffinityRulesNotMatch, reasonExistingAntiAffinityRulesNotMatch, reasonReadWriteOncePodConflict, reasonTooManyPods]);
const resolvable = (reason: string): boolean => resolvableReasons.has(reason) || reason.startsWith(insufficient(''));

/**
 * FitError.Error(): "0/N nodes are available: <count reason, …>." followed by the
 * preemption PostFilter's verdict. A node failing an UnschedulableAndUnresolvable filter is
 * "Preemption is not helpful for scheduling"; one failing only anti-affinity would need
 * victims of lower priority, and kanzen's pods all share one priority, so
 * SelectVictimsOnNode finds none ("No preemption victims found for incoming pod").
 */
export function fitErrorMessage(pod: Pod, reasons: Map<string, string[]>, preFilterMessage?: string): string {
  const total = reasons.size;
  const histogram = (values: Iterable<string>) => {
    const counts = new Map<string, number>();
    for (const r of values) counts.set(r, (counts.get(r) ?? 0) + 1);
    return [...counts].map(([r, n]) => `${n} ${r}`).sort();
  };
  const preemption =
    (pod.spec as { preemptionPolicy?: string }).preemptionPolicy === 'Never'
      ? 'not eligible due to preemptionPolicy=Never'
      : `0/${total} nodes are available: ${histogram(
          [...reasons.values()].map((r) => (resolvable(r[0]) ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling')),
        ).join(', ')}`;
  // A PreFilter failure is the whole reason, not counted per node (upstream FitError.Error).
  const why = preFilterMessage ?? histogram([...reasons.values()].flat()).join(', ');
  return `0/${total} nodes are available: ${why}. preemption: ${preemption}.`;
}

/** Upstream's ErrNoNodesAvailable. */
export const noNodesAvailableMessage = 'no nodes available to schedule pods';

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function controllerUID(pod: Pod): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

/** Whether a pod carries inter-pod (anti-)affinity terms, which can matter to other pods' placement. */
export function hasPodAffinityTerms(pod: Pod): boolean {
  const a = pod.spec.affinity;
  return !!(a?.podAffinity || a?.podAntiAffinity);
}

/** A pod the scheduler counts on its node (bound and not finished). */
function placedOnNode(pod: Pod): boolean {
  return !!pod.spec.nodeName && !isTerminal(pod);
}

/** Pods this scheduler must place. */
export function needsScheduling(pod: Pod): boolean {
  return !pod.spec.nodeName && (pod.spec.schedulerName ?? schedulerName) === schedulerName && !pod.metadata.deletionTimestamp && !isTerminal(pod);
}


export function newScheduler(ctx: ControllerContext): Controller {
  const podsInfo = resourceFor('pods');
  const pods = ctx.informers.for<Pod>(podsInfo);
  const nodes = ctx.informers.for<Node>(resourceFor('nodes'));
  const namespaces = ctx.informers.for<Namespace>(resourceFor('namespaces'));
  const claimsInfo = resourceFor('persistentvolumeclaims');
  const volumesInfo = resourceFor('persistentvolumes');
  const claims = ctx.informers.for<PersistentVolumeClaim>(claimsInfo);
  const volumes = ctx.informers.for<PersistentVolume>(volumesInfo);
  const storageClasses = ctx.informers.for<StorageClass>(resourceFor('storageclasses', 'storage.k8s.io'));
  const volumeListers = {
    claim: (ns: string, name: string) => claims.getByName(ns, name),
    volumes: () => volumes.list(),
    storageClass: (name: string) => (name ? storageClasses.getByName(undefined, name) : undefined),
  };
  /** The API writes of volume pre-binding. */
  const volumeBinder: VolumeBinder = {
    async bindVolume(pv, pvc) {
      const next = structuredClone(pv);
      next.spec.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion };
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'pv.kubernetes.io/bound-by-controller': 'yes' };
      await ctx.client.update(volumesInfo, next);
    },
    async selectNode(pvc, node) {
      await ctx.client.patch(claimsInfo, pvc.metadata.namespace, pvc.metadata.name!, 'merge', { metadata: { annotations: { [annSelectedNode]: node } } });
    },
  };
  /** Pods whose node is chosen and whose claims are being bound or provisioned (upstream: waiting in PreBind). */
  const waitingForVolumes = new Set<string>();
  const recorder = ctx.recorder(schedulerName);
  const log = ctx.logger.child('scheduler');
  // The scheduler cache's views of placed pods (upstream NodeInfo), kept by the informer
  // as pods change, so an attempt costs the nodes, not every pod in the cluster.
  const podsByNode = 'scheduler/nodeName';
  const podsByNodeAndController = 'scheduler/nodeName+controller';
  const podsWithPodAffinity = 'scheduler/podAffinity';
  const podsByClaim = 'scheduler/claim';
  pods.addIndex(podsByNode, (p) => (placedOnNode(p) ? [p.spec.nodeName!] : []));
  pods.addIndex(podsByNodeAndController, (p) => {
    const owner = controllerUID(p);
    return placedOnNode(p) && owner ? [`${p.spec.nodeName}/${owner}`] : [];
  });
  pods.addIndex(podsWithPodAffinity, (p) => (placedOnNode(p) && hasPodAffinityTerms(p) ? ['placed'] : []));
  pods.addIndex(podsByClaim, (p) => (placedOnNode(p) ? podClaimKeys(p) : []));
  /** Bound by us but not yet seen bound in the cache (upstream's assumed pods). */
  const assumed = new Map<string, { uid: string; node: string }>();
  /** Pods that fit nowhere at their last attempt: retried on node changes. */
  const unschedulable = new Set<string>();
  let tieBreak = 0;
  const queue = new WorkQueue((key) => schedulePod(key), { name: 'scheduler', workers: 1, logger: log });

  /** The assumed pods, as placed on their nodes, by node. */
  function assumedByNode(): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    for (const [key, a] of assumed) {
      const p = pods.get(key);
      // Once the cache shows the pod bound, the update handler forgets the assumption.
      if (!p || p.metadata.uid !== a.uid || p.spec.nodeName) continue;
      const list = out.get(a.node) ?? out.set(a.node, []).get(a.node)!;
      list.push({ ...p, spec: { ...p.spec, nodeName: a.node } });
    }
    return out;
  }

  /** What one attempt knows about a node's pods: counts from the indexes, the list only on demand. */
  interface NodeLoad {
    node: Node;
    pods(): Pod[];
    count: number;
    /** Pods of the controller with this uid on the node. */
    owned(uid: string): number;
  }

  function nodeLoad(node: Node, assumedHere: Pod[]): NodeLoad {
    const name = node.metadata.name!;
    let list: Pod[] | undefined;
    return {
      node,
      pods: () => (list ??= [...pods.byIndex(podsByNode, name), ...assumedHere]),
      count: pods.countByIndex(podsByNode, name) + assumedHere.length,
      owned: (uid) => pods.countByIndex(podsByNodeAndController, `${name}/${uid}`) + assumedHere.filter((p) => controllerUID(p) === uid).length,
    };
  }

  /**
   * The placed pods inter-pod affinity must look at: all of them when the pod has terms of
   * its own; otherwise only those with terms (their anti-affinity and preferences toward the
   * pod are all that can matter).
   */
  function placedPods(pod: Pod, loads: NodeLoad[], assumedOn: Map<string, Pod[]>): PlacedPod[] {
    if (hasPodAffinityTerms(pod)) return loads.flatMap((l) => l.pods().map((p) => ({ pod: p, node: l.node })));
    const byName = new Map(loads.map((l) => [l.node.metadata.name!, l.node]));
    const out: PlacedPod[] = [];
    const withTerms = [...pods.byIndex(podsWithPodAffinity, 'placed'), ...[...assumedOn.values()].flat().filter(hasPodAffinityTerms)];
    for (const p of withTerms) {
      const node = byName.get(p.spec.nodeName!);
      if (node) out.push({ pod: p, node });
    }
    return out;
  }

  /**
   * Upstream's score plugins, reduced: first the affinity preferences (InterPodAffinity and
   * NodeAffinity, each normalized to 0..100 and weighted 2 as in the default profile), then
   * spreading: fewest pods of the same controller (default PodTopologySpread over
   * hostnames), fewest pods overall (LeastAllocated with equal requests), fewest
   * PreferNoSchedule taints not tolerated; ties go round robin.
   */
  function pickNode(pod: Pod, feasible: NodeLoad[], affinity: InterPodAffinity): Node {
    const owner = controllerUID(pod);
    const feasibleNodes = feasible.map((f) => f.node);
    const podAffinity = affinity.scores(feasibleNodes);
    const nodeAffinity = nodeAffinityScores(pod, feasibleNodes);
    const score = (f: NodeLoad, i: number) => [
      -(2 * podAffinity[i] + 2 * nodeAffinity[i]),
      owner ? f.owned(owner) : 0,
      f.count,
      (f.node.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !toleratesTaint(pod.spec.tolerations, t)).length,
    ];
    const scored = feasible.map((f, i) => ({ node: f.node, s: score(f, i) }));
    const cmp = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
    scored.sort((a, b) => cmp(a.s, b.s) || (a.node.metadata.name! < b.node.metadata.name! ? -1 : 1));
    const best = scored.filter((x) => cmp(x.s, scored[0].s) === 0);
    return best[tieBreak++ % best.length].node;
  }

  async function schedulePod(key: string): Promise<ReconcileResult> {
    const pod = pods.get(key);
    if (!pod || !needsScheduling(pod)) {
      unschedulable.delete(key);
      return;
    }
    const a = assumed.get(key);
    if (a && a.uid === pod.metadata.uid) return; // bound already; the cache has not caught up
    const allNodes = nodes.list().sort((x, y) => (x.metadata.name! < y.metadata.name! ? -1 : 1));
    const reasons = new Map<string, string[]>();
    const feasible: NodeLoad[] = [];
    const assumedOn = assumedByNode();
    const loads = allNodes.map((n) => nodeLoad(n, assumedOn.get(n.metadata.name!) ?? []));
    const affinity = new InterPodAffinity(pod, placedPods(pod, loads, assumedOn), namespaceLabels(() => namespaces.list()));
    const assumedPods = [...assumedOn.values()].flat();
    const claimInUse = readWriteOncePodConflict(pod, volumeListers.claim, (k) => pods.countByIndex(podsByClaim, k) > 0 || assumedPods.some((p) => podClaimKeys(p).includes(k)));
    const podVolumes = new PodVolumes(pod, volumeListers);
    if (podVolumes.preFilterFailure) {
      unschedulable.add(key);
      const message = allNodes.length ? fitErrorMessage(pod, new Map(allNodes.map((n) => [n.metadata.name!, [podVolumes.preFilterFailure!]])), podVolumes.preFilterFailure) : noNodesAvailableMessage;
      await recordFailure(pod, message);
      return { requeueAfterMs: unschedulableRetryMs };
    }
    const requests = podRequests(pod);
    for (const load of loads) {
      const failed = filterNode(pod, load.node, { podsOnNode: load.pods, podCount: load.count, requests, affinity, volumes: podVolumes, claimInUse });
      if (failed.length) reasons.set(load.node.metadata.name!, failed);
      else feasible.push(load);
    }
    if (!feasible.length) {
      unschedulable.add(key);
      await recordFailure(pod, allNodes.length ? fitErrorMessage(pod, reasons) : noNodesAvailableMessage);
      return { requeueAfterMs: unschedulableRetryMs };
    }
    unschedulable.delete(key);
    const chosen = pickNode(pod, feasible, affinity);
    const node = chosen.metadata.name!;
    if (!(await podVolumes.prebind(chosen, volumeBinder))) {
      // Bound once its claims are: their updates bring it back here (and to this node).
      waitingForVolumes.add(key);
      return { requeueAfterMs: unschedulableRetryMs };
    }
    waitingForVolumes.delete(key);
    // Assume, then bind without waiting (upstream's binding cycle runs in its own
    // goroutine): the next pod is placed meanwhile, counting this one on its node.
    assumed.set(key, { uid: pod.metadata.uid!, node });
    void bind(key, pod, node);
  }

  /** The binding cycle: on failure the assumption is forgotten and the pod retried with back-off. */
  async function bind(key: string, pod: Pod, node: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    try {
      await ctx.client.post(podsInfo, namespace, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    } catch (e) {
      if (assumed.get(key)?.uid === pod.metadata.uid) assumed.delete(key);
      // Gone, or bound by someone else meanwhile: nothing left to do.
      if (isNotFound(e) || isConflict(e)) return;
      log.warn('binding failed, will retry', { pod: key, node, err: e instanceof Error ? e.message : String(e) });
      queue.addRateLimited(key);
      return;
    }
    recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  /** handleSchedulingFailure: event, then PodScheduled=False with the same message. */
  async function recordFailure(pod: Pod, message: string): Promise<void> {
    recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const conditions = pod.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    if (old && old.status === 'False' && old.reason === 'Unschedulable' && old.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(ctx.now()),
      reason: 'Unschedulable',
      message,
    };
    const updated: Pod = { ...pod, status: { ...(pod.status ?? {}), conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), cond] } };
    try {
      await ctx.client.updateStatus(podsInfo, updated);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Only spec or label changes can make an unschedulable pod fit (upstream isPodUpdated). */
  function schedulingRelevantChange(oldPod: Pod, newPod: Pod): boolean {
    return !isDeepStrictEqual(oldPod.spec, newPod.spec) || !isDeepStrictEqual(oldPod.metadata.labels, newPod.metadata.labels);
  }

  function retryUnschedulable(): void {
    for (const key of unschedulable) queue.add(key);
  }

  /** A claim, volume or class changed: pods waiting on volumes or unschedulable may go on. */
  function retryVolumeWaiters(): void {
    for (const key of waitingForVolumes) queue.add(key);
    retryUnschedulable();
  }

  function nodeSchedulingChanged(oldNode: Node, newNode: Node): boolean {
    return (
      !isDeepStrictEqual(oldNode.spec, newNode.spec) ||
      !isDeepStrictEqual(oldNode.metadata.labels, newNode.metadata.labels) ||
      !isDeepStrictEqual(oldNode.status?.allocatable, newNode.status?.allocatable) ||
      readyCondition(oldNode)?.status !== readyCondition(newNode)?.status
    );
  }

  return {
    name: 'scheduler',
    start() {
      pods.addHandlers({
        add: (p) => {
          if (needsScheduling(p)) queue.add(objectKey(p));
          // A pod created already placed may satisfy a waiting pod's affinity (AssignedPodAdd).
          else if (p.spec.nodeName && !isTerminal(p)) retryUnschedulable();
        },
        update: (o, p) => {
          const key = objectKey(p);
          if (p.spec.nodeName) assumed.delete(key);
          // A pod just placed, or a placed pod's new labels, may satisfy a waiting pod's
          // affinity or stop violating its anti-affinity (upstream AssignedPodAdd/Update).
          if (p.spec.nodeName && !isTerminal(p) && (!o.spec.nodeName || !isDeepStrictEqual(o.metadata.labels, p.metadata.labels))) retryUnschedulable();
          // A placed pod that finished leaves the scheduler's cache (AssignedPodDelete): its claims and ports are free.
          else if (o.spec.nodeName && !isTerminal(o) && isTerminal(p)) retryUnschedulable();
          if (!needsScheduling(p)) return;
          if (unschedulable.has(key) && !schedulingRelevantChange(o, p)) return;
          queue.add(key);
        },
        delete: (p) => {
          const key = objectKey(p);
          assumed.delete(key);
          unschedulable.delete(key);
          waitingForVolumes.delete(key);
          // A freed node (ports, spreading) may now fit a waiting pod.
          if (p.spec.nodeName) retryUnschedulable();
        },
      });
      claims.addHandlers({ add: retryVolumeWaiters, update: retryVolumeWaiters });
      volumes.addHandlers({ add: retryVolumeWaiters, update: retryVolumeWaiters });
      storageClasses.addHandlers({ add: retryVolumeWaiters });
      nodes.addHandlers({
        add: () => retryUnschedulable(),
        update: (o, n) => {
          if (nodeSchedulingChanged(o, n)) retryUnschedulable();
        },
      });
    },
    stop() {
      queue.stop();
    },
  };
}
