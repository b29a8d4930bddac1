// The distribution API v2 (OCI distribution-spec) as a pull speaks it to one registry
// endpoint: resolve a tag or digest with HEAD (GET when the registry gives no digest or
// length), fetch manifests and blobs by digest following redirects, and answer auth
// challenges the way containerd's docker resolver and authorizer do:
//
//  * a 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET the realm with
//    `service` and the scopes (basic credentials when there are any, else anonymously; an
//    identity token first tries the OAuth2 refresh-token POST), then retry with the token;
//    one token per scope set, shared by every request of the pull;
//  * a 401 with `Basic` → retry with the credentials, or fail with "no basic auth credentials";
//  * a second 401 whose challenge carries `error=` is "authorization failed" (the resolver
//    words it "pull access denied, …").
//
// Error texts are containerd's (Go's net/http wording included), because the kubelet shows
// them verbatim in ErrImagePull events.
import fs from 'node:fs';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { MediaType, sha256Digest, type Descriptor } from './oci.js';
import type { RegistryAuth, RegistryEndpoint, RegistryTLS } from './registries-config.js';

/** The gRPC code the CRI returns with the error (containerd's errdefs.ToGRPC). */
export type RegistryErrorCode = 'NotFound' | 'FailedPrecondition' | 'Unimplemented' | 'Canceled' | 'Unknown';

/** A pull failure, its message as containerd writes it. */
export class RegistryError extends Error {
  /** The registry refused the credentials (containerd's ErrInvalidAuthorization). */
  readonly invalidAuthorization: boolean;
  /**
   * No registry answered: connection refused, no such host, TLS failure (what
   * `kanzen up --images auto` falls back to a built-in stand-in for).
   */
  readonly unreachable: boolean;

  constructor(
    message: string,
    readonly code: RegistryErrorCode = 'Unknown',
    flags: { invalidAuthorization?: boolean; unreachable?: boolean } = {},
  ) {
    super(message);
    this.invalidAuthorization = flags.invalidAuthorization ?? false;
    this.unreachable = flags.unreachable ?? false;
  }

  /** The same error behind a `prefix: ` (Go's fmt.Errorf("prefix: %w")). */
  wrap(prefix: string): RegistryError {
    return new RegistryError(`${prefix}: ${this.message}`, this.code, this);
  }
}

/** containerd's resolve Accept list. */
export const manifestAccept = [MediaType.dockerManifest, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.ociIndex, '*/*'].join(', ');

/** containerd's MaxManifestSize (4 * 1048 * 1048, sic). */
export const maxManifestSize = 4 * 1048 * 1048;

const userAgent = 'kanzen (containerd-compatible)';
const maxRedirects = 10;

export interface RegistryClientOptions {
  /** Credentials for this pull (a pull secret's); else the endpoint's from registries.yaml. */
  credentials?: RegistryAuth;
  signal?: AbortSignal;
}

interface HostAuth {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
  /** Bearer tokens by their space-joined, sorted scopes. */
  tokens: Map<string, Promise<string>>;
}

export class RegistryClient {
  private scheme: 'http' | 'https';
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent: https.Agent;
  private readonly auth = new Map<string, HostAuth>();

  constructor(
    readonly endpoint: RegistryEndpoint,
    private readonly opts: RegistryClientOptions = {},
  ) {
    this.scheme = endpoint.scheme;
    this.httpsAgent = new https.Agent({ keepAlive: true, secureContext: secureContextFor(endpoint.tls), rejectUnauthorized: !endpoint.tls.insecureSkipVerify });
  }

