// SelfSubjectRulesReviews (upstream pkg/registry/authorization/selfsubjectrulesreview):
// `kubectl auth can-i --list` — everything, as one wildcard rule.
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { answerReview } from './review.js';

const allowAll = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
};

export const selfsubjectrulesreviews: ResourceModule = {
  strategy: (info) => defaultStrategy(info),
  create: (r) => answerReview(r, (spec) => ({ spec, status: allowAll })),
};
