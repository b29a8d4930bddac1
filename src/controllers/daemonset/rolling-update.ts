// The RollingUpdate strategy's arithmetic (upstream pkg/controller/daemon/update.go
// rollingUpdate and util.SurgeCount/UnavailableCount), with no I/O: given the daemon pods on
// each node that should run one, which old pods to delete (without surge: at most
// maxUnavailable nodes without an available pod) or on which nodes to start a new pod next to
// the old one (with surge: at most maxSurge nodes at once). The manage pass then creates the
// pods of nodes left without one and prunes the old pod once the new one is available.
import type { DaemonSet, Pod } from '../../api/types.js';
import { valueFromIntOrPercent } from '../deployment/deployment-util.js';
import { isPodAvailable } from '../replicaset/pod-conditions.js';
import { isPodUpdated } from './daemon-pods.js';

/** util.SurgeCount: maxSurge of numberToSchedule (percentages round up); 0 unless RollingUpdate. */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate || s.rollingUpdate.maxSurge === undefined) return 0;
  return valueFromIntOrPercent(s.rollingUpdate.maxSurge, numberToSchedule, true);
}

/** util.UnavailableCount: maxUnavailable of numberToSchedule (percentages round up); 0 unless RollingUpdate. */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return valueFromIntOrPercent(s.rollingUpdate.maxUnavailable, numberToSchedule, true);
}

/** util.AllowsSurge: whether a node may run an old and a new pod at once. */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) > 0;
  } catch {
    return false;
  }
}

/**
 * updatedDesiredNodeCounts: the allowed surge and unavailability for the nodes that should run
 * the pod; a configuration allowing neither (which validation refuses) still allows one
 * unavailable node, so an update always progresses.
 */
export function rollingUpdateBudget(ds: DaemonSet, desiredNumberScheduled: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = surgeCount(ds, desiredNumberScheduled);
  let maxUnavailable = unavailableCount(ds, desiredNumberScheduled);
  if (desiredNumberScheduled > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * findUpdatedPodsOnNode: the node's one new and one old pod (either may be missing), ignoring
 * pods being deleted; undefined when it has more than one of a kind (the manage pass prunes
 * those first).
 */
export function findUpdatedPodsOnNode(pods: readonly Pod[], hash: string, templateGeneration: number | undefined): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, templateGeneration)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

export interface RollingUpdateInput {
  ds: DaemonSet;
  /** Daemon pods by node, with an empty entry for every node that should run one and has none. */
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  templateGeneration: number | undefined;
  maxSurge: number;
  maxUnavailable: number;
  now: Date;
}

export interface RollingUpdateActions {
  podsToDelete: string[];
  nodesToCreate: string[];
}

/** rollingUpdate's decision. Nodes are taken in name order, so a rollout goes node by node predictably. */
export function rollingUpdateActions(input: RollingUpdateInput): RollingUpdateActions {
  return input.maxSurge === 0 ? withoutSurge(input) : withSurge(input);
}

function sortedNodes(m: ReadonlyMap<string, readonly Pod[]>): [string, readonly Pod[]][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Without surge, old pods are deleted so that no more than maxUnavailable nodes lack an
 * available pod; an old pod that is not available anyway is always replaced. A node with no
 * pod, with both an old and a new one, or with an unavailable new one counts as unavailable.
 */
function withoutSurge({ ds, nodeToDaemonPods, hash, templateGeneration, maxUnavailable, now }: RollingUpdateInput): RollingUpdateActions {
  const minReady = ds.spec.minReadySeconds ?? 0;
  let numUnavailable = 0;
  const replacements: string[] = [];
  const candidates: string[] = [];
  for (const [, pods] of sortedNodes(nodeToDaemonPods)) {
    const found = findUpdatedPodsOnNode(pods, hash, templateGeneration);
    if (!found) {
      numUnavailable++;
      continue;
    }
    const { newPod, oldPod } = found;
    if ((!oldPod && !newPod) || (oldPod && newPod)) {
      numUnavailable++;
    } else if (newPod) {
      if (!isPodAvailable(newPod, minReady, now)) numUnavailable++;
    } else if (oldPod && !isPodAvailable(oldPod, minReady, now)) {
      replacements.push(oldPod.metadata.name!);
    } else if (oldPod && numUnavailable < maxUnavailable) {
      candidates.push(oldPod.metadata.name!);
    }
  }
  const remaining = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
  return { podsToDelete: [...replacements, ...candidates.slice(0, remaining)], nodesToCreate: [] };
}

/**
 * With surge, a new pod starts beside each old pod that is not available, and beside up to
 * maxSurge available old pods at a time; an old pod goes once the new one on its node is
 * available. A node still waiting for its new pod to become available counts against surge.
 */
function withSurge({ ds, nodeToDaemonPods, hash, templateGeneration, maxSurge, now }: RollingUpdateInput): RollingUpdateActions {
  const minReady = ds.spec.minReadySeconds ?? 0;
  let numSurge = 0;
  const podsToDelete: string[] = [];
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  for (const [nodeName, pods] of sortedNodes(nodeToDaemonPods)) {
    const found = findUpdatedPodsOnNode(pods, hash, templateGeneration);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (!oldPod) continue;
    if (!newPod) {
      if (!isPodAvailable(oldPod, minReady, now)) allowedNewNodes.push(nodeName);
      else if (numSurge < maxSurge) candidateNewNodes.push(nodeName);
      continue;
    }
    if (!isPodAvailable(newPod, minReady, now)) {
      numSurge++;
      continue;
    }
    podsToDelete.push(oldPod.metadata.name!);
  }
  const remaining = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  return { podsToDelete, nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remaining)] };
}
