// <home>/registries.yaml, in k3s' format (docs.k3s.io/installation/private-registry):
//
//   mirrors:
//     docker.io:
//       endpoint: ["https://mirror.example.com", "http://127.0.0.1:5000"]
//       rewrite: {"^library/(.*)": "mirrored/$1"}
//   configs:
//     "mirror.example.com":
//       auth: {username: u, password: p}          # or auth: base64(u:p), or identitytoken
//       tls: {ca_file: /x/ca.crt, cert_file: …, key_file: …, insecure_skip_verify: false}
//
// A registry's endpoints are its mirrors in order, then its own default endpoint (k3s and
// containerd always try that last; rewrites never apply to it). Everything is HTTPS verified
// with the system CAs plus a configured ca_file, except an `http://` endpoint and a registry
// on a loopback address. That one is treated as containerd's hosts configuration treats
// localhost (and Docker its default insecure range 127.0.0.0/8): on port 80 plain HTTP; else
// HTTPS first, its certificate unverified unless `configs:` has a `tls:` entry for it, and
// plain HTTP when the server answers in HTTP (not on port 443).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Credentials for one registry, as the CRI's AuthConfig carries them. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** A refresh token for the registry's OAuth2 token endpoint (`docker login` with an identity provider). */
  identityToken?: string;
}

export interface RegistryTLS {
  /** PEM text of ca_file, trusted beside the system CAs. */
  ca?: string;
  /** PEM text of cert_file and key_file: a client certificate. */
  cert?: string;
  key?: string;
  insecureSkipVerify: boolean;
}

export interface RegistryMirror {
  endpoints: string[];
  /** Repository rewrites in file order: the first pattern that matches is applied (Go regexp syntax as far as JS shares it). */
  rewrite: Array<{ pattern: RegExp; replacement: string }>;
}

export interface RegistryHostConfig {
  auth?: RegistryAuth;
  tls?: RegistryTLS;
}

export interface RegistriesConfig {
  mirrors: Record<string, RegistryMirror>;
  configs: Record<string, RegistryHostConfig>;
}

export const emptyRegistriesConfig: RegistriesConfig = { mirrors: {}, configs: {} };

/** An endpoint without a `tls:` entry: system CAs, verified. One object, so its TLS context is built once. */
const defaultTLS: RegistryTLS = Object.freeze({ insecureSkipVerify: false });
/** A loopback registry's default endpoint without a `tls:` entry (containerd: skip_verify for localhost). */
const loopbackTLS: RegistryTLS = Object.freeze({ insecureSkipVerify: true });

/** registries.yaml could not be used; the message names the file and the field. */
export class RegistriesConfigError extends Error {}

/** One place a registry's content can be fetched from. */
export interface RegistryEndpoint {
  /** host[:port] the requests go to. */
  host: string;
  scheme: 'https' | 'http';
  /** The API root, `/v2` or `<endpoint path>/v2`. */
  basePath: string;
  /** https that falls back to plain http when the server answers without TLS (a loopback registry, as containerd does for localhost). */
  httpFallback: boolean;
  /** A mirror: requests name the registry they stand in for (`?ns=docker.io`, as containerd sends). */
  namespace?: string;
  /** The repository path as this endpoint knows it (mirror rewrites). */
  rewrite(repository: string): string;
  tls: RegistryTLS;
  /** Credentials from the file's `configs:` for this endpoint. */
  auth?: RegistryAuth;
}

/** containerd's DefaultHost: Docker Hub's API lives on registry-1.docker.io. */
export function defaultEndpointHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** Whether host[:port] names this machine's loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(hostPort: string): boolean {
  let host = hostPort;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.split(':').length === 2) host = host.split(':')[0];
  host = host.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return net.isIPv6(host) && (host === '::1' || host === '0:0:0:0:0:0:0:1');
}

/** A docker config `auth` field: base64 of `user:password`. */
export function decodeAuthField(auth: string): { username: string; password: string } {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new Error('unable to parse auth field, must be formatted as base64(username:password)');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The registry's endpoints in the order a pull tries them: mirrors (exact name, else `*`), then the default. */
export function registryEndpoints(config: RegistriesConfig, registry: string): RegistryEndpoint[] {
  const mirror = config.mirrors[registry] ?? config.mirrors['*'];
  const out: RegistryEndpoint[] = [];
  for (const raw of mirror?.endpoints ?? []) {
    const u = new URL(raw.includes('://') ? raw : `https://${raw}`);
    const hostConfig = config.configs[u.host];
    const trimmed = u.pathname.replace(/\/+$/, '');
    out.push({
      host: u.host,
      scheme: u.protocol === 'http:' ? 'http' : 'https',
      basePath: trimmed.endsWith('/v2') ? trimmed : `${trimmed}/v2`,
      // An endpoint written with its scheme is spoken to in that scheme only.
      httpFallback: false,
      namespace: u.host === defaultEndpointHost(registry) ? undefined : registry,
      rewrite: (repo) => applyRewrite(mirror.rewrite, repo),
      tls: hostConfig?.tls ?? defaultTLS,
      auth: hostConfig?.auth,
    });
  }
  const host = defaultEndpointHost(registry);
  if (!out.some((e) => e.host === host && e.basePath === '/v2')) {
    const hostConfig = config.configs[host] ?? config.configs[registry];
    const loopback = isLoopbackHost(host);
    const port = /:(\d+)$/.exec(host)?.[1] ?? '';
    out.push({
      host,
      scheme: loopback && port === '80' ? 'http' : 'https',
      basePath: '/v2',
      httpFallback: loopback && !['', '80', '443'].includes(port),
      rewrite: (repo) => repo,
      tls: hostConfig?.tls ?? (loopback ? loopbackTLS : defaultTLS),
      auth: hostConfig?.auth,
    });
  }
  return out;
}

function applyRewrite(rules: RegistryMirror['rewrite'], repo: string): string {
  for (const r of rules) if (r.pattern.test(repo)) return repo.replace(r.pattern, r.replacement);
  return repo;
}

/** Where a cluster keeps its registries.yaml. */
export function registriesConfigFile(homeDir: string): string {
  return path.join(homeDir, 'registries.yaml');
}

/** The file's configuration; a missing file is an empty one. Relative file paths are read from the file's directory. */
export function loadRegistriesConfig(file: string): RegistriesConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyRegistriesConfig;
    throw new RegistriesConfigError(`${file}: ${(e as Error).message}`);
  }
  return parseRegistriesConfig(text, file);
}

