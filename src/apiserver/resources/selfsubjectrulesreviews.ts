// SelfSubjectRulesReviews (upstream pkg/registry/authorization/selfsubjectrulesreview):
// `kubectl auth can-i --list` — every rule the requesting user has in the namespace, split
// into resource and non-resource rules as the RBAC authorizer's RulesFor does.
import { ApiError, aggregateMessage } from '../../api/errors.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { answerReview } from './review.js';

export const selfsubjectrulesreviews: ResourceModule = {
  strategy: (info) => defaultStrategy(info),
  create: (r) =>
    answerReview(r, async (spec: { namespace?: string }) => {
      if (!spec.namespace) throw ApiError.badRequest('no namespace on request');
      const { rules, errors } = await r.authorizer.rulesFor(r.user, spec.namespace);
      const resourceRules = rules
        .filter((p) => p.resources?.length)
        .map((p) => ({ verbs: p.verbs, ...(p.apiGroups ? { apiGroups: p.apiGroups } : {}), resources: p.resources, ...(p.resourceNames ? { resourceNames: p.resourceNames } : {}) }));
      const nonResourceRules = rules.filter((p) => p.nonResourceURLs?.length).map((p) => ({ verbs: p.verbs, nonResourceURLs: p.nonResourceURLs }));
      return { spec, status: { resourceRules, nonResourceRules, incomplete: false, ...(errors.length ? { evaluationError: aggregateMessage(errors) } : {}) } };
    }),
};
