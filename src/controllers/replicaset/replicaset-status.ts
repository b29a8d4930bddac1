// ReplicaSet status (upstream pkg/controller/replicaset/replica_set_utils.go calculateStatus):
// counted from the active pods the ReplicaSet owns; a failed create/delete is surfaced as the
// ReplicaFailure condition until a sync succeeds.
import type { Pod, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from '../../api/types.js';
import { matchLabels, selectorFromSet } from '../../api/labels.js';
import { isPodAvailable, isPodReady } from './pod-conditions.js';
import { rfc3339 } from '../../api/time.js';

export const replicaFailureCondition = 'ReplicaFailure';


export function calculateReplicaSetStatus(rs: ReplicaSet, pods: Pod[], manageReplicasErr: unknown, now: Date): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  const templateLabels = selectorFromSet(rs.spec.template?.metadata?.labels);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (matchLabels(templateLabels, pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, rs.spec.minReadySeconds ?? 0, now)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === replicaFailureCondition);
  if (manageReplicasErr && !failure) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const message = manageReplicasErr instanceof Error ? manageReplicasErr.message : String(manageReplicasErr);
    const cond: ReplicaSetCondition = { type: replicaFailureCondition, status: 'True', lastTransitionTime: rfc3339(now), reason, message };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (!manageReplicasErr && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== replicaFailureCondition);
    if (!status.conditions.length) delete status.conditions;
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** Whether a status write is needed (updateReplicaSetStatus's early return). */
export function replicaSetStatusChanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  return (
    cur.replicas !== next.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== next.fullyLabeledReplicas ||
    (cur.readyReplicas ?? 0) !== next.readyReplicas ||
    (cur.availableReplicas ?? 0) !== next.availableReplicas ||
    (cur.observedGeneration ?? 0) !== (rs.metadata.generation ?? 0) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
