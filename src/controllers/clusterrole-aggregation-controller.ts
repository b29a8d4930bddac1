// The clusterrole-aggregation controller (upstream pkg/controller/clusterroleaggregation): an
// aggregated ClusterRole's rules are the rules of every ClusterRole its selectors match,
// visited in name order, without repeats. Any ClusterRole change re-syncs every aggregated
// role, as upstream enqueues them all (there are few).
import type { ClusterRole, PolicyRule } from '../api/types.js';
import { labelSelectorAsRequirements, matchLabels } from '../api/labels.js';
import { jsonEqual } from '../api/validation/object-meta.js';
import { resourceFor } from '../client/api-client.js';
import { WorkQueue } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';

/** The rules an aggregated role should have, from all ClusterRoles (itself excluded). */
export function aggregatedRules(role: ClusterRole, all: ClusterRole[]): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const sel of role.aggregationRule?.clusterRoleSelectors ?? []) {
    let reqs;
    try {
      reqs = labelSelectorAsRequirements(sel);
    } catch {
      continue;
    }
    const matching = all.filter((c) => c.metadata.name !== role.metadata.name && matchLabels(reqs, c.metadata.labels ?? {}));
    for (const c of matching.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
      if (seen.has(c.metadata.name!)) continue;
      seen.add(c.metadata.name!);
      for (const r of c.rules ?? []) if (!rules.some((x) => jsonEqual(x, r))) rules.push(r);
    }
  }
  return rules;
}

export function newClusterRoleAggregationController(ctx: ControllerContext): Controller {
  const clusterRoles = resourceFor('clusterroles', 'rbac.authorization.k8s.io');
  const informer = ctx.informers.for<ClusterRole>(clusterRoles);

  const sync = async (name: string): Promise<void> => {
    const role = informer.getByName(undefined, name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, informer.list());
    if (jsonEqual(role.rules ?? [], rules)) return;
    await ctx.client.update<ClusterRole>(clusterRoles, { ...role, rules });
  };

  const queue = new WorkQueue(sync, { name: 'clusterrole-aggregation', logger: ctx.logger.child('clusterrole-aggregation') });
  const enqueueAggregated = () => {
    for (const c of informer.list()) if (c.aggregationRule) queue.add(c.metadata.name!);
  };
  return {
    name: 'clusterrole-aggregation',
    start() {
      informer.addHandlers({ add: enqueueAggregated, update: enqueueAggregated, delete: enqueueAggregated });
    },
    stop() {
      queue.stop();
    },
  };
}
