// What the StatefulSet controller knows about a set's pods and claims (upstream
// pkg/controller/statefulset/stateful_set_utils.go): stable identities `<set>-<ordinal>`, claims
// `<template>-<set>-<ordinal>`, the pod a revision produces, the revision a set's template makes,
// and the pod states the ordered algorithm waits on.
import type { ControllerRevision, OwnerReference, Pod, StatefulSet, StatefulSetStatus, StatefulSetVolumeClaimTemplate, Volume } from '../../api/types.js';
import { newControllerRevision } from '../history/controller-history.js';
import { getPodFromTemplate } from '../replicaset/pod-from-template.js';
import { controllerOf, newControllerRef } from '../replicaset/controller-ref-manager.js';
import { isPodAvailable, isPodReady } from '../replicaset/pod-conditions.js';

export const controllerKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;

/** apps.StatefulSetRevisionLabel: the name of the revision a pod was made from. */
export const statefulSetRevisionLabel = 'controller-revision-hash';
/** apps.StatefulSetPodNameLabel: lets a Service select one pod of the set. */
export const statefulSetPodNameLabel = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel (PodIndexLabel, beta and on since 1.28). */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

/** A claim template as a claim: the template with the pod's claim name, namespace and labels. */
export type PersistentVolumeClaimFromTemplate = StatefulSetVolumeClaimTemplate;

const statefulPodRegex = /^(.*)-([0-9]+)$/;
const maxInt32 = 2 ** 31 - 1;

/** getParentNameAndOrdinal: ordinal -1 when the name has none. */
export function parentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = statefulPodRegex.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1], ordinal: Number.isSafeInteger(n) && n <= maxInt32 ? n : -1 };
}

export function getOrdinal(pod: Pod): number {
  return parentNameAndOrdinal(pod).ordinal;
}

export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function getPersistentVolumeClaimName(set: StatefulSet, claim: StatefulSetVolumeClaimTemplate, ordinal: number): string {
  return `${claim.metadata.name}-${set.metadata.name}-${ordinal}`;
}

/** getStartOrdinal: spec.ordinals.start (StatefulSetStartOrdinal is GA). */
export function getStartOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + (set.spec.replicas ?? 1) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

/** isMemberOf: the pod's name says it belongs to the set. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentNameAndOrdinal(pod).parent === set.metadata.name;
}

/** identityMatches: name, namespace and identity labels as the set gives them. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod);
  const labels = pod.metadata.labels ?? {};
  return (
    ordinal >= 0 &&
    set.metadata.name === parent &&
    pod.metadata.name === getPodName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    labels[statefulSetPodNameLabel] === pod.metadata.name &&
    labels[podIndexLabel] === String(ordinal)
  );
}

/** storageMatches: every claim template is mounted as the pod's claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec.volumeClaimTemplates ?? []).every((claim) => {
    const source = volumes.get(claim.metadata.name!)?.persistentVolumeClaim as { claimName?: string } | undefined;
    return source?.claimName === getPersistentVolumeClaimName(set, claim, ordinal);
  });
}

/**
 * getPersistentVolumeClaims: the pod's claims by template name, each the template with the
 * pod's claim name and the set's selector labels added to the template's own.
 */
export function getPersistentVolumeClaims(set: StatefulSet, pod: Pod): Map<string, PersistentVolumeClaimFromTemplate> {
  const ordinal = getOrdinal(pod);
  const claims = new Map<string, PersistentVolumeClaimFromTemplate>();
  for (const template of set.spec.volumeClaimTemplates ?? []) {
    const claim = structuredClone(template);
    claim.metadata.name = getPersistentVolumeClaimName(set, template, ordinal);
    claim.metadata.namespace = set.metadata.namespace;
    claim.metadata.labels = { ...(claim.metadata.labels ?? {}), ...(set.spec.selector.matchLabels ?? {}) };
    claims.set(template.metadata.name!, claim);
  }
  return claims;
}

