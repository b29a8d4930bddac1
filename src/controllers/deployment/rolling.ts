// The RollingUpdate strategy (upstream pkg/controller/deployment/rolling.go): scale the new
// ReplicaSet up within maxSurge, then the old ones down within maxUnavailable, one step per
// sync, each step triggered by the ReplicaSets' status changing.
import type { Deployment, ReplicaSet } from '../../api/types.js';
import type { ReconcileResult } from '../../client/work-queue.js';
import {
  availableReplicaCount,
  byCreationTimestamp,
  deploymentComplete,
  filterActiveReplicaSets,
  maxUnavailable,
  newRSNewReplicas,
  replicaCount,
  replicasOf,
} from './deployment-util.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import { syncRolloutStatus } from './progress.js';
import type { DeploymentDeps } from './deployment-context.js';

export async function rolloutRolling(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(deps, allRSs, newRS!, d)) return syncRolloutStatus(deps, allRSs, newRS, d);
  if (await reconcileOldReplicaSets(deps, allRSs, filterActiveReplicaSets(oldRSs), newRS!, d)) return syncRolloutStatus(deps, allRSs, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, allRSs, newRS, d);
}

async function reconcileNewReplicaSet(deps: DeploymentDeps, allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (replicasOf(newRS) === replicasOf(d)) return false;
  if (replicasOf(newRS) > replicasOf(d)) return (await scaleReplicaSetAndRecordEvent(deps, newRS, replicasOf(d), d)).scaled;
  return (await scaleReplicaSetAndRecordEvent(deps, newRS, newRSNewReplicas(d, allRSs, newRS), d)).scaled;
}

/**
 * reconcileOldReplicaSets: old pods may go as long as availability stays at
 * spec.replicas - maxUnavailable, counting the new ReplicaSet's not-yet-available pods as
 * unavailable; unhealthy old pods go first since they cost no availability.
 */
async function reconcileOldReplicaSets(deps: DeploymentDeps, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const allPodsCount = replicaCount(allRSs);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPodsCount - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(deps, oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(deps, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d);
  return cleaned.count + scaledDown > 0;
}

async function cleanupUnhealthyReplicas(deps: DeploymentDeps, oldRSs: ReplicaSet[], d: Deployment, maxCleanupCount: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (total >= maxCleanupCount) break;
    const rs = sorted[i];
    const available = rs.status?.availableReplicas ?? 0;
    if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
    const count = Math.min(maxCleanupCount - total, replicasOf(rs) - available);
    const newCount = replicasOf(rs) - count;
    if (newCount > replicasOf(rs)) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicasOf(rs)} -> ${newCount}`);
    sorted[i] = (await scaleReplicaSetAndRecordEvent(deps, rs, newCount, d)).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

async function scaleDownOldReplicaSetsForRollingUpdate(deps: DeploymentDeps, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  const totalToScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of sorted) {
    if (total >= totalToScaleDown) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), totalToScaleDown - total);
    const newCount = replicasOf(rs) - count;
    if (newCount > replicasOf(rs)) throw new Error(`when scaling down old replica set, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicasOf(rs)} -> ${newCount}`);
    await scaleReplicaSetAndRecordEvent(deps, rs, newCount, d);
    total += count;
  }
  return total;
}
