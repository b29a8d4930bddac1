// SubjectAccessReviews (upstream pkg/registry/authorization/subjectaccessreview): whether the
// user the spec names (with its groups, uid and extra) may, by the server's authorizer.
import { field } from '../../api/errors.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { answerReview } from './review.js';
import { accessReviewStatus, throwIfInvalid, validateAttributes, type AccessReviewSpec } from './access-review.js';

interface SubjectAccessReviewSpec extends AccessReviewSpec {
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export const subjectaccessreviews: ResourceModule = {
  strategy: (info) => defaultStrategy(info),
  create: (r) =>
    answerReview(r, async (spec: SubjectAccessReviewSpec) => {
      const errs = validateAttributes(spec);
      if (!spec.user && !spec.groups?.length) errs.push(field.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
      throwIfInvalid(r.info.group, r.info.kind, errs);
      const user = { username: spec.user ?? '', groups: spec.groups ?? [], ...(spec.uid ? { uid: spec.uid } : {}), ...(spec.extra ? { extra: spec.extra } : {}) };
      return { spec, status: await accessReviewStatus(r.authorizer, user, spec) };
    }),
};