  /** Drops the kept-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private get credentials(): RegistryAuth {
    return this.opts.credentials ?? this.endpoint.auth ?? {};
  }

  private url(repo: string, kind: 'manifests' | 'blobs', object: string): URL {
    const u = new URL(`${this.scheme}://${this.endpoint.host}${this.endpoint.basePath}/${repo}/${kind}/${object}`);
    if (this.endpoint.namespace) u.searchParams.set('ns', this.endpoint.namespace);
    return u;
  }

  /**
   * The descriptor a tag or digest names on this endpoint, or undefined when it has none (404:
   * the pull tries the next endpoint). Throws on any other failure.
   */
  async resolve(repo: string, object: string): Promise<Descriptor | undefined> {
    const byDigest = object.includes(':');
    const scope = pullScope(repo);
    let { res, url } = await this.request('HEAD', this.url(repo, 'manifests', object), manifestAccept, scope);
    res.resume();
    if (res.statusCode === 404) return undefined;
    if (res.statusCode! > 299) throw unexpectedStatus(res, url);
    let digest = byDigest ? object : headerValue(res, 'docker-content-digest');
    let size = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : -1;
    let mediaType = contentType(res);
    if (!digest || size < 0) {
      ({ res, url } = await this.request('GET', this.url(repo, 'manifests', object), manifestAccept, scope));
      if (res.statusCode === 404) {
        res.resume();
        return undefined;
      }
      if (res.statusCode! > 299) {
        res.resume();
        throw unexpectedStatus(res, url);
      }
      const body = await readBody(res, maxManifestSize + 1);
      mediaType = contentType(res) || mediaTypeOf(body);
      digest ??= sha256Digest(body);
      size = body.length;
    }
    if (size > maxManifestSize) throw new RegistryError(`rejecting ${size} byte manifest for ${object}: not found`, 'NotFound');
    if (!isSha256(digest)) throw new RegistryError(`"${digest}" in header not a valid digest: invalid checksum digest format`);
    return { mediaType, digest, size };
  }

