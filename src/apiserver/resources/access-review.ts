// What SubjectAccessReview and SelfSubjectAccessReview share (upstream
// pkg/registry/authorization/util and the two registries): the spec's attributes, validated
// as ValidateSubjectAccessReviewSpec does, asked of the authorizer for a user; the status is
// its decision and reason.
import { ApiError, field, type FieldError } from '../../api/errors.js';
import type { NonResourceAttributes, ResourceAttributes } from '../../api/types.js';
import type { Attributes } from '../authorization/attributes.js';
import type { Authorizer } from '../authorization/authorizer.js';
import type { UserInfo } from '../user-info.js';

export interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
}

/** Exactly one of the two attribute sets. */
export function validateAttributes(spec: AccessReviewSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

export function throwIfInvalid(group: string, kind: string, errs: FieldError[]): void {
  if (errs.length) throw ApiError.invalid(group, kind, '', errs);
}

/** ResourceAttributesFrom / NonResourceAttributesFrom. */
function attributesFrom(user: UserInfo, spec: AccessReviewSpec): Attributes {
  const r = spec.resourceAttributes;
  if (!r) return { isResourceRequest: false, user, verb: spec.nonResourceAttributes?.verb ?? '', path: spec.nonResourceAttributes?.path ?? '' };
  return {
    isResourceRequest: true,
    user,
    verb: r.verb ?? '',
    apiGroup: r.group ?? '',
    apiVersion: r.version ?? '',
    resource: r.resource ?? '',
    subresource: r.subresource ?? '',
    namespace: r.namespace ?? '',
    name: r.name ?? '',
  };
}

/** The review's status: allowed (RBAC never denies outright) and the authorizer's reason. */
export async function accessReviewStatus(authorizer: Authorizer, user: UserInfo, spec: AccessReviewSpec): Promise<{ allowed: boolean; reason?: string }> {
  const { decision, reason } = await authorizer.authorize(attributesFrom(user, spec));
  return { allowed: decision === 'Allow', ...(reason ? { reason } : {}) };
}
