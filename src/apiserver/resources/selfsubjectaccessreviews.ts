// SelfSubjectAccessReviews (upstream pkg/registry/authorization/selfsubjectaccessreview):
// `kubectl auth can-i` — whether the requesting user may, by the server's authorizer.
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { answerReview } from './review.js';
import { accessReviewStatus, throwIfInvalid, validateAttributes, type AccessReviewSpec } from './access-review.js';

export const selfsubjectaccessreviews: ResourceModule = {
  strategy: (info) => defaultStrategy(info),
  create: (r) =>
    answerReview(r, async (spec: AccessReviewSpec) => {
      throwIfInvalid(r.info.group, r.info.kind, validateAttributes(spec));
      return { spec, status: await accessReviewStatus(r.authorizer, r.user, spec) };
    }),
};
