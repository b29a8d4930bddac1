// The Recreate strategy (upstream pkg/controller/deployment/recreate.go): every old pod is
// gone — not just scaled away but actually terminated — before the new ReplicaSet scales up.
import type { Deployment, Pod, ReplicaSet } from '../../api/types.js';
import type { ReconcileResult } from '../../client/work-queue.js';
import { actualReplicaCount, deploymentComplete, filterActiveReplicaSets, replicasOf } from './deployment-util.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import { syncRolloutStatus } from './progress.js';
import type { DeploymentDeps } from './deployment-context.js';

/** Pods of the deployment's ReplicaSets by ReplicaSet uid (getPodMapForDeployment), terminating ones included. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<ReconcileResult> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActiveReplicaSets(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(deps, rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(deps, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(deps, allRSs, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS && replicasOf(newRS) !== replicasOf(d)) await scaleReplicaSetAndRecordEvent(deps, newRS, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, allRSs, newRS, d);
}

/** oldPodsRunning: old ReplicaSets still report pods, or pods of theirs (even terminating) are not finished. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const pod of pods) {
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
