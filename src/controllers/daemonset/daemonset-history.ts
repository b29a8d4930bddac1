// The DaemonSet's ControllerRevisions (upstream pkg/controller/daemon/update.go
// constructHistory, snapshot, dedupCurHistories, cleanupHistory, Match and getPatch). Each
// revision holds the strategic merge patch that restores its pod template — what
// `kubectl rollout undo` applies — and is named `<daemonset>-<hash>` with the hash
// (controller.ComputeHash of the template and collisionCount) that the revision's pods carry
// in their controller-revision-hash label.
import { isAlreadyExists } from '../../api/errors.js';
import { goTypedJSON } from '../../api/protobuf/go-typed-json.js';
import { labelSelectorAsRequirements, matchLabels } from '../../api/labels.js';
import type { ControllerRevision, DaemonSet, Pod, PodTemplateSpec } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import { computeHash } from '../deployment/pod-template-hash.js';
import { ControllerHistory, controllerRevisionName, controllerRevisionsResource, revisionDataJSON, sortControllerRevisions } from '../history/controller-history.js';
import { claimObjects, newControllerRef, recheckDeletionTimestamp } from '../replicaset/controller-ref-manager.js';
import { controllerRevisionHashLabel } from './daemon-pods.js';

export const daemonSetsResource = resourceFor('daemonsets', 'apps');
export const daemonSetKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
const podsResource = resourceFor('pods');

/** Keys sorted at every level, as Go's json.Marshal writes a map[string]interface{}. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * getPatch: `{"spec":{"template":{"$patch":"replace",…}}}` — the template as Go writes the
 * typed object (so an absent metadata.creationTimestamp is null and zero omitempty fields go),
 * keys sorted as a re-encoded map's are, so kubectl computes the same bytes for the same template.
 */
export function daemonSetPatch(template: PodTemplateSpec): unknown {
  return { spec: { template: sortedKeys({ ...goTypedJSON('core.v1.PodTemplateSpec', template), $patch: 'replace' }) } };
}

/** Match: the revision restores exactly this DaemonSet's template. */
export function matchesRevision(ds: DaemonSet, revision: ControllerRevision): boolean {
  return revisionDataJSON(daemonSetPatch(ds.spec.template)) === revisionDataJSON(revision.data);
}

/** maxRevision */
export function maxRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision), 0);
}

/** The DaemonSet's pod-template hash: the current revision's name suffix and its pods' label. */
export function daemonSetHash(ds: DaemonSet): string {
  return computeHash(ds.spec.template, ds.status?.collisionCount);
}

/**
 * Which old revisions cleanupHistory deletes: beyond revisionHistoryLimit, oldest first,
 * never one whose hash a live pod still carries.
 */
export function revisionsToDelete(ds: DaemonSet, old: ControllerRevision[], pods: readonly Pod[]): ControllerRevision[] {
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return [];
  const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[controllerRevisionHashLabel]).filter(Boolean));
  const out: ControllerRevision[] = [];
  for (const r of sortControllerRevisions([...old])) {
    if (toKill <= 0) break;
    if (liveHashes.has(r.metadata.labels?.[controllerRevisionHashLabel])) continue;
    out.push(r);
    toKill--;
  }
  return out;
}

/** The DaemonSet controller's view of its revisions: claims, creates, renumbers, deduplicates and prunes them. */
export class DaemonSetHistory {
  private readonly history: ControllerHistory;

  constructor(
    private readonly client: ApiClient,
    private readonly revisions: Informer<ControllerRevision>,
  ) {
    this.history = new ControllerHistory(client, revisions);
  }

  /** controlledHistories: the namespace's revisions the DaemonSet owns after adopting and releasing. */
  private async controlled(ds: DaemonSet): Promise<ControllerRevision[]> {
    const selector = labelSelectorAsRequirements(ds.spec.selector);
    const { claimed, errors } = await claimObjects(this.revisions.list(ds.metadata.namespace), {
      owner: ds,
      ownerRef: newControllerRef(ds, daemonSetKind.apiVersion, daemonSetKind.kind),
      match: (r) => matchLabels(selector, r.metadata.labels),
      canAdopt: recheckDeletionTimestamp(this.client, daemonSetsResource, ds),
      adopt: async (r) => void (await this.history.adopt(ds, daemonSetKind, r)),
      release: async (r) => void (await this.history.release(ds, r)),
    });
    if (errors.length) throw errors[0];
    return claimed;
  }

