// Rollout progress (upstream pkg/controller/deployment/progress.go): the Progressing
// condition — NewReplicaSetAvailable when complete, ReplicaSetUpdated while pods move,
// ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds — and the
// ReplicaFailure condition promoted from the ReplicaSets.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from '../../api/types.js';
import type { ReconcileResult } from '../../client/work-queue.js';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getDeploymentCondition,
  hasProgressDeadline,
  newDeploymentCondition,
  newRSAvailableReason,
  removeDeploymentCondition,
  replicaSetToDeploymentCondition,
  replicaSetUpdatedReason,
  setDeploymentCondition,
  timedOutReason,
} from './deployment-util.js';
import { calculateStatus } from './sync.js';
import { statusEqual, updateDeploymentStatus, type DeploymentDeps } from './deployment-context.js';

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure conditions, else any old one's. */
function getReplicaFailures(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const failures = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure').map(replicaSetToDeploymentCondition);
  const own = failures(newRS);
  if (own.length) return own;
  return allRSs.flatMap(failures);
}

/** syncRolloutStatus: status plus progress estimation; asks for a requeue at the deadline. */
export async function syncRolloutStatus(deps: DeploymentDeps, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<ReconcileResult> {
  const now = deps.now();
  const newStatus = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, 'Progressing');
  const currentCond = getDeploymentCondition(d.status, 'Progressing');
  // A complete rollout seen again (a resync) needs no progress estimate.
  const isCompleteDeployment = newStatus.replicas === newStatus.updatedReplicas && currentCond?.reason === newRSAvailableReason;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    const rsName = newRS?.metadata.name;
    if (deploymentComplete(d, newStatus)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
      setDeploymentCondition(newStatus, newDeploymentCondition('Progressing', 'True', newRSAvailableReason, msg, now));
    } else if (deploymentProgressing(d, newStatus)) {
      const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
      let condition = newDeploymentCondition('Progressing', 'True', replicaSetUpdatedReason, msg, now);
      // Progress refreshes lastUpdateTime even with the same reason (SetDeploymentCondition would not).
      if (currentCond) {
        if (currentCond.status === 'True') condition = { ...condition, lastTransitionTime: currentCond.lastTransitionTime };
        removeDeploymentCondition(newStatus, 'Progressing');
      }
      setDeploymentCondition(newStatus, condition);
    } else if (deploymentTimedOut(d, newStatus, now)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setDeploymentCondition(newStatus, newDeploymentCondition('Progressing', 'False', timedOutReason, msg, now));
    }
  }
  const failures = getReplicaFailures(allRSs, newRS);
  if (failures.length) setDeploymentCondition(newStatus, failures[0]);
  else removeDeploymentCondition(newStatus, 'ReplicaFailure');

  if (statusEqual(d.status, newStatus)) return requeueStuckDeployment(d, newStatus, now);
  d.status = newStatus;
  await updateDeploymentStatus(deps, d);
}

/**
 * requeueStuckDeployment: with no progress, check again when the deadline passes (there may be
 * no event at that moment). Nothing to wait for when complete, timed out or without a deadline.
 */
function requeueStuckDeployment(d: Deployment, newStatus: DeploymentStatus, now: Date): ReconcileResult {
  const cond = getDeploymentCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !cond) return;
  if (deploymentComplete(d, newStatus) || cond.reason === timedOutReason) return;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return;
  const after = from + d.spec.progressDeadlineSeconds! * 1000 - now.getTime();
  // Under a second left: soon (upstream rate-limits this requeue); otherwise a second past the deadline.
  if (after < 1000) return { requeueAfterMs: 1000 };
  return { requeueAfterMs: after + 1000 };
}
