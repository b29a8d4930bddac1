// What the reviews share (upstream: the selfsubjectreview, selfsubjectaccessreview,
// selfsubjectrulesreview and subjectaccessreview registries, whose REST is a Creater only):
// the request's review is read, answered with its status filled in, and never stored.
import { groupVersion } from '../../api/resources.js';
import { requestBody, sendJSON } from '../http.js';
import type { CreateRequest } from './resource-module.js';

/** Reads the review, and answers 201 with what answer makes of its spec (status and any spec it echoes). */
export async function answerReview<S extends object>({ info, req, res }: CreateRequest, answer: (spec: S) => Record<string, unknown> | Promise<Record<string, unknown>>): Promise<void> {
  const body = ((await requestBody(req)).value ?? {}) as { spec?: S };
  const head = { kind: info.kind, apiVersion: groupVersion(info), metadata: { creationTimestamp: null } };
  sendJSON(res, 201, { ...head, ...(await answer(body.spec ?? ({} as S))) });
}