  /**
   * constructHistory: the current revision (created if missing, renumbered above every old one)
   * and the old ones; revisions without the hash label get their name as label.
   */
  async construct(ds: DaemonSet, daemonPods: () => Pod[]): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    for (let r of await this.controlled(ds)) {
      if (r.metadata.labels?.[controllerRevisionHashLabel] === undefined) {
        const labelled = structuredClone(r);
        labelled.metadata.labels = { ...(labelled.metadata.labels ?? {}), [controllerRevisionHashLabel]: labelled.metadata.name! };
        r = await this.client.update<ControllerRevision>(controllerRevisionsResource, labelled);
      }
      (matchesRevision(ds, r) ? current : old).push(r);
    }
    const currRevision = maxRevision(old) + 1;
    if (current.length === 0) return { cur: await this.snapshot(ds, currRevision), old };
    let cur = await this.dedup(ds, current, daemonPods);
    if (cur.revision < currRevision) cur = await this.history.update(cur, currRevision);
    return { cur, old };
  }

  /** dedupCurHistories: keeps the highest revision, moving pods of the others onto its hash. */
  private async dedup(ds: DaemonSet, current: ControllerRevision[], daemonPods: () => Pod[]): Promise<ControllerRevision> {
    if (current.length === 1) return current[0];
    const keep = current.reduce((a, b) => (b.revision >= a.revision ? b : a));
    const keepHash = keep.metadata.labels?.[controllerRevisionHashLabel];
    for (const r of current) {
      if (r.metadata.name === keep.metadata.name) continue;
      for (const pod of daemonPods()) {
        if (pod.metadata.labels?.[controllerRevisionHashLabel] === keepHash) continue;
        await this.client.patch(podsResource, ds.metadata.namespace, pod.metadata.name!, 'merge', { metadata: { labels: { [controllerRevisionHashLabel]: keepHash } } });
      }
      await this.history.delete(r);
    }
    return keep;
  }

  /**
   * snapshot: creates the revision of the current template. A name taken by a revision of
   * another template is a hash collision: status.collisionCount goes up (unless the count this
   * sync used was stale) and the sync fails, to run again with the new hash.
   */
  private async snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const hash = daemonSetHash(ds);
    const cr: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: controllerRevisionName(ds.metadata.name!, hash),
        namespace: ds.metadata.namespace,
        labels: { ...(ds.spec.template.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash },
        ownerReferences: [newControllerRef(ds, daemonSetKind.apiVersion, daemonSetKind.kind)],
      },
      data: daemonSetPatch(ds.spec.template),
      revision,
    };
    if (ds.metadata.annotations) cr.metadata.annotations = { ...ds.metadata.annotations };
    try {
      return await this.client.create<ControllerRevision>(controllerRevisionsResource, ds.metadata.namespace, cr);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await this.client.get<ControllerRevision>(controllerRevisionsResource, ds.metadata.namespace, cr.metadata.name!);
      if (matchesRevision(ds, existing)) return existing;
      const fresh = await this.client.get<DaemonSet>(daemonSetsResource, ds.metadata.namespace, ds.metadata.name!);
      if (fresh.status?.collisionCount !== ds.status?.collisionCount) {
        throw new Error(`found a stale collision count (${ds.status?.collisionCount}, expected ${fresh.status?.collisionCount}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
      }
      fresh.status = { ...fresh.status!, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
      await this.client.updateStatus(daemonSetsResource, fresh);
      throw e;
    }
  }

  /** cleanupHistory */
  async cleanup(ds: DaemonSet, old: ControllerRevision[], pods: readonly Pod[]): Promise<void> {
    for (const r of revisionsToDelete(ds, old, pods)) await this.history.delete(r);
  }
}
