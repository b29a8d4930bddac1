// Controller history (upstream pkg/controller/history): the ControllerRevisions a StatefulSet or
// DaemonSet keeps of its pod templates. A revision's name is `<parent>-<hash of its data>`; a
// name taken by a revision with other data is a hash collision, resolved by hashing again with
// the parent's collisionCount as a probe and counting the collision.
import type { ControllerRevision, ObjectMeta } from '../../api/types.js';
import { isAlreadyExists, isConflict, isNotFound, ApiError } from '../../api/errors.js';
import { matchLabels, type LabelRequirement } from '../../api/labels.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import { canonicalJSON, safeEncodeString } from '../deployment/pod-template-hash.js';
import { adoptPatch, controllerOf, newControllerRef, releasePatch } from '../replicaset/controller-ref-manager.js';

/** The label carrying the hash of a revision's data (history.ControllerRevisionHashLabel). */
export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

export const controllerRevisionsResource = resourceFor('controllerrevisions', 'apps');

/** A revision's parent: the StatefulSet or DaemonSet owning it. */
export interface RevisionParent {
  metadata: ObjectMeta;
}

/** The parent's apiVersion and kind, for the controller reference. */
export interface ParentKind {
  apiVersion: string;
  kind: string;
}

/** Name prefixes are cut to 223 bytes so `prefix-hash` stays within a 253-byte name. */
const maxPrefixLength = 223;

/** ControllerRevisionName: `prefix-hash`. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > maxPrefixLength ? prefix.slice(0, maxPrefixLength) : prefix}-${hash}`;
}

const fnvOffset32 = 0x811c9dc5;
const fnvPrime32 = 0x01000193;

/**
 * 32-bit FNV-1 (hash/fnv New32: multiply, then xor — not the FNV-1a of the pod-template-hash),
 * continuing from `hash`.
 */
export function fnv32(bytes: Uint8Array, hash = fnvOffset32): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, fnvPrime32) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/**
 * The bytes of a revision's data (Data.Raw). Upstream stores the json.Marshal of a map, whose
 * keys come out sorted; canonical JSON gives the same bytes for equal data, however the object
 * was built or read back.
 */
export function revisionDataJSON(data: unknown): string {
  return canonicalJSON(data);
}

/** HashControllerRevision: FNV-1 over the data, then the probe as decimal text, safe-encoded. */
export function hashControllerRevision(revision: Pick<ControllerRevision, 'data'>, probe?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(revisionDataJSON(revision.data)));
  if (probe !== undefined && probe !== null) h = fnv32(enc.encode(String(probe)), h);
  return safeEncodeString(String(h));
}

/**
 * NewControllerRevision: a revision of `data` owned by parent, labelled with the template's
 * labels and the hash, named `<parent>-<hash>`.
 */
export function newControllerRevision(
  parent: RevisionParent,
  parentKind: ParentKind,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount?: number,
): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}) },
      ownerReferences: [newControllerRef(parent, parentKind.apiVersion, parentKind.kind)],
    },
    data,
    revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata.name = controllerRevisionName(parent.metadata.name!, hash);
  cr.metadata.labels![controllerRevisionHashLabel] = hash;
  return cr;
}

/**
 * EqualRevision: both absent, or both present with semantically equal data. (Upstream first
 * compares hash labels that parse as decimal integers; safe-encoded hashes contain letters, so
 * the data decides.)
 */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return revisionDataJSON(a.data) === revisionDataJSON(b.data);
}

