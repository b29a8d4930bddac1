// The rbac/bootstrap-roles post-start hook (upstream pkg/registry/rbac/rest's
// ensureRBACPolicy with pkg/registry/rbac/reconciliation): every default ClusterRole and
// ClusterRoleBinding exists, and one marked rbac.authorization.kubernetes.io/autoupdate
// "true" gets back what it is missing — rules, aggregation selectors, subjects, labels and
// annotations — without losing what was added to it. One marked "false" is left as it is.
// Defaults that are not upstream's bootstrap policy (kubeadm's binding, metrics-server's role)
// carry no annotation and are only created when absent.
import { isDeepStrictEqual } from 'node:util';
import type { AggregationRule, ClusterRole, ClusterRoleBinding, KubeObject, Subject } from '../../api/types.js';
import type { Logger } from '../../util/logger.js';
import type { Registry } from '../registry.js';
import { clusterRoleBindings, clusterRoles } from './bootstrap-policy.js';
import { compactString, uncoveredRules } from './rule-covers.js';

export const autoUpdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate';

const ctx = { dryRun: false, fieldManager: 'kube-apiserver' };

/** What reconciling one object decided: nothing, a create, or an update (with what it adds). */
export interface Reconciled<T> {
  operation: 'none' | 'create' | 'update' | 'recreate';
  /** Marked autoupdate "false": what it misses is reported, not written. */
  isProtected: boolean;
  object: T;
  missing: string[];
}

/** Expected's labels and annotations under the existing ones (existing values win). */
function mergeMeta<T extends KubeObject>(existing: T, expected: T): { object: T; changed: boolean } {
  const object = structuredClone(existing);
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const want = expected.metadata[field] ?? {};
    const have = object.metadata[field] ?? {};
    if (Object.keys(want).some((k) => !(k in have))) {
      object.metadata[field] = { ...want, ...have };
      changed = true;
    }
  }
  return { object, changed };
}

const isProtected = (o: KubeObject) => o.metadata.annotations?.[autoUpdateAnnotation] === 'false';

/** computeReconciledRole in its union mode: missing rules and aggregation selectors are added, extra ones kept. */
export function reconcileClusterRole(existing: ClusterRole | undefined, expected: ClusterRole): Reconciled<ClusterRole> {
  if (!existing) return { operation: 'create', isProtected: false, object: expected, missing: [] };
  const { object, changed } = mergeMeta(existing, expected);
  let update = changed;
  const missing = uncoveredRules(existing.rules ?? [], expected.rules ?? []);
  if (missing.length) {
    object.rules = [...(object.rules ?? []), ...missing];
    update = true;
  }
  const missingSelectors = missingAggregation(existing.aggregationRule, expected.aggregationRule);
  if (!expected.aggregationRule && existing.aggregationRule) {
    delete object.aggregationRule;
    update = true;
  } else if (missingSelectors.length) {
    object.aggregationRule = { clusterRoleSelectors: [...(object.aggregationRule?.clusterRoleSelectors ?? []), ...missingSelectors] };
    update = true;
  }
  return { operation: update ? 'update' : 'none', isProtected: isProtected(existing), object, missing: missing.map(compactString) };
}

function missingAggregation(existing: AggregationRule | undefined, expected: AggregationRule | undefined) {
  const have = existing?.clusterRoleSelectors ?? [];
  return (expected?.clusterRoleSelectors ?? []).filter((s) => !have.some((h) => isDeepStrictEqual(h, s)));
}

/** computeReconciledRoleBinding in its union mode: a changed roleRef recreates the binding; missing subjects are added. */
export function reconcileClusterRoleBinding(existing: ClusterRoleBinding | undefined, expected: ClusterRoleBinding): Reconciled<ClusterRoleBinding> {
  if (!existing) return { operation: 'create', isProtected: false, object: expected, missing: [] };
  if (!isDeepStrictEqual(existing.roleRef, expected.roleRef)) return { operation: 'recreate', isProtected: isProtected(existing), object: expected, missing: [] };
  const { object, changed } = mergeMeta(existing, expected);
  const missing = (expected.subjects ?? []).filter((s) => !(existing.subjects ?? []).some((e) => sameSubject(e, s)));
  if (missing.length) object.subjects = [...(object.subjects ?? []), ...missing];
  return { operation: changed || missing.length ? 'update' : 'none', isProtected: isProtected(existing), object, missing: missing.map((s) => `${s.kind}/${s.name}`) };
}

const sameSubject = (a: Subject, b: Subject) => a.kind === b.kind && a.name === b.name && (a.apiGroup ?? '') === (b.apiGroup ?? '') && (a.namespace ?? '') === (b.namespace ?? '');

/** Ensures the bootstrap policy in the registries (the server's own writes: no user, no escalation check). */
export async function ensureBootstrapPolicy(registry: (resource: string) => Registry, logger: Logger): Promise<void> {
  await ensureAll(registry('clusterroles'), clusterRoles, reconcileClusterRole, logger);
  await ensureAll(registry('clusterrolebindings'), clusterRoleBindings, reconcileClusterRoleBinding, logger);
}

async function ensureAll<T extends KubeObject>(
  reg: Registry,
  defaults: readonly T[],
  reconcile: (existing: T | undefined, expected: T) => Reconciled<T>,
  logger: Logger,
): Promise<void> {
  for (const expected of defaults) {
    const name = expected.metadata.name!;
    const resource = `${reg.info.resource}.${reg.info.group}/${name}`;
    const existing = (await reg.tryGet(undefined, name)) as T | undefined;
    // Only upstream's bootstrap policy is reconciled; other defaults are only created.
    const managed = expected.metadata.annotations?.[autoUpdateAnnotation] === 'true';
    const r = existing && !managed ? undefined : reconcile(existing, structuredClone(expected));
    if (!r || r.operation === 'none') continue;
    if (r.isProtected) {
      logger.warn('skipped reconcile-protected object with missing permissions', { object: resource, missing: r.missing });
      continue;
    }
    if (r.operation === 'create') await reg.create(undefined, r.object, ctx);
    else if (r.operation === 'recreate') {
      await reg.delete(undefined, name, {}, ctx);
      await reg.create(undefined, r.object, ctx);
    } else {
      // The write is the reconciled object at the revision it was computed from: a conflict fails the start.
      await reg.update(undefined, name, () => r.object, ctx);
    }
    logger.info(`${r.operation}d ${resource}`, r.missing.length ? { added: r.missing } : {});
  }
}
