// The DaemonSet's counts (upstream daemon_controller.go updateDaemonSetStatus), with no I/O:
// per node that should run the pod, whether it has one (current), whether its oldest pod is
// ready, available and of the current revision; pods on nodes that should not run one are
// misscheduled.
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../../api/types.js';
import { isPodAvailable, isPodReady } from '../replicaset/pod-conditions.js';
import { isPodUpdated } from './daemon-pods.js';
import { nodeShouldRunDaemonPod } from './node-should-run.js';
import { byCreationTimestampAndPhase } from './pods-should-be-on-node.js';

export type DaemonSetCounts = Required<Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

export function calculateDaemonSetCounts(
  ds: DaemonSet,
  nodes: readonly Node[],
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
  hash: string,
  templateGeneration: number | undefined,
  now: Date,
): DaemonSetCounts {
  const c: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of nodes) {
    const pods = nodeToDaemonPods.get(node.metadata.name!) ?? [];
    const scheduled = pods.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(byCreationTimestampAndPhase)[0];
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, templateGeneration)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/** storeDaemonSetStatus's early return: nothing to write when the counts and observedGeneration are current. */
export function daemonSetStatusCurrent(ds: DaemonSet, c: DaemonSetCounts): boolean {
  const s = ds.status;
  return (
    (s?.desiredNumberScheduled ?? 0) === c.desiredNumberScheduled &&
    (s?.currentNumberScheduled ?? 0) === c.currentNumberScheduled &&
    (s?.numberMisscheduled ?? 0) === c.numberMisscheduled &&
    (s?.numberReady ?? 0) === c.numberReady &&
    (s?.updatedNumberScheduled ?? 0) === c.updatedNumberScheduled &&
    (s?.numberAvailable ?? 0) === c.numberAvailable &&
    (s?.numberUnavailable ?? 0) === c.numberUnavailable &&
    (s?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)
  );
}

/** The status as the API serialises it: the four required counts always, the rest omitted when zero. */
export function serialisedDaemonSetStatus(prev: DaemonSetStatus | undefined, c: DaemonSetCounts, observedGeneration: number | undefined): DaemonSetStatus {
  const out: DaemonSetStatus = {
    currentNumberScheduled: c.currentNumberScheduled,
    numberMisscheduled: c.numberMisscheduled,
    desiredNumberScheduled: c.desiredNumberScheduled,
    numberReady: c.numberReady,
  };
  if (observedGeneration) out.observedGeneration = observedGeneration;
  if (c.updatedNumberScheduled) out.updatedNumberScheduled = c.updatedNumberScheduled;
  if (c.numberAvailable) out.numberAvailable = c.numberAvailable;
  if (c.numberUnavailable) out.numberUnavailable = c.numberUnavailable;
  if (prev?.collisionCount !== undefined) out.collisionCount = prev.collisionCount;
  if (prev?.conditions?.length) out.conditions = prev.conditions;
  return out;
}
