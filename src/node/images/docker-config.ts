// Registry credentials from a pod's imagePullSecrets, matched to an image the way the kubelet's
// credential keyring does (pkg/credentialprovider: config.go, keyring.go):
//
//  * `kubernetes.io/dockerconfigjson` secrets hold `.dockerconfigjson` = {"auths": {<registry>: entry}}
//    (what `kubectl create secret docker-registry` makes); legacy `kubernetes.io/dockercfg` hold
//    `.dockercfg` = {<registry>: entry}. An entry has username/password or `auth` = base64(user:pass),
//    which wins when both are given.
//  * A key may carry a scheme and a path: `https://index.docker.io/v1/` is Docker Hub, `/v1/` and
//    `/v2/` mean the host itself, `quay.io/org` matches only that org's images.
//  * Host names may hold globs per dot-separated part (`*.example.com`), ports must be equal, the
//    key's path must prefix the image's. More specific keys come first; every match is returned,
//    and the kubelet tries them in turn.
//  * An image on Docker Hub falls back to the `index.docker.io` entry.
import type { Secret } from '../../api/types.js';
import { decodeAuthField, type RegistryAuth } from './registries-config.js';

export const secretTypeDockerConfigJson = 'kubernetes.io/dockerconfigjson';
export const secretTypeDockercfg = 'kubernetes.io/dockercfg';
export const dockerConfigJsonKey = '.dockerconfigjson';
export const dockercfgKey = '.dockercfg';

export interface DockerConfigEntry {
  username?: string;
  password?: string;
  email?: string;
  auth?: string;
}

/** Registry location → entry (the `.dockercfg` shape, and `.dockerconfigjson`'s `auths`). */
export type DockerConfig = Record<string, DockerConfigEntry>;

const defaultRegistryHost = 'index.docker.io';

/** The kubelet's BasicDockerKeyring: credentials by registry location, most specific first. */
export class DockerKeyring {
  private readonly creds = new Map<string, RegistryAuth[]>();
  private index: string[] = [];

  add(config: DockerConfig): void {
    for (const [location, entry] of Object.entries(config)) {
      const parsed = parseLocation(location);
      if (!parsed) continue; // the kubelet logs and skips an unparsable entry
      // Docker treats /v1/ and /v2/ as the host itself (ResolveAuthConfig).
      let p = parsed.path;
      if (p.startsWith('/v2/') || p.startsWith('/v1/')) p = p.slice(3);
      const key = p && p !== '/' ? parsed.host + p : parsed.host;
      const list = this.creds.get(key) ?? [];
      list.push(entryAuth(entry));
      this.creds.set(key, list);
      if (!this.index.includes(key)) this.index.push(key);
    }
    // Reverse order puts quay.io/org before quay.io.
    this.index.sort().reverse();
  }

  /** Credentials for an image's repository (`docker.io/library/nginx`), to try in order; empty when none match. */
  lookup(image: string): RegistryAuth[] {
    const out: RegistryAuth[] = [];
    for (const k of this.index) if (urlsMatch(k, image)) out.push(...this.creds.get(k)!);
    if (out.length) return out;
    const hub = this.creds.get(defaultRegistryHost);
    return hub && isDefaultRegistryMatch(image) ? [...hub] : [];
  }

  get size(): number {
    return this.index.length;
  }
}

/**
 * The keyring of a pod's pull secrets (the kubelet's MakeDockerKeyring). Secrets of other
 * types, or without their key, are ignored; malformed JSON is an error naming the secret.
 */
export function keyringFromSecrets(secrets: readonly Secret[]): DockerKeyring {
  const keyring = new DockerKeyring();
  for (const s of secrets) {
    const name = `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
    if (s.type === secretTypeDockerConfigJson) {
      const text = secretValue(s, dockerConfigJsonKey);
      if (!text) continue;
      const parsed = parseJson(text, name, dockerConfigJsonKey) as { auths?: unknown };
      keyring.add(dockerConfig(parsed?.auths ?? {}, name, dockerConfigJsonKey));
    } else if (s.type === secretTypeDockercfg) {
      const text = secretValue(s, dockercfgKey);
      if (!text) continue;
      keyring.add(dockerConfig(parseJson(text, name, dockercfgKey), name, dockercfgKey));
    }
  }
  return keyring;
}

function secretValue(s: Secret, key: string): string | undefined {
  if (s.stringData?.[key]) return s.stringData[key];
  const b64 = s.data?.[key];
  return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

function parseJson(text: string, secret: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`secret ${secret}: ${key} is not valid JSON: ${(e as Error).message}`);
  }
}

function dockerConfig(v: unknown, secret: string, key: string): DockerConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`secret ${secret}: ${key} must map registries to credentials`);
  return v as DockerConfig;
}

function entryAuth(e: DockerConfigEntry): RegistryAuth {
  if (e.auth) {
    try {
      return decodeAuthField(e.auth);
    } catch {
      // kubelet: the entry fails to decode and carries no credentials
      return {};
    }
  }
  return { username: e.username, password: e.password };
}

/** A location as url.Parse reads `https://<location>`: host[:port] and path (scheme, user info, query dropped). */
function parseLocation(s: string): { host: string; path: string } | undefined {
  const rest = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[?#]/)[0];
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).replace(/^.*@/, '');
  return host ? { host, path: slash < 0 ? '' : rest.slice(slash) } : undefined;
}

/** keyring.go's urlsMatch: glob per host part, equal ports, the key's path a prefix of the image's. */
function urlsMatch(glob: string, target: string): boolean {
  const g = parseLocation(glob);
  const t = parseLocation(target);
  if (!g || !t) return false;
  const [gParts, gPort] = splitHost(g.host);
  const [tParts, tPort] = splitHost(t.host);
  if (gPort !== tPort || gParts.length !== tParts.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  return gParts.every((part, i) => globMatch(part, tParts[i]));
}

function splitHost(hostPort: string): [string[], string] {
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(hostPort);
  const host = m ? m[1] : hostPort;
  return [host.split('.'), m ? m[2] : ''];
}

/** Go's filepath.Match for one host label: `*` and `?` (labels hold no separators). */
function globMatch(pattern: string, s: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(s);
}

/** keyring.go's isDefaultRegistryMatch: the image lives on Docker Hub. */
function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first === '') return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === 'index.docker.io') return true;
  return !/[.:]/.test(first);
}
