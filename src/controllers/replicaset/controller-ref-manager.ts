// ControllerRefManager (upstream pkg/controller/controller_ref_manager.go): a controller
// claims the objects its selector matches — adopting orphans, keeping its own, releasing
// owned objects whose labels no longer match — by patching ownerReferences.
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject, ObjectMeta, OwnerReference, Pod } from '../../api/types.js';
import { matchLabels, type LabelRequirement } from '../../api/labels.js';
import { ApiError, isNotFound } from '../../api/errors.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';

/** metav1.GetControllerOf. */
export function controllerOf(meta: ObjectMeta): OwnerReference | undefined {
  return meta.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef. */
export function newControllerRef(owner: { metadata: ObjectMeta }, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export interface ClaimOwner {
  metadata: KubeObject['metadata'];
}

export interface ClaimSpec<T extends KubeObject> {
  owner: ClaimOwner;
  ownerRef: OwnerReference;
  match(obj: T): boolean;
  /** Called once before the first adoption; throws when adopting is no longer safe. */
  canAdopt(): Promise<void>;
  adopt(obj: T): Promise<void>;
  release(obj: T): Promise<void>;
}

function ignorable(e: unknown): boolean {
  // Gone, or replaced by another object of the same name (the uid precondition failed).
  return isNotFound(e) || (e instanceof ApiError && (e.code === 422 || e.code === 409));
}

/** ClaimObjects: returns the objects the controller owns after claiming; errors are aggregated. */
export async function claimObjects<T extends KubeObject>(objs: T[], spec: ClaimSpec<T>): Promise<{ claimed: T[]; errors: unknown[] }> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptCheck: Promise<void> | undefined;
  const ownerDeleting = !!spec.owner.metadata.deletionTimestamp;
  for (const obj of objs) {
    const ref = controllerOf(obj.metadata);
    try {
      if (ref) {
        if (ref.uid !== spec.owner.metadata.uid) continue;
        if (spec.match(obj)) {
          claimed.push(obj);
          continue;
        }
        if (ownerDeleting) continue;
        await spec.release(obj);
        continue;
      }
      if (ownerDeleting || !spec.match(obj) || obj.metadata.deletionTimestamp) continue;
      if (spec.owner.metadata.namespace && spec.owner.metadata.namespace !== obj.metadata.namespace) continue;
      adoptCheck ??= spec.canAdopt();
      await adoptCheck;
      await spec.adopt(obj);
      claimed.push(obj);
    } catch (e) {
      if (!ignorable(e)) errors.push(e);
    }
  }
  return { claimed, errors };
}

/** The strategic-merge patch that adds a controller reference (with the object's uid as a precondition). */
export function adoptPatch(ref: OwnerReference, uid: string | undefined): unknown {
  return { metadata: { ownerReferences: [ref], uid } };
}

/** The strategic-merge patch that removes the owner's reference. */
export function releasePatch(ownerUID: string | undefined, uid: string | undefined): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUID }], uid } };
}

/**
 * RecheckDeletionTimestamp: adoption must not happen if the owner is being deleted or was
 * replaced, so the owner is read fresh from the API (not the cache) before adopting.
 */
export function recheckDeletionTimestamp(client: ApiClient, info: ResourceInfo, owner: ClaimOwner): () => Promise<void> {
  return async () => {
    const { namespace, name, uid } = owner.metadata;
    const fresh = await client.get(info, namespace, name!);
    if (fresh.metadata.uid !== uid) throw new Error(`original ${info.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${info.kind} ${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}

const podsResource = resourceFor('pods');

/**
 * PodControllerRefManager.ClaimPods: claims pods for a workload, adopting and releasing them
 * with strategic-merge patches of their ownerReferences (each with the pod's uid as a
 * precondition), after checking once with a fresh read that the owner may still adopt.
 */
export function claimPods(client: ApiClient, owner: ClaimOwner, ownerInfo: ResourceInfo, ownerKind: { apiVersion: string; kind: string }, selector: LabelRequirement[] | null, pods: Pod[]): Promise<{ claimed: Pod[]; errors: unknown[] }> {
  const ownerRef = newControllerRef(owner, ownerKind.apiVersion, ownerKind.kind);
  const patch = (pod: Pod, body: unknown) => client.patch(podsResource, pod.metadata.namespace, pod.metadata.name!, 'strategic', body).then(() => undefined);
  return claimObjects(pods, {
    owner,
    ownerRef,
    match: (pod) => matchLabels(selector, pod.metadata.labels),
    canAdopt: recheckDeletionTimestamp(client, ownerInfo, owner),
    adopt: (pod) => patch(pod, adoptPatch(ownerRef, pod.metadata.uid)),
    release: (pod) => patch(pod, releasePatch(owner.metadata.uid, pod.metadata.uid)),
  });
}
