// Deployment scaling, ReplicaSet creation and status (upstream pkg/controller/deployment/sync.go).
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.js';
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import { newControllerRef, controllerOf } from '../replicaset/controller-ref-manager.js';
import {
  availableReplicaCount,
  actualReplicaCount,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  failedRSCreateReason,
  filterActiveReplicaSets,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  foundNewRSReason,
  getDeploymentCondition,
  getDesiredReplicasAnnotation,
  getProportion,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  minimumReplicasAvailable,
  minimumReplicasUnavailable,
  newDeploymentCondition,
  newReplicaSetReason,
  newRSNewReplicas,
  pausedDeployReason,
  readyReplicaCount,
  replicaCount,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  resumedDeployReason,
  revisionAnnotation,
  setDeploymentCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  timedOutReason,
  equalIgnoreHash,
} from './deployment-util.js';
import { computeHash, podTemplateHashLabel } from './pod-template-hash.js';
import {
  controllerKind,
  replicaSetsResource,
  statusEqual,
  updateDeploymentAnnotations,
  updateDeploymentStatus,
  type DeploymentDeps,
} from './deployment-context.js';

export interface ReplicaSetsOfDeployment {
  newRS: ReplicaSet | undefined;
  /** Every old ReplicaSet, with or without replicas. */
  oldRSs: ReplicaSet[];
}

/** Persists the revision annotation when it changed on the working copy. */
async function syncDeploymentRevision(deps: DeploymentDeps, d: Deployment, revision: string): Promise<boolean> {
  if (!setDeploymentRevision(d, revision)) return false;
  await updateDeploymentAnnotations(deps, d, { [revisionAnnotation]: revision });
  return true;
}

/**
 * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked and missing) with its
 * revision raised above every old one, and the old ReplicaSets.
 */
export async function getAllReplicaSetsAndSyncRevision(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSetsOfDeployment> {
  const { all: oldRSs } = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(deps, d, rsList, oldRSs, createIfNotExisted);
  // Later steps of the same sync see the ReplicaSet as written, not the cache's older copy.
  const i = newRS ? rsList.findIndex((rs) => rs.metadata.uid === newRS.metadata.uid) : -1;
  if (i >= 0) rsList[i] = newRS!;
  return { newRS, oldRSs };
}

async function getNewReplicaSet(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = String(maxRevision(oldRSs) + 1);
  const now = deps.now();

  if (existing) {
    const rsCopy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
    const minReadySecondsNeedsUpdate = (rsCopy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadySecondsNeedsUpdate) {
      rsCopy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      return deps.client.update<ReplicaSet>(replicaSetsResource, rsCopy);
    }
    await syncDeploymentRevision(deps, d, rsCopy.metadata.annotations?.[revisionAnnotation] ?? newRevision);
    // A deployment created before progress was tracked gets its first Progressing condition here.
    if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, 'Progressing')) {
      d.status ??= {};
      setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'True', foundNewRSReason, `Found new replica set "${rsCopy.metadata.name}"`, now));
      await updateDeploymentStatus(deps, d);
    }
    return rsCopy;
  }
  if (!createIfNotExisted) return undefined;

  const template = structuredClone(d.spec.template);
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(d.spec.template.metadata?.labels ?? {}), [podTemplateHashLabel]: hash } };
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [podTemplateHashLabel]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [newControllerRef(d, controllerKind.apiVersion, controllerKind.kind)],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = newReplicasCount;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await deps.client.create<ReplicaSet>(replicaSetsResource, d.metadata.namespace, newRS);
  } catch (e) {
    if (isAlreadyExists(e)) {
      const rs = deps.rsInformer.getByName(newRS.metadata.namespace, newRS.metadata.name!);
      if (rs && controllerOf(rs.metadata)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) {
        created = rs;
        alreadyExists = true;
      } else {
        // A different template hashed to the same name: bump collisionCount so the next
        // sync computes another hash (upstream hash-collision handling).
        d.status ??= {};
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        await updateDeploymentStatus(deps, d);
        throw e;
      }
    } else if (isNamespaceTerminating(e)) {
      throw e;
    } else {
      const msg = `Failed to create new replica set "${newRS.metadata.name}": ${e instanceof Error ? e.message : String(e)}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'False', failedRSCreateReason, msg, now));
        await updateDeploymentStatus(deps, d).catch(() => undefined);
      }
      deps.recorder.event(d, 'Warning', failedRSCreateReason, msg);
      throw e;
    }
  }
  if (!alreadyExists && newReplicasCount > 0) {
    deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newReplicasCount}`);
  }
  await syncDeploymentRevision(deps, d, newRevision);
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'True', newReplicaSetReason, `Created new replica set "${created.metadata.name}"`, now));
    await updateDeploymentStatus(deps, d);
  }
  return created;
}

