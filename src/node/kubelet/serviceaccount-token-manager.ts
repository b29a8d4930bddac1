// Projected service account tokens for pods (upstream pkg/kubelet/token/token_manager.go):
// the kubelet asks the API for a token bound to the pod (serviceaccounts/token) and reuses
// it until 80% of its requested lifetime has passed, so a volume resync does not mint a
// new token each time.
import type { Pod } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';

export interface TokenProjection {
  audience?: string;
  expirationSeconds?: number;
}

interface TokenRequestResponse {
  status: { token: string };
}

export class ServiceAccountTokenManager {
  private readonly cache = new Map<string, { token: string; refreshAt: number }>();

  constructor(
    private readonly client: ApiClient,
    private readonly now: () => number = Date.now,
  ) {}

  async token(pod: Pod, src: TokenProjection): Promise<string> {
    const ns = pod.metadata.namespace ?? 'default';
    const sa = pod.spec.serviceAccountName || 'default';
    const seconds = src.expirationSeconds ?? 3600;
    const key = `${ns}/${sa}/${pod.metadata.uid}/${src.audience ?? ''}/${seconds}`;
    const hit = this.cache.get(key);
    if (hit && this.now() < hit.refreshAt) return hit.token;
    // Entries due for refresh go: the cache holds only tokens of pods still being synced.
    for (const [k, v] of this.cache) if (v.refreshAt <= this.now()) this.cache.delete(k);
    const res = await this.client.post<TokenRequestResponse>(resourceFor('serviceaccounts'), ns, sa, 'token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences: src.audience ? [src.audience] : [],
        expirationSeconds: seconds,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    });
    this.cache.set(key, { token: res.status.token, refreshAt: this.now() + seconds * 800 });
    return res.status.token;
  }
}