/** updateStorage: the claims' volumes (in template order) replace any pod volume of the same name. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = getPersistentVolumeClaims(set, pod);
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({ name, persistentVolumeClaim: { claimName: claim.metadata.name } }));
  for (const v of pod.spec.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec.volumes = volumes;
}

/** updateIdentity: the name, namespace and the labels that identify the pod. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels ??= {};
  pod.metadata.labels[statefulSetPodNameLabel] = pod.metadata.name;
  pod.metadata.labels[podIndexLabel] = String(ordinal);
}

/** initIdentity: identity plus hostname and subdomain, which are set once, at creation. */
function initIdentity(set: StatefulSet, pod: Pod): void {
  updateIdentity(set, pod);
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels ??= {};
  pod.metadata.labels[statefulSetRevisionLabel] = revision;
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata.labels?.[statefulSetRevisionLabel] ?? '';
}

/** newStatefulSetPod: the template's pod with the ordinal's identity and claims. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = getPodFromTemplate(set.spec.template, set, newControllerRef(set, controllerKind.apiVersion, controllerKind.kind));
  pod.metadata.name = getPodName(set, ordinal);
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition get the current revision, the rest
 * the update revision. The condition groups as upstream's Go does ((A && B) || C).
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const belowCurrent =
    (strategy?.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (!!strategy?.rollingUpdate && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(belowCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, belowCurrent ? currentRevision : updateRevision);
  return pod;
}

// ---- revisions ----

/** JSON with every object's keys sorted, as Go's json.Marshal writes a map. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value as Record<string, unknown>).sort()) out[k] = sortedKeys((value as Record<string, unknown>)[k]);
  return out;
}

/**
 * getPatch: the strategic-merge patch that restores the set's pod template — the only state a
 * revision records (`kubectl rollout undo` applies it as is). Upstream encodes the typed
 * template, whose metadata always carries `creationTimestamp: null`; kubectl compares its own
 * encoding of the live set with these bytes to see that an undo would change nothing.
 */
export function getPatch(set: StatefulSet): { spec: { template: Record<string, unknown> } } {
  const template = { ...structuredClone(set.spec.template), $patch: 'replace' };
  template.metadata = { creationTimestamp: null as unknown as string, ...(template.metadata ?? {}) };
  return sortedKeys({ spec: { template } }) as { spec: { template: Record<string, unknown> } };
}

/** newRevision: the set's template as revision `revision`, carrying the set's annotations (change-cause). */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, controllerKind, set.spec.template.metadata?.labels, getPatch(set), revision, collisionCount);
  cr.metadata.annotations = { ...(set.metadata.annotations ?? {}) };
  return cr;
}

/** ApplyRevision: the set with the revision's template ($patch: replace swaps the whole template). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const clone = structuredClone(set);
  const template = structuredClone((revision.data as ReturnType<typeof getPatch> | undefined)?.spec?.template);
  if (template) {
    delete template.$patch;
    const meta = template.metadata as Record<string, unknown> | undefined;
    if (meta?.creationTimestamp === null) delete meta.creationTimestamp;
    clone.spec.template = template as unknown as StatefulSet['spec']['template'];
  }
  return clone;
}

/** nextRevision: one past the highest (revisions sorted), 1 for none. */
export function nextRevision(revisions: ControllerRevision[]): number {
  return revisions.length ? revisions[revisions.length - 1].revision + 1 : 1;
}

// ---- pod states ----

export function isCreated(pod: Pod): boolean {
  return !!pod.status?.phase;
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/** isUnavailable: not healthy, or ready for less than minReadySeconds. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  return !isHealthy(pod) || !isPodAvailable(pod, minReadySeconds, now);
}

/** allowsBurst: Parallel pod management. */
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec.podManagementPolicy === 'Parallel';
}

/** Pods by ordinal, highest first (descendingOrdinal). */
export function byDescendingOrdinal(a: Pod, b: Pod): number {
  return getOrdinal(b) - getOrdinal(a);
}

// ---- status ----

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

// ---- claim retention (PersistentVolumeClaimRetentionPolicy) ----

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
