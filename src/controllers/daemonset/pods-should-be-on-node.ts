// The manage pass's decision for one node (upstream daemon_controller.go podsShouldBeOnNode),
// with no I/O: create a daemon pod where one should run and none does; delete failed and
// succeeded daemon pods (failed ones at a backed-off pace, as the kubelet may keep rejecting
// them), the extra pods of a node (all but the oldest; with surge, the old pod once the new one
// is available or the old one is not ready), and every pod of a node that should no longer run one.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import type { Backoff } from '../../util/backoff.js';
import { isPodAvailable, isPodReady } from '../replicaset/pod-conditions.js';
import { controllerRevisionHashLabel } from './daemon-pods.js';
import { nodeShouldRunDaemonPod } from './node-should-run.js';
import { allowsSurge } from './rolling-update.js';

/** Event reasons (FailedDaemonPodReason, SucceededDaemonPodReason). */
export const failedDaemonPodReason = 'FailedDaemonPod';
export const succeededDaemonPodReason = 'SucceededDaemonPod';

export interface NodePlan {
  /** The node needs a daemon pod created. */
  create: boolean;
  podsToDelete: string[];
  events: { type: 'Normal' | 'Warning'; reason: string; message: string }[];
  /** Sync again after this long (a failed pod whose deletion is backing off). */
  requeueAfterMs?: number;
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest first, then by name. */
export function byCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const aBound = !!a.spec.nodeName;
  const bBound = !!b.spec.nodeName;
  if (aBound !== bBound) return aBound ? -1 : 1;
  const at = Date.parse(a.metadata.creationTimestamp ?? '');
  const bt = Date.parse(b.metadata.creationTimestamp ?? '');
  if (at !== bt && !Number.isNaN(at) && !Number.isNaN(bt)) return at - bt;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** failedPodsBackoffKey: per DaemonSet, observed generation and node. */
export function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

export function podsShouldBeOnNode(node: Node, daemonPods: readonly Pod[] | undefined, ds: DaemonSet, hash: string, failedPodsBackoff: Backoff, now: Date): NodePlan {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const plan: NodePlan = { create: false, podsToDelete: [], events: [] };
  const nodeName = node.metadata.name!;
  if (shouldRun && !daemonPods) {
    plan.create = true;
    return plan;
  }
  if (!daemonPods) return plan;
  if (!shouldContinueRunning) {
    plan.podsToDelete = daemonPods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!);
    return plan;
  }
  const running: Pod[] = [];
  for (const pod of daemonPods) {
    if (pod.metadata.deletionTimestamp) continue;
    const where = `${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}`;
    if (pod.status?.phase === 'Failed') {
      const key = failedPodsBackoffKey(ds, nodeName);
      if (failedPodsBackoff.isInBackOffSinceUpdate(key, now.getTime())) {
        plan.requeueAfterMs = failedPodsBackoff.get(key);
        continue;
      }
      failedPodsBackoff.next(key, now.getTime());
      plan.events.push({ type: 'Warning', reason: failedDaemonPodReason, message: `Found failed daemon pod ${where}, will try to kill it` });
      plan.podsToDelete.push(pod.metadata.name!);
    } else if (pod.status?.phase === 'Succeeded') {
      plan.events.push({ type: 'Normal', reason: succeededDaemonPodReason, message: `Found succeeded daemon pod ${where}, will try to delete it` });
      plan.podsToDelete.push(pod.metadata.name!);
    } else {
      running.push(pod);
    }
  }
  running.sort(byCreationTimestampAndPhase);
  if (!allowsSurge(ds)) {
    // Without surge a node keeps its oldest pod; if it has none left, the next sync creates one.
    plan.podsToDelete.push(...running.slice(1).map((p) => p.metadata.name!));
    return plan;
  }
  if (running.length <= 1) {
    // Surging needs at least one pod that is not being deleted on the node.
    if (running.length === 0 && shouldRun) plan.create = true;
    return plan;
  }
  // With surge a node keeps two pods only while the oldest new one is not yet available and the
  // oldest old one is ready; every other pod goes.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata.labels?.[controllerRevisionHashLabel] === hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else plan.podsToDelete.push(pod.metadata.name!);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now))) {
    plan.podsToDelete.push(oldestOld.metadata.name!);
  }
  return plan;
}
