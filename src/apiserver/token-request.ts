// serviceaccounts/token (upstream pkg/registry/core/serviceaccount/storage/token.go): issues
// a token for a service account, optionally bound to a pod, as `kubectl create token` and
// the kubelet's projected volumes ask. Validation and messages as upstream's
// ValidateTokenRequest.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, field } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { requestBody, sendJSON } from './http.js';
import type { RequestInfo } from './request-info.js';
import { defaultApiAudiences, type ServiceAccountTokens } from './serviceaccount-token.js';

interface TokenRequest {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObject['metadata'];
  spec?: { audiences?: string[] | null; expirationSeconds?: number; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null };
}

interface Lookup {
  tryGet(namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
}

export interface TokenRequestDeps {
  tokens: ServiceAccountTokens;
  serviceAccounts: Lookup;
  pods: Lookup;
}

const minSeconds = 600;
const maxSeconds = 2 ** 32;

export async function serveTokenRequest(deps: TokenRequestDeps, ri: RequestInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ns = ri.namespace ?? 'default';
  const name = ri.name ?? '';
  const body = ((await requestBody(req)).value ?? {}) as TokenRequest;
  const spec = body.spec ?? {};
  const seconds = spec.expirationSeconds ?? 3600;
  if (seconds < minSeconds) throw ApiError.invalid('authentication.k8s.io', 'TokenRequest', name, [field.invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes')]);
  if (seconds > maxSeconds) throw ApiError.invalid('authentication.k8s.io', 'TokenRequest', name, [field.invalid('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds')]);
  const sa = await deps.serviceAccounts.tryGet(ns, name);
  if (!sa) throw ApiError.notFound({ group: '', resource: 'serviceaccounts' }, name);

  let pod: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    if (ref.kind !== 'Pod') throw ApiError.badRequest(`cannot bind token to object of type ${ref.kind}`);
    const p = await deps.pods.tryGet(ns, ref.name ?? '');
    if (!p) throw ApiError.notFound({ group: '', resource: 'pods' }, ref.name ?? '');
    if (ref.uid && ref.uid !== p.metadata.uid) {
      throw ApiError.conflict({ group: '', resource: 'Pod' }, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    pod = { name: p.metadata.name ?? '', uid: p.metadata.uid ?? '' };
  }
  // Unset audiences default to the API's own (--api-audiences), so the token works against it.
  const audiences = spec.audiences?.length ? spec.audiences : [...defaultApiAudiences];
  const now = new Date();
  const issued = deps.tokens.issue({ namespace: ns, name, uid: sa.metadata.uid ?? '', pod }, audiences, seconds, now);
  sendJSON(res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: ref ?? null },
    // The requested lifetime, even when the token itself is extended (as upstream reports it).
    status: { token: issued.token, expirationTimestamp: new Date(now.getTime() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
}