  /** The bytes of a manifest or blob, as a stream (the caller verifies while it stores them). */
  async fetch(repo: string, desc: Descriptor, kind: 'manifests' | 'blobs'): Promise<IncomingMessage> {
    const accept = kind === 'manifests' ? [desc.mediaType, manifestAccept].filter(Boolean).join(', ') : '*/*';
    const { res, url } = await this.request('GET', this.url(repo, kind, desc.digest), accept, pullScope(repo));
    if (res.statusCode === 200) return res;
    const body = (await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
    if (res.statusCode === 404) throw new RegistryError(`content at ${url.href} not found: not found`, 'NotFound');
    const serverMessage = registryErrorMessage(body);
    throw new RegistryError(`unexpected status code ${url.href}: ${status(res)}${serverMessage ? ` - Server message: ${serverMessage}` : ''}`);
  }

  /** One request with the auth challenge flow: a 401 adds the challenge and retries. */
  private async request(method: 'HEAD' | 'GET', target: URL, accept: string, scope: string): Promise<{ res: IncomingMessage; url: URL }> {
    for (let attempt = 0; ; attempt++) {
      const url = new URL(target);
      url.protocol = `${this.scheme}:`;
      let authorization: string | undefined;
      try {
        authorization = await this.authorization(url.host, scope);
      } catch (e) {
        throw asRegistryError(e).wrap('failed to authorize');
      }
      const headers: OutgoingHttpHeaders = { Accept: accept, 'User-Agent': userAgent, ...(authorization ? { Authorization: authorization } : {}) };
      let sent: { res: IncomingMessage; url: URL };
      try {
        sent = await this.send(method, url, headers);
      } catch (e) {
        throw asRegistryError(e).wrap('failed to do request');
      }
      const { res } = sent;
      if (res.statusCode === 401 && attempt < 3) {
        res.resume();
        if (this.addChallenge(res, url.host, authorization !== undefined, attempt > 0)) continue;
        return sent;
      }
      // Registries that never learnt HEAD on manifests (containerd's retryRequest).
      if (res.statusCode === 405 && method === 'HEAD' && attempt < 3) {
        res.resume();
        method = 'GET';
        continue;
      }
      return sent;
    }
  }

  /**
   * Learns a 401's challenge; whether the request is worth retrying. A challenge carrying
   * `error=` drops the host's tokens and is retried once (an expired token), then is the
   * registry refusing what was sent (containerd's invalidAuthorization).
   */
  private addChallenge(res: IncomingMessage, host: string, wasAuthorized: boolean, retried: boolean): boolean {
    for (const c of parseAuthenticate(res.headers['www-authenticate'])) {
      if (c.scheme === 'bearer') {
        if (c.params.error && retried) {
          this.auth.delete(host);
          throw new RegistryError(`server message: ${c.params.error}: authorization failed`, 'Unknown', { invalidAuthorization: true });
        }
        if (wasAuthorized && retried) return false;
        this.auth.set(host, { scheme: 'bearer', params: c.params, tokens: new Map() });
        return true;
      }
      if (c.scheme === 'basic') {
        const { username, password } = this.credentials;
        if (!username || !password) throw new RegistryError('authorization failed: no basic auth credentials', 'Unknown', { invalidAuthorization: true });
        if (wasAuthorized && retried) return false;
        this.auth.set(host, { scheme: 'basic', params: c.params, tokens: new Map() });
        return true;
      }
    }
    return false;
  }

  private async authorization(host: string, scope: string): Promise<string | undefined> {
    const h = this.auth.get(host);
    if (!h) return undefined;
    if (h.scheme === 'basic') return `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    const scopes = [...new Set([...(h.params.scope ? h.params.scope.split(' ') : []), scope])].sort();
    const key = scopes.join(' ');
    let token = h.tokens.get(key);
    if (!token) {
      token = this.fetchToken(h.params, scopes);
      token.catch(() => undefined); // awaited by every request that shares it
      h.tokens.set(key, token);
    }
    return `Bearer ${await token}`;
  }

  private async fetchToken(params: Record<string, string>, scopes: string[]): Promise<string> {
    if (!params.realm) throw new RegistryError('no realm specified for token auth challenge');
    let realm: URL;
    try {
      realm = new URL(params.realm);
    } catch {
      throw new RegistryError(`invalid token auth challenge realm: parse "${params.realm}": invalid URL`);
    }
    const creds = this.credentials;
    const username = creds.identityToken ? '' : creds.username ?? '';
    const secret = creds.identityToken ?? creds.password ?? '';
    if (!secret) {
      try {
        return await this.getToken(realm, params.service, scopes);
      } catch (e) {
        throw asRegistryError(e).wrap('failed to fetch anonymous token');
      }
    }
    try {
      if (!username) {
        // An identity token is an OAuth2 refresh token; servers without that POST answer 400/401/404.
        try {
          return await this.postRefreshToken(realm, params.service, scopes, secret);
        } catch (e) {
          if (!(e instanceof UnexpectedStatusError) || ![400, 401, 404].includes(e.status)) throw e;
        }
      }
      return await this.getToken(realm, params.service, scopes, { username, secret });
    } catch (e) {
      throw asRegistryError(e).wrap('failed to fetch oauth token');
    }
  }

  /** The token server's GET (docker's token spec); basic credentials when there are any. */
  private async getToken(realm: URL, service: string | undefined, scopes: string[], creds?: { username: string; secret: string }): Promise<string> {
    const url = new URL(realm);
    if (service) url.searchParams.append('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    url.searchParams.sort(); // Go's url.Values.Encode orders by key
    const headers: OutgoingHttpHeaders = { 'User-Agent': userAgent, ...(creds ? { Authorization: `Basic ${Buffer.from(`${creds.username}:${creds.secret}`).toString('base64')}` } : {}) };
    const { res, url: final } = await this.send('GET', url, headers);
    const body = await readBody(res, 1024 * 1024);
    if (res.statusCode! < 200 || res.statusCode! >= 400) throw new UnexpectedStatusError('GET', final, res);
    return tokenFrom(body, 'token', 'access_token');
  }

  private async postRefreshToken(realm: URL, service: string | undefined, scopes: string[], refreshToken: string): Promise<string> {
    const form = new URLSearchParams({ client_id: 'containerd-client', grant_type: 'refresh_token', refresh_token: refreshToken, service: service ?? '' });
    if (scopes.length) form.set('scope', scopes.join(' '));
    const headers = { 'User-Agent': userAgent, 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const { res, url } = await this.send('POST', realm, headers, form.toString());
    const body = await readBody(res, 1024 * 1024);
    if (res.statusCode! < 200 || res.statusCode! >= 400) throw new UnexpectedStatusError('POST', url, res);
    return tokenFrom(body, 'access_token');
  }

  /**
   * One HTTP exchange, redirects followed (credentials only to the same host, as Go's client
   * does); a loopback endpoint that answers HTTPS in plain HTTP is spoken to in HTTP from then on.
   */
  private async send(method: string, url: URL, headers: OutgoingHttpHeaders, body?: string, redirects = 0): Promise<{ res: IncomingMessage; url: URL }> {
    let res: IncomingMessage;
    try {
      res = await exchange(method, url, headers, url.protocol === 'https:' ? this.httpsAgent : this.httpAgent, this.opts.signal, body);
    } catch (e) {
      if (this.endpoint.httpFallback && url.protocol === 'https:' && url.host === this.endpoint.host && isPlainHttpAnswer(e)) {
        this.scheme = 'http';
        const plain = new URL(url);
        plain.protocol = 'http:';
        return this.send(method, plain, headers, body, redirects);
      }
      const err = e as NodeJS.ErrnoException;
      const canceled = err.name === 'AbortError';
      throw new RegistryError(`${goMethod(method)} "${url.href}": ${goNetError(err, url)}`, canceled ? 'Canceled' : 'Unknown', { unreachable: !canceled });
    }
    const location = res.headers.location;
    if (location && [301, 302, 303, 307, 308].includes(res.statusCode!)) {
      res.resume();
      if (redirects >= maxRedirects) throw new RegistryError(`${goMethod(method)} "${location}": stopped after ${maxRedirects} redirects`);
      const next = new URL(location, url);
      const nextHeaders = { ...headers };
      if (next.host !== url.host) delete nextHeaders.Authorization;
      return this.send(method, next, nextHeaders, body, redirects + 1);
    }
    return { res, url };
  }
}

/** containerd's remotes/errors.ErrUnexpectedStatus. */
class UnexpectedStatusError extends RegistryError {
  readonly status: number;
  constructor(method: string, url: URL, res: IncomingMessage) {
    super(`unexpected status from ${method} request to ${url.href}: ${status(res)}`);
    this.status = res.statusCode ?? 0;
  }
}

function unexpectedStatus(res: IncomingMessage, url: URL): RegistryError {
  // The request that got this answer (after a 405 a HEAD became a GET).
  const method = (res as IncomingMessage & { req?: { method?: string } }).req?.method ?? 'GET';
  return new UnexpectedStatusError(method, url, res);
}

function status(res: IncomingMessage): string {
  return `${res.statusCode} ${http.STATUS_CODES[res.statusCode ?? 0] ?? res.statusMessage ?? ''}`.trim();
}

function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}

function asRegistryError(e: unknown): RegistryError {
  return e instanceof RegistryError ? e : new RegistryError(e instanceof Error ? e.message : String(e));
}

function isSha256(d: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(d);
}

function headerValue(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v || undefined;
}

function contentType(res: IncomingMessage): string {
  return (headerValue(res, 'content-type') ?? '').split(';')[0].trim();
}

/** A manifest's own mediaType field, or what its shape says it is. */
function mediaTypeOf(body: Buffer): string {
  try {
    const m = JSON.parse(body.toString('utf8')) as { mediaType?: string; manifests?: unknown; layers?: unknown };
    return m.mediaType ?? (m.manifests ? MediaType.ociIndex : m.layers ? MediaType.ociManifest : '');
  } catch {
    return '';
  }
}

function tokenFrom(body: Buffer, ...fields: string[]): string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new RegistryError(`unable to decode token response: ${(e as Error).message}`);
  }
  for (const f of fields) if (typeof parsed[f] === 'string' && parsed[f]) return parsed[f] as string;
  throw new RegistryError('authorization server did not include a token in the response');
}

/** The first message of a distribution error body ({"errors":[{"code","message"}]}). */
function registryErrorMessage(body: string): string | undefined {
  try {
    const e = (JSON.parse(body) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0];
    return e ? `${(e.code ?? 'unknown').toLowerCase()}: ${e.message ?? ''}` : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.destroy();
      break;
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** RFC 7235 challenges: `Bearer realm="…",service="…"`, several per header or across headers. */
export function parseAuthenticate(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const v of Array.isArray(header) ? header : header ? [header] : []) {
    let i = 0;
    let current: Challenge | undefined;
    const skip = (chars: string) => {
      while (i < v.length && chars.includes(v[i])) i++;
    };
    while (i < v.length) {
      skip(' \t,');
      const start = i;
      while (i < v.length && !' \t,='.includes(v[i])) i++;
      const token = v.slice(start, i);
      if (!token) break;
      skip(' \t');
      if (v[i] === '=' && current) {
        i++;
        skip(' \t');
        let value = '';
        if (v[i] === '"') {
          i++;
          while (i < v.length && v[i] !== '"') {
            if (v[i] === '\\' && i + 1 < v.length) i++;
            value += v[i++];
          }
          i++;
        } else {
          const s = i;
          while (i < v.length && v[i] !== ',') i++;
          value = v.slice(s, i).trim();
        }
        current.params[token.toLowerCase()] = value;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}

/**
 * How long a TCP connect may take (Go's net.Dialer timeout in containerd's resolver is 30 s;
 * shorter here, so that a machine whose firewall drops packets to the registry falls back to
 * a stand-in in seconds instead of a pod waiting for the kernel's SYN retries).
 */
export const connectTimeoutMs = 10_000;

function exchange(method: string, url: URL, headers: OutgoingHttpHeaders, agent: http.Agent, signal: AbortSignal | undefined, body?: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, headers, agent, signal }, resolve);
    req.on('error', reject);
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`connect ETIMEDOUT ${url.host}`), { code: 'ETIMEDOUT' })), connectTimeoutMs);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    req.end(body);
  });
}

/** Go's url.Error op: "Head", "Get". */
function goMethod(method: string): string {
  return method[0] + method.slice(1).toLowerCase();
}

const unknownAuthority = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

/** A Node network or TLS error in Go's words (what containerd's messages carry). */
function goNetError(e: NodeJS.ErrnoException & { reason?: string; cert?: { subjectaltname?: string } }, url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const addr = `${(e as { address?: string }).address ?? url.hostname}:${(e as { port?: number }).port ?? port}`;
  if (e.name === 'AbortError') return 'context canceled';
  if (e.code && unknownAuthority.has(e.code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = (e.cert?.subjectaltname ?? '').split(', ').map((s) => s.replace(/^(DNS|IP Address):/, '')).filter(Boolean);
      return `tls: failed to verify certificate: x509: certificate is valid for ${names.join(', ')}, not ${url.hostname}`;
    }
    case 'EPROTO':
      if (isPlainHttpAnswer(e)) return 'http: server gave HTTP response to HTTPS client';
  }
  return e.message;
}

/** The TLS handshake met a plain HTTP server (containerd's HTTP fallback condition). */
function isPlainHttpAnswer(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return err?.code === 'EPROTO' && /wrong version number|http request|packet length too long/i.test(err.message);
}

// One secure context per TLS configuration: building one parses the whole CA bundle.
const secureContexts = new WeakMap<RegistryTLS, tls.SecureContext>();
let systemCAs: string | undefined;

/** The system's CA bundle, as Go's crypto/x509 reads it on Debian (Node's own list when absent). */
function systemCertificates(): string {
  if (systemCAs === undefined) {
    for (const f of ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem']) {
      try {
        systemCAs = fs.readFileSync(f, 'utf8');
        break;
      } catch {
        // next
      }
    }
    systemCAs ??= tls.rootCertificates.join('\n');
  }
  return systemCAs;
}

function secureContextFor(t: RegistryTLS): tls.SecureContext {
  let ctx = secureContexts.get(t);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca: t.ca ? `${systemCertificates()}\n${t.ca}` : systemCertificates(), cert: t.cert, key: t.key });
    secureContexts.set(t, ctx);
  }
  return ctx;
}