export function parseRegistriesConfig(text: string, source = 'registries.yaml'): RegistriesConfig {
  const baseDir = path.dirname(path.resolve(source));
  const fail = (where: string, what: string): never => {
    throw new RegistriesConfigError(`${source}: ${where ? `${where}: ` : ''}${what}`);
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    fail('', `invalid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return emptyRegistriesConfig;
  const top = mapping(doc, '', fail, ['mirrors', 'configs']);
  const out: RegistriesConfig = { mirrors: {}, configs: {} };
  for (const [registry, m] of Object.entries(mapping(top.mirrors ?? {}, 'mirrors', fail))) {
    const where = `mirrors."${registry}"`;
    const entry = mapping(m ?? {}, where, fail, ['endpoint', 'rewrite']);
    const endpoints = entry.endpoint ?? [];
    if (!Array.isArray(endpoints) || !endpoints.every((e) => typeof e === 'string')) fail(`${where}.endpoint`, 'must be a list of URLs');
    for (const e of endpoints as string[]) {
      let u: URL | undefined;
      try {
        u = new URL(e.includes('://') ? e : `https://${e}`);
      } catch {
        // reported below
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.host) fail(`${where}.endpoint`, `${JSON.stringify(e)} is not an http(s) URL`);
    }
    const rewrite: RegistryMirror['rewrite'] = [];
    for (const [pattern, replacement] of Object.entries(mapping(entry.rewrite ?? {}, `${where}.rewrite`, fail))) {
      if (typeof replacement !== 'string') fail(`${where}.rewrite."${pattern}"`, 'must be a string');
      try {
        // Go's ${1} is JS's $1.
        rewrite.push({ pattern: new RegExp(pattern), replacement: (replacement as string).replace(/\$\{(\d+)\}/g, '$$$1') });
      } catch (e) {
        fail(`${where}.rewrite`, `invalid pattern ${JSON.stringify(pattern)}: ${(e as Error).message}`);
      }
    }
    out.mirrors[registry] = { endpoints: endpoints as string[], rewrite };
  }
  for (const [host, c] of Object.entries(mapping(top.configs ?? {}, 'configs', fail))) {
    const where = `configs."${host}"`;
    const entry = mapping(c ?? {}, where, fail, ['auth', 'tls']);
    const hc: RegistryHostConfig = {};
    if (entry.auth !== undefined && entry.auth !== null) {
      const a = mapping(entry.auth, `${where}.auth`, fail, ['username', 'password', 'auth', 'identitytoken']);
      const str = (k: string) => {
        if (a[k] !== undefined && typeof a[k] !== 'string') fail(`${where}.auth.${k}`, 'must be a string');
        return a[k] as string | undefined;
      };
      const auth: RegistryAuth = { username: str('username'), password: str('password'), identityToken: str('identitytoken') };
      const encoded = str('auth');
      if (encoded) {
        try {
          Object.assign(auth, decodeAuthField(encoded));
        } catch (e) {
          fail(`${where}.auth.auth`, (e as Error).message);
        }
      }
      hc.auth = auth;
    }
    if (entry.tls !== undefined && entry.tls !== null) {
      const t = mapping(entry.tls, `${where}.tls`, fail, ['ca_file', 'cert_file', 'key_file', 'insecure_skip_verify']);
      const read = (k: string): string | undefined => {
        if (t[k] === undefined || t[k] === null || t[k] === '') return undefined;
        if (typeof t[k] !== 'string') fail(`${where}.tls.${k}`, 'must be a file path');
        const p = path.resolve(baseDir, t[k] as string);
        try {
          return fs.readFileSync(p, 'utf8');
        } catch (e) {
          return fail(`${where}.tls.${k}`, `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      };
      if (t.insecure_skip_verify !== undefined && typeof t.insecure_skip_verify !== 'boolean') fail(`${where}.tls.insecure_skip_verify`, 'must be true or false');
      const tls: RegistryTLS = { ca: read('ca_file'), cert: read('cert_file'), key: read('key_file'), insecureSkipVerify: t.insecure_skip_verify === true };
      if (!tls.cert !== !tls.key) fail(`${where}.tls`, 'cert_file and key_file go together');
      hc.tls = tls;
    }
    out.configs[host] = hc;
  }
  return out;
}

function mapping(v: unknown, where: string, fail: (where: string, what: string) => never, keys?: string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(where, 'must be a mapping');
  if (keys) {
    const unknown = Object.keys(v).filter((k) => !keys.includes(k));
    if (unknown.length) fail(where, `unknown field ${JSON.stringify(unknown[0])} (expected ${keys.join(', ')})`);
  }
  return v as Record<string, unknown>;
}
