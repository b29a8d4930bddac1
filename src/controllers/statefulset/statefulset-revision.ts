// A StatefulSet's revisions (upstream stateful_set_utils.go getPatch, newRevision,
// ApplyRevision, nextRevision): a revision records the pod template as a strategic-merge patch
// that puts it back, which is also what `kubectl rollout undo` sends.
import type { ControllerRevision, StatefulSet } from '../../api/types.js';
import { newControllerRevision } from '../history/controller-history.js';
import { controllerKind } from './statefulset-utils.js';

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
