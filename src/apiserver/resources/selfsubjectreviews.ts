// SelfSubjectReviews (upstream pkg/registry/authentication/selfsubjectreview): `kubectl auth
// whoami` — the user the request authenticated as.
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { answerReview } from './review.js';

export const selfsubjectreviews: ResourceModule = {
  strategy: (info) => defaultStrategy(info),
  create: (r) => answerReview(r, () => ({ status: { userInfo: r.user } })),
};
