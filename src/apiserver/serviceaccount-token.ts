// Service account tokens (upstream pkg/serviceaccount/jwt.go, claims.go): RS256 JWTs
// signed with the cluster's service-account key, issued by the TokenRequest subresource
// (`kubectl create token`, the kubelet's projected tokens) and accepted as bearer tokens.
// kanzen has no authorization layer: a valid token is as good as the admin token, which a
// pod (a root process of this machine) could read anyway.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';
/** kube-apiserver's --api-audiences: unset, it defaults to the issuer. */
export const defaultApiAudiences = [serviceAccountIssuer];
/** The kubelet's projected token lifetime; kube-apiserver extends such tokens to a year (--service-account-extend-token-expiration). */
export const projectedTokenSeconds = 3607;
const extendedSeconds = 365 * 24 * 3600;

export interface TokenSubject {
  namespace: string;
  name: string;
  uid: string;
  pod?: { name: string; uid: string };
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

interface Claims {
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  iss: string;
  sub: string;
  jti?: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    warnafter?: number;
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;

  /** apiAudiences: the audiences a token must name (one of) to authenticate to this API server. */
  constructor(
    privateKeyPem: string,
    private readonly apiAudiences: readonly string[] = defaultApiAudiences,
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    // The key ID upstream derives from the public key: base64url(sha256(DER)).
    this.kid = b64url(createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest());
  }

  issue(subject: TokenSubject, audiences: string[], expirationSeconds: number, now = new Date()): IssuedToken {
    const iat = Math.floor(now.getTime() / 1000);
    const extended = expirationSeconds === projectedTokenSeconds && subject.pod !== undefined;
    const exp = iat + (extended ? extendedSeconds : expirationSeconds);
    const claims: Claims = {
      aud: audiences.length ? audiences : [serviceAccountIssuer],
      exp,
      iat,
      nbf: iat,
      iss: serviceAccountIssuer,
      sub: `system:serviceaccount:${subject.namespace}:${subject.name}`,
      'kubernetes.io': {
        namespace: subject.namespace,
        serviceaccount: { name: subject.name, uid: subject.uid },
        ...(subject.pod ? { pod: subject.pod } : {}),
        ...(extended ? { warnafter: iat + expirationSeconds } : {}),
      },
    };
    const head = b64url(JSON.stringify({ alg: 'RS256', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), this.privateKey);
    return { token: `${head}.${body}.${b64url(signature)}`, expiresAt: new Date(exp * 1000) };
  }

  private forThisApi(aud: unknown): boolean {
    // JWT allows aud as one string or a list.
    const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    return auds.some((a) => this.apiAudiences.includes(a));
  }

  /** The subject of a token this cluster signed that is still valid, or undefined. */
  verify(token: string, now = new Date()): TokenSubject | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, signature] = parts;
    try {
      if (!verify('sha256', Buffer.from(`${head}.${body}`), this.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Claims;
      const t = now.getTime() / 1000;
      if (claims.iss !== serviceAccountIssuer || !(claims.exp > t) || !(claims.nbf <= t + 60)) return undefined;
      // The token authenticator's audience check: a token minted for another audience
      // (`kubectl create token --audience=vault`) is for that party, not for this API.
      if (!this.forThisApi(claims.aud)) return undefined;
      const k = claims['kubernetes.io'];
      return { namespace: k.namespace, name: k.serviceaccount.name, uid: k.serviceaccount.uid, pod: k.pod };
    } catch {
      return undefined;
    }
  }
}
