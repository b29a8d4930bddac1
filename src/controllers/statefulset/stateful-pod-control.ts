// StatefulPodControl (upstream pkg/controller/statefulset/stateful_pod_control.go): creates a
// pod's claims before the pod, updates a pod's identity and storage, deletes pods, keeps claim
// owner references as the retention policy says, and records what it did as events on the set
// ("create Pod web-0 in StatefulSet web successful", "create Claim www-web-0 Pod web-0 in
// StatefulSet web success").
import type { Pod, StatefulSet } from '../../api/types.js';
import { isAlreadyExists, isConflict } from '../../api/errors.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { claimOwnerMatchesSetAndPod, hasStaleOwnerRef, hasUnexpectedController, updateClaimOwnerRefForSetAndPod } from './claim-retention.js';
import {
  getOrdinal,
  getPersistentVolumeClaimName,
  getPersistentVolumeClaims,
  identityMatches,
  storageMatches,
  updateIdentity,
  updateStorage,
  type PersistentVolumeClaimFromTemplate,
} from './statefulset-utils.js';

export const podsResource = resourceFor('pods');
export const claimsResource = resourceFor('persistentvolumeclaims');

/** Attempts of an update on conflict (retry.DefaultBackoff's steps). */
const updateAttempts = 4;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** strings.Title of a one-word verb. */
function title(verb: string): string {
  return verb.charAt(0).toUpperCase() + verb.slice(1);
}

export class StatefulPodControl {
  constructor(
    private readonly client: ApiClient,
    private readonly pods: Informer<Pod>,
    private readonly claims: Informer<PersistentVolumeClaimFromTemplate>,
    private readonly recorder: EventRecorder,
  ) {}

  /** CreateStatefulPod: the claims first, then the pod; AlreadyExists is returned without an event. */
  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (e) {
      this.recordPodEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.client.create(podsResource, pod.metadata.namespace, pod);
    } catch (e) {
      if (!isAlreadyExists(e)) this.recordPodEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (e) {
      this.recordPodEvent('update', set, pod, e);
      throw e;
    }
    this.recordPodEvent('create', set, pod);
  }

  /** UpdateStatefulPod: restores identity, storage and claim ownership, retrying on conflict. */
  async updateStatefulPod(set: StatefulSet, original: Pod): Promise<void> {
    let pod = structuredClone(original);
    let attempted = false;
    let lastErr: unknown;
    for (let attempt = 1; attempt <= updateAttempts; attempt++) {
      let consistent = true;
      if (!identityMatches(set, pod)) {
        updateIdentity(set, pod);
        consistent = false;
      }
      try {
        if (!storageMatches(set, pod)) {
          updateStorage(set, pod);
          consistent = false;
          await this.createPersistentVolumeClaims(set, pod);
        }
        if (!this.claimsMatchRetentionPolicy(set, pod)) {
          await this.updatePodClaimForRetentionPolicy(set, pod);
          consistent = false;
        }
      } catch (e) {
        this.recordPodEvent('update', set, pod, e);
        throw e;
      }
      if (consistent) return;
      attempted = true;
      try {
        await this.client.update(podsResource, pod);
        lastErr = undefined;
        break;
      } catch (e) {
        lastErr = e;
        if (!isConflict(e)) break;
        const cached = this.pods.getByName(set.metadata.namespace, pod.metadata.name!);
        if (cached) pod = structuredClone(cached);
      }
    }
    if (attempted) this.recordPodEvent('update', set, pod, lastErr);
    if (lastErr) throw lastErr;
  }

  /** DeleteStatefulPod */
  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.delete(podsResource, pod.metadata.namespace, pod.metadata.name!);
    } catch (e) {
      this.recordPodEvent('delete', set, pod, e);
      throw e;
    }
    this.recordPodEvent('delete', set, pod);
  }

  /**
   * PodClaimIsStale: with whenScaled Delete, a claim still owned by an earlier pod of the same
   * name is about to be deleted with it; the new pod must wait for its own claim.
   */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if ((set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled ?? 'Retain') === 'Retain') return false;
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const existing = this.claims.getByName(claim.metadata.namespace, claim.metadata.name!);
      if (existing && hasStaleOwnerRef(existing, pod)) return true;
    }
    return false;
  }

  /** ClaimsMatchRetentionPolicy: every existing claim of the pod has the owners the policy asks for. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    for (const template of set.spec.volumeClaimTemplates ?? []) {
      const claim = this.claims.getByName(set.metadata.namespace, claimNameFor(set, template, pod));
      if (claim && !hasUnexpectedController(claim, set, pod) && !claimOwnerMatchesSetAndPod(claim, set, pod)) return false;
    }
    return true;
  }

  /** UpdatePodClaimForRetentionPolicy: writes the owner references the policy asks for. */
  async updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const template of set.spec.volumeClaimTemplates ?? []) {
      const name = claimNameFor(set, template, pod);
      const cached = this.claims.getByName(set.metadata.namespace, name);
      // A missing claim is picked up on a later sync.
      if (!cached) continue;
      if (hasUnexpectedController(cached, set, pod)) {
        this.recorder.event(
          set,
          'Warning',
          'ConflictingController',
          `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`,
        );
        continue;
      }
      const claim = structuredClone(cached);
      if (!updateClaimOwnerRefForSetAndPod(claim, set, pod)) continue;
      try {
        await this.client.update(claimsResource, claim);
      } catch (e) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${errorText(e)}`);
      }
    }
  }

  /** createPersistentVolumeClaims: the pod's missing claims; a claim being deleted is an error. */
  async createPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errs: string[] = [];
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const existing = this.claims.getByName(claim.metadata.namespace, claim.metadata.name!);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errs.push(`pvc ${claim.metadata.name} is being deleted`);
        continue;
      }
      try {
        await this.client.create(claimsResource, claim.metadata.namespace, claim);
        this.recordClaimEvent('create', set, pod, claim);
      } catch (e) {
        // The cache may not show a claim created moments ago.
        if (isAlreadyExists(e)) continue;
        errs.push(`failed to create PVC ${claim.metadata.name}: ${errorText(e)}`);
        this.recordClaimEvent('create', set, pod, claim, e);
      }
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }

  private recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err?: unknown): void {
    if (err === undefined) {
      this.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } else {
      this.recorder.event(set, 'Warning', `Failed${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`);
    }
  }

  private recordClaimEvent(verb: string, set: StatefulSet, pod: Pod, claim: PersistentVolumeClaimFromTemplate, err?: unknown): void {
    if (err === undefined) {
      this.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    } else {
      this.recorder.event(
        set,
        'Warning',
        `Failed${title(verb)}`,
        `${verb} Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`,
      );
    }
  }
}

/** The claim a template gives this pod. */
function claimNameFor(set: StatefulSet, template: PersistentVolumeClaimFromTemplate, pod: Pod): string {
  return getPersistentVolumeClaimName(set, template, getOrdinal(pod));
}
