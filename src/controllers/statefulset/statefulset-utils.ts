// What the StatefulSet controller knows about a set's pods and claims (upstream
// pkg/controller/statefulset/stateful_set_utils.go): stable identities `<set>-<ordinal>`, claims
// `<template>-<set>-<ordinal>`, the pod a revision produces, and the pod states the ordered
// algorithm waits on.
import type { Pod, StatefulSet, StatefulSetVolumeClaimTemplate, Volume } from '../../api/types.js';
import { getPodFromTemplate } from '../replicaset/pod-from-template.js';
import { newControllerRef } from '../replicaset/controller-ref-manager.js';
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

// Pod states.

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