/** FindEqualRevisions: the revisions equal to needle, in their order. */
export function findEqualRevisions(revisions: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** byRevision: by revision number, ties by creation time, then by name. */
function compareRevisions(a: ControllerRevision, b: ControllerRevision): number {
  if (a.revision !== b.revision) return a.revision - b.revision;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/** SortControllerRevisions: a stable sort by revision, in place; returns the array. */
export function sortControllerRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return revisions.sort(compareRevisions);
}

/** Attempts of UpdateControllerRevision on conflict (retry.DefaultBackoff's steps). */
const updateAttempts = 4;

/** history.Interface backed by the API and the shared ControllerRevision informer (realHistory). */
export class ControllerHistory {
  constructor(
    private readonly client: ApiClient,
    private readonly informer: Informer<ControllerRevision>,
  ) {}

  /** ListControllerRevisions: revisions matching the selector that parent owns or nobody owns. */
  list(parent: RevisionParent, selector: LabelRequirement[] | null): ControllerRevision[] {
    return this.informer.list(parent.metadata.namespace).filter((r) => {
      if (!matchLabels(selector, r.metadata.labels)) return false;
      const ref = controllerOf(r.metadata);
      return !ref || ref.uid === parent.metadata.uid;
    });
  }

  /**
   * CreateControllerRevision: creates the revision under `<parent>-<hash>`. An existing revision
   * of that name with the same data is returned as is; one with other data is a collision:
   * collisionCount goes up and the name is hashed again. Returns the count with the revision,
   * for the parent's status.
   */
  async create(parent: RevisionParent, revision: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const namespace = parent.metadata.namespace;
    const clone = structuredClone(revision);
    clone.metadata.namespace = namespace;
    for (;;) {
      clone.metadata.name = controllerRevisionName(parent.metadata.name!, hashControllerRevision(revision, collisionCount));
      try {
        return { revision: await this.client.create(controllerRevisionsResource, namespace, clone), collisionCount };
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      const exists = await this.client.get<ControllerRevision>(controllerRevisionsResource, namespace, clone.metadata.name);
      if (revisionDataJSON(exists.data) === revisionDataJSON(clone.data)) return { revision: exists, collisionCount };
      collisionCount++;
    }
  }

  /** UpdateControllerRevision: sets the revision number, retrying on conflict from the cache. */
  async update(revision: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    let clone = structuredClone(revision);
    for (let attempt = 1; ; attempt++) {
      if (clone.revision === newRevision) return clone;
      clone.revision = newRevision;
      try {
        return await this.client.update(controllerRevisionsResource, clone);
      } catch (e) {
        if (!isConflict(e) || attempt >= updateAttempts) throw e;
        const cached = this.informer.getByName(clone.metadata.namespace, clone.metadata.name!);
        clone = structuredClone(cached ?? (await this.client.get<ControllerRevision>(controllerRevisionsResource, clone.metadata.namespace, clone.metadata.name!)));
      }
    }
  }

  /** DeleteControllerRevision. */
  async delete(revision: ControllerRevision): Promise<void> {
    await this.client.delete(controllerRevisionsResource, revision.metadata.namespace, revision.metadata.name!);
  }

  /** AdoptControllerRevision: adds parent's controller reference to an orphan revision. */
  async adopt(parent: RevisionParent, parentKind: ParentKind, revision: ControllerRevision): Promise<ControllerRevision> {
    const owner = controllerOf(revision.metadata);
    if (owner) throw new Error(`attempt to adopt revision owned by ${owner.kind} ${owner.name} (uid ${owner.uid})`);
    const ref = newControllerRef(parent, parentKind.apiVersion, parentKind.kind);
    return this.client.patch<ControllerRevision>(controllerRevisionsResource, parent.metadata.namespace, revision.metadata.name!, 'strategic', adoptPatch(ref, revision.metadata.uid));
  }

  /**
   * ReleaseControllerRevision: removes parent's reference. A revision gone, or no longer owned
   * by parent (the uid precondition makes that Invalid), needs no release: undefined.
   */
  async release(parent: RevisionParent, revision: ControllerRevision): Promise<ControllerRevision | undefined> {
    try {
      return await this.client.patch<ControllerRevision>(
        controllerRevisionsResource,
        revision.metadata.namespace,
        revision.metadata.name!,
        'strategic',
        releasePatch(parent.metadata.uid, revision.metadata.uid),
      );
    } catch (e) {
      if (isNotFound(e) || (e instanceof ApiError && e.code === 422)) return undefined;
      throw e;
    }
  }
}
