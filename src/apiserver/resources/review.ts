// What the self reviews share (upstream: the selfsubjectreview, selfsubjectaccessreview and
// selfsubjectrulesreview registries, whose REST is a Creater only): the request's review is
// read, answered with its status filled in, and never stored. kanzen authorizes every
// authenticated request (no RBAC), so the answers are an AlwaysAllow authorizer's.
import { groupVersion } from '../../api/resources.js';
import { requestBody, sendJSON } from '../http.js';
import type { CreateRequest } from './resource-module.js';

export interface ReviewSpec {
  resourceAttributes?: object | null;
  nonResourceAttributes?: object | null;
  namespace?: string;
}

/** Reads the review, and answers 201 with what answer makes of its spec (status and any spec it echoes). */
export async function answerReview({ info, req, res }: CreateRequest, answer: (spec: ReviewSpec) => Record<string, unknown>): Promise<void> {
  const body = ((await requestBody(req)).value ?? {}) as { spec?: ReviewSpec };
  const head = { kind: info.kind, apiVersion: groupVersion(info), metadata: { creationTimestamp: null } };
  sendJSON(res, 201, { ...head, ...answer(body.spec ?? {}) });
}
