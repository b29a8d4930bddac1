// A StatefulSet's status: when a rolling update is complete, whether a computed status differs
// from the stored one (stateful_set_utils.go), and the StatefulSetStatusUpdater
// (stateful_set_status_updater.go) that writes it, retrying a conflict on the latest copy.
import type { StatefulSet, StatefulSetStatus } from '../../api/types.js';
import { isConflict } from '../../api/errors.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';

export const statefulSetsResource = resourceFor('statefulsets', 'apps');

/** Attempts on conflict (retry.DefaultRetry's steps). */
const attempts = 5;

export async function updateStatefulSetStatus(client: ApiClient, sets: Informer<StatefulSet>, set: StatefulSet, status: StatefulSetStatus): Promise<void> {
  let copy = structuredClone(set);
  for (let attempt = 1; ; attempt++) {
    copy.status = serialisedStatefulSetStatus(status);
    try {
      await client.updateStatus(statefulSetsResource, copy);
      return;
    } catch (e) {
      if (!isConflict(e) || attempt >= attempts) throw e;
      const fresh = sets.getByName(set.metadata.namespace, set.metadata.name!);
      copy = structuredClone(fresh && fresh.metadata.resourceVersion !== copy.metadata.resourceVersion ? fresh : await client.get<StatefulSet>(statefulSetsResource, set.metadata.namespace, set.metadata.name!));
    }
  }
}

/** completeRollingUpdate: once every replica is updated and ready, the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  if (set.spec.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus: whether the computed status differs from the stored one in what it counts. */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const old = set.status ?? { replicas: 0, availableReplicas: 0 };
  const n = (v: number | undefined) => v ?? 0;
  return (
    n(status.observedGeneration) > n(old.observedGeneration) ||
    n(status.replicas) !== n(old.replicas) ||
    n(status.currentReplicas) !== n(old.currentReplicas) ||
    n(status.readyReplicas) !== n(old.readyReplicas) ||
    n(status.updatedReplicas) !== n(old.updatedReplicas) ||
    (status.currentRevision ?? '') !== (old.currentRevision ?? '') ||
    n(status.availableReplicas) !== n(old.availableReplicas) ||
    (status.updateRevision ?? '') !== (old.updateRevision ?? '')
  );
}

/** StatefulSetStatus with Go's omitempty applied (replicas and availableReplicas always; collisionCount is a pointer). */
export function serialisedStatefulSetStatus(s: StatefulSetStatus): StatefulSetStatus {
  const out: StatefulSetStatus = { replicas: s.replicas ?? 0, availableReplicas: s.availableReplicas ?? 0 };
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.currentReplicas) out.currentReplicas = s.currentReplicas;
  if (s.updatedReplicas) out.updatedReplicas = s.updatedReplicas;
  if (s.currentRevision) out.currentRevision = s.currentRevision;
  if (s.updateRevision) out.updateRevision = s.updateRevision;
  if (s.collisionCount !== undefined && s.collisionCount !== null) out.collisionCount = s.collisionCount;
  if (s.conditions?.length) out.conditions = s.conditions;
  return out;
}
