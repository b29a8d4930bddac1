// PersistentVolumeClaimRetentionPolicy (upstream stateful_set_utils.go): which owner references
// a pod's claims carry — the set's when they are deleted with the set (whenDeleted: Delete), the
// pod's when they go with a scaled-down pod (whenScaled: Delete) — so the garbage collector
// deletes them; under Retain they have none and outlive both.
import type { OwnerReference, Pod, StatefulSet } from '../../api/types.js';
import { controllerOf } from '../replicaset/controller-ref-manager.js';
import { controllerKind, podInOrdinalRange, type PersistentVolumeClaimFromTemplate } from './statefulset-utils.js';

function hasOwnerRef(target: { metadata: { ownerReferences?: OwnerReference[] } }, owner: { metadata: { uid?: string } }): boolean {
  return (target.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}

/** hasStaleOwnerRef: a reference to a pod of this name but another uid (an earlier incarnation). */
export function hasStaleOwnerRef(claim: PersistentVolumeClaimFromTemplate, pod: Pod): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.apiVersion === 'v1' && r.name === pod.metadata.name && r.uid !== pod.metadata.uid);
}

/** hasUnexpectedController: a controller reference to something other than the set or the pod. */
export function hasUnexpectedController(claim: PersistentVolumeClaimFromTemplate, set: StatefulSet, pod: Pod): boolean {
  const ref = controllerOf(claim.metadata);
  return !!ref && ref.uid !== set.metadata.uid && ref.uid !== pod.metadata.uid;
}

interface OwnerPlan {
  set: boolean;
  pod: boolean;
}

/**
 * Which owners the claim should have: the set when it is to be deleted with the set, the pod
 * when it is to be deleted with a scaled-down pod.
 */
function claimOwners(set: StatefulSet, pod: Pod): OwnerPlan {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
  const whenDeleted = policy.whenDeleted === 'Delete';
  const whenScaled = policy.whenScaled === 'Delete';
  const scaledDown = !podInOrdinalRange(pod, set);
  if (whenScaled && scaledDown) return { set: false, pod: true };
  return { set: whenDeleted, pod: false };
}

/** claimOwnerMatchesSetAndPod */
export function claimOwnerMatchesSetAndPod(claim: PersistentVolumeClaimFromTemplate, set: StatefulSet, pod: Pod): boolean {
  const want = claimOwners(set, pod);
  return hasOwnerRef(claim, set) === want.set && hasOwnerRef(claim, pod) === want.pod;
}

/** updateClaimOwnerRefForSetAndPod: adds and removes the set's and the pod's references; true if changed. */
export function updateClaimOwnerRefForSetAndPod(claim: PersistentVolumeClaimFromTemplate, set: StatefulSet, pod: Pod): boolean {
  const want = claimOwners(set, pod);
  let changed = false;
  const refs = [...(claim.metadata.ownerReferences ?? [])];
  const apply = (owner: { metadata: { name?: string; uid?: string } }, apiVersion: string, kind: string, wanted: boolean) => {
    const has = refs.some((r) => r.uid === owner.metadata.uid);
    if (wanted && !has) {
      refs.push({ apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid! });
      changed = true;
    } else if (!wanted && has) {
      refs.splice(
        refs.findIndex((r) => r.uid === owner.metadata.uid),
        1,
      );
      changed = true;
    }
  };
  apply(set, controllerKind.apiVersion, controllerKind.kind, want.set);
  if (pod.metadata.uid) apply(pod, 'v1', 'Pod', want.pod);
  if (changed) {
    if (refs.length) claim.metadata.ownerReferences = refs;
    else delete claim.metadata.ownerReferences;
  }
  return changed;
}