function isNamespaceTerminating(e: unknown): boolean {
  const causes = (e as { status?: { details?: { causes?: { reason?: string }[] } } }).status?.details?.causes;
  return !!causes?.some((c) => c.reason === 'NamespaceTerminating');
}

/** scaleReplicaSet: writes the new size and the replicas annotations; an event when the size changed. */
export async function scaleReplicaSet(deps: DeploymentDeps, rs: ReplicaSet, newScale: number, d: Deployment, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const desired = replicasOf(d);
  const max = desired + maxSurge(d);
  const sizeNeedsUpdate = replicasOf(rs) !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const oldScale = replicasOf(rs);
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await deps.client.update<ReplicaSet>(replicaSetsResource, copy);
  if (sizeNeedsUpdate) {
    deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

export async function scaleReplicaSetAndRecordEvent(deps: DeploymentDeps, rs: ReplicaSet, newScale: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(deps, rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
}

/**
 * scale: a scaling event (spec.replicas changed, or paused). One active ReplicaSet takes the
 * whole count; a saturated new ReplicaSet lets old ones go to 0; otherwise, during a rolling
 * update, every active ReplicaSet grows or shrinks in proportion to its size.
 */
export async function scale(deps: DeploymentDeps, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) === replicasOf(d)) return;
    await scaleReplicaSetAndRecordEvent(deps, activeOrLatest, replicasOf(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(deps, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allRSs = filterActiveReplicaSets([...oldRSs, newRS]);
  const allowedSize = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - replicaCount(allRSs);
  let operation = '';
  if (toAdd > 0) {
    allRSs.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    allRSs.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of allRSs) {
    if (toAdd !== 0) {
      const proportion = getProportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.name!, replicasOf(rs) + proportion);
      added += proportion;
    } else {
      sizes.set(rs.metadata.name!, replicasOf(rs));
    }
  }
  for (let i = 0; i < allRSs.length; i++) {
    const rs = allRSs[i];
    // The largest ReplicaSet takes whatever rounding left over.
    if (i === 0 && toAdd !== 0) sizes.set(rs.metadata.name!, Math.max(0, sizes.get(rs.metadata.name!)! + toAdd - added));
    await scaleReplicaSet(deps, rs, sizes.get(rs.metadata.name!)!, d, operation);
  }
}

/** isScalingEvent: an active ReplicaSet was sized for a different spec.replicas. */
export async function isScalingEvent(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  for (const rs of filterActiveReplicaSets([...oldRSs, newRS])) {
    const desired = getDesiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== replicasOf(d)) return true;
  }
  return false;
}

/** cleanupDeployment: deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
export async function cleanupDeployment(deps: DeploymentDeps, oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => rs && !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - d.spec.revisionHistoryLimit!;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata.deletionTimestamp) continue;
    try {
      await deps.client.delete(replicaSetsResource, rs.metadata.namespace, rs.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** calculateStatus: the deployment's counts from its ReplicaSets, and the Available condition. */
export function calculateStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: Date): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    collisionCount: d.status?.collisionCount,
  };
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition('Available', 'True', minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setDeploymentCondition(status, newDeploymentCondition('Available', 'False', minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** syncDeploymentStatus: writes the calculated status when it differs. */
export async function syncDeploymentStatus(deps: DeploymentDeps, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d, deps.now());
  if (statusEqual(d.status, status)) return;
  d.status = status;
  await updateDeploymentStatus(deps, d);
}

/** sync: reconcile a scaling event or a paused deployment (no rollout). */
export async function syncScaleOnly(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await scale(deps, d, newRS, oldRSs);
  // History is trimmed here only while paused; a rollout trims it when it completes.
  if (d.spec.paused) await cleanupDeployment(deps, oldRSs, d);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/** syncStatusOnly: a deployment being deleted only gets its status refreshed. */
export async function syncStatusOnly(deps: DeploymentDeps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/** checkPausedConditions: Progressing=Unknown DeploymentPaused / DeploymentResumed, unless timed out. */
export async function checkPausedConditions(deps: DeploymentDeps, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, 'Progressing');
  if (cond?.reason === timedOutReason) return;
  const pausedCondExists = cond?.reason === pausedDeployReason;
  let condition;
  if (d.spec.paused && !pausedCondExists) {
    condition = newDeploymentCondition('Progressing', 'Unknown', pausedDeployReason, 'Deployment is paused', deps.now());
  } else if (!d.spec.paused && pausedCondExists) {
    condition = newDeploymentCondition('Progressing', 'Unknown', resumedDeployReason, 'Deployment is resumed', deps.now());
  }
  if (!condition) return;
  d.status ??= {};
  setDeploymentCondition(d.status, condition);
  await updateDeploymentStatus(deps, d);
}
