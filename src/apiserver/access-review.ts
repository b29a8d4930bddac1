// The self reviews kubectl asks about its own access (upstream pkg/registry/authorization
// selfsubjectaccessreview / selfsubjectrulesreview, authentication selfsubjectreview):
// `kubectl auth can-i`, `kubectl auth can-i --list`, `kubectl auth whoami`. Created and
// answered, never stored. kanzen authorizes every authenticated request (no RBAC), so every
// access is allowed and the rules are one wildcard, as an AlwaysAllow authorizer answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, field } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import { groupVersion } from '../api/resources.js';
import { decodeBody, readBody, sendJSON } from './http.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Whoever holds the admin token: kubeadm's (and kind's) admin user. */
export const adminUser: UserInfo = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };

const reviewKinds = new Set(['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SelfSubjectReview']);

export function isReviewResource(info: ResourceInfo): boolean {
  return reviewKinds.has(info.kind) && (info.group === 'authorization.k8s.io' || info.group === 'authentication.k8s.io');
}

interface Review {
  spec?: { resourceAttributes?: object | null; nonResourceAttributes?: object | null; namespace?: string };
}

export async function serveReview(info: ResourceInfo, user: UserInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') throw ApiError.methodNotSupported({ group: info.group, resource: info.resource }, (req.method ?? 'get').toLowerCase());
  const body = (decodeBody(await readBody(req), req.headers['content-type']) ?? {}) as Review;
  const head = { kind: info.kind, apiVersion: groupVersion(info), metadata: { creationTimestamp: null } };
  if (info.kind === 'SelfSubjectReview') return sendJSON(res, 201, { ...head, status: { userInfo: user } });
  const spec = body.spec ?? {};
  if (info.kind === 'SelfSubjectRulesReview') {
    return sendJSON(res, 201, {
      ...head,
      spec,
      status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
    });
  }
  // ValidateSelfSubjectAccessReviewSpec: exactly one of the two attribute sets.
  const hasResource = !!spec.resourceAttributes;
  const hasNonResource = !!spec.nonResourceAttributes;
  if (hasResource === hasNonResource) {
    const errs = hasResource
      ? [field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')]
      : [field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
    throw ApiError.invalid(info.group, info.kind, '', errs);
  }
  sendJSON(res, 201, { ...head, spec, status: { allowed: true } });
}
