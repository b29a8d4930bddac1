// The scheduler's VolumeRestrictions plugin (pkg/scheduler/framework/plugins/volumerestrictions),
// its ReadWriteOncePod part: a claim with the ReadWriteOncePod access mode is used by one pod
// at a time, so while any placed pod (bound or assumed, not finished) uses one of the pod's
// RWOP claims, the pod fits no node. The failure is Unschedulable (preemption could free the
// claim), and the pod is tried again when a placed pod goes.
import { podClaimNames } from '../api/storage-helpers.js';
import type { PersistentVolumeClaim, Pod } from '../api/types.js';

export const reasonReadWriteOncePodConflict = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

/** The key placed pods are indexed by for each claim they use (upstream NodeInfo.PVCRefCounts). */
export function claimKey(namespace: string, claim: string): string {
  return `${namespace}/${claim}`;
}

/** The claim keys a pod uses. */
export function podClaimKeys(pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? 'default';
  return podClaimNames(pod).map((c) => claimKey(ns, c));
}

/**
 * PreFilter's state: whether one of the pod's ReadWriteOncePod claims is in use by another
 * pod. Missing claims are VolumeBinding's to report (its PreFilter gives the same message).
 */
export function readWriteOncePodConflict(
  pod: Pod,
  claim: (namespace: string, name: string) => PersistentVolumeClaim | undefined,
  inUse: (key: string) => boolean,
): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  return podClaimNames(pod).some((name) => !!claim(ns, name)?.spec.accessModes?.includes('ReadWriteOncePod') && inUse(claimKey(ns, name)));
}
