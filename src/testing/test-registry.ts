// A real OCI registry for tests and benchmarks: Debian's `docker-registry` (the CNCF
// distribution registry) on 127.0.0.1 and a free port, its storage in a temporary directory,
// optionally
//  * tls: a test CA and a serving certificate for 127.0.0.1/localhost (src/cli/pki.ts), the CA
//    in `caFile` for clients;
//  * htpasswd: basic auth, the password bcrypt-hashed by apache2-utils' `htpasswd -B`;
//  * token: the registry's `auth: token:` trusting a test signing certificate; this process
//    serves the token endpoint, checking basic credentials and issuing RS256 JWTs with the
//    certificate in `x5c`, so clients go through the real bearer flow. Anonymous requests get
//    a token without access (as Docker Hub answers for a private repository).
// Images are pushed with `skopeo copy --all oci:<layout>:<tag> docker://<host>/<repo>`.
// stop() ends the registry by its recorded PID and removes the directory.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { createCA, createServingCert } from '../cli/pki.js';
import { freePort } from '../e2e/harness.js';
import { waitFor } from './wait.js';

const execFileAsync = promisify(execFile);

export interface TestRegistryOptions {
  tls?: boolean;
  htpasswd?: boolean;
  token?: boolean;
  /** Defaults: `tester` / a random password. */
  username?: string;
  password?: string;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** `http(s)://127.0.0.1:<port>` */
  url: string;
  /** The CA that signed the serving certificate (tls only). */
  caFile?: string;
  username: string;
  password: string;
  /** The token endpoint (token only). */
  tokenRealm?: string;
  /** An OAuth2 refresh token the token endpoint also accepts (`identitytoken` credentials), for `username`. */
  identityToken: string;
  /** Tokens the token endpoint issued so far (token only), with the scopes asked for. */
  readonly tokensIssued: Array<{ scopes: string[]; user: string }>;
  /**
   * Pushes oci:<layoutDir>:<tag> (an image or an index, with everything in it) to <repo>, or
   * <repo>:<tag> when repo has no tag; format v2s2 converts to Docker schema 2 media types.
   */
  push(layoutDir: string, tag: string, repo: string, opts?: { format?: 'oci' | 'v2s2' }): Promise<void>;
  stop(): Promise<void>;
}

/** What is missing on this machine to run a test registry, or false. */
export function testRegistryMissing(): string | false {
  const tools = { 'docker-registry': 'docker-registry', skopeo: 'skopeo', umoci: 'umoci', htpasswd: 'apache2-utils' };
  for (const [cmd, pkg] of Object.entries(tools)) {
    if (spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0) return `needs ${cmd} (Debian ${pkg})`;
  }
  return false;
}

export const testTokenService = 'kanzen-test-registry';
const testTokenIssuer = 'kanzen-test-token-issuer';

export async function startTestRegistry(opts: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-registry-'));
  const username = opts.username ?? 'tester';
  const password = opts.password ?? randomBytes(9).toString('base64url');
  const identityToken = randomBytes(12).toString('base64url');
  const tokensIssued: TestRegistry['tokensIssued'] = [];
  let tokenServer: http.Server | undefined;
  let child: ChildProcess | undefined;
  // A test process that dies without stop() takes its registry along.
  const killOnExit = () => child?.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child?.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (tokenServer) await new Promise((r) => tokenServer!.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: path.join(dir, 'storage') }, delete: { enabled: true } },
      http: { addr: host, secret: randomBytes(16).toString('hex') },
    };
    let caFile: string | undefined;
    let certDir: string | undefined;
    if (opts.tls) {
      const ca = createCA('test-registry');
      const serving = createServingCert(ca.cert, ca.key, ['127.0.0.1', '::1'], ['localhost']);
      certDir = path.join(dir, 'certs');
      fs.mkdirSync(certDir);
      caFile = path.join(certDir, 'ca.crt');
      fs.writeFileSync(caFile, ca.cert);
      fs.writeFileSync(path.join(dir, 'server.crt'), serving.cert);
      fs.writeFileSync(path.join(dir, 'server.key'), serving.key, { mode: 0o600 });
      (config.http as Record<string, unknown>).tls = { certificate: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
    }
    let tokenRealm: string | undefined;
    if (opts.htpasswd) {
      const r = spawnSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`htpasswd: ${r.stderr}`);
      fs.writeFileSync(path.join(dir, 'htpasswd'), r.stdout);
      config.auth = { htpasswd: { realm: 'kanzen-test', path: path.join(dir, 'htpasswd') } };
    } else if (opts.token) {
      const signer = createCA('test-registry-token');
      fs.writeFileSync(path.join(dir, 'token-ca.crt'), signer.cert);
      tokenServer = await startTokenServer(signer, { username, password, identityToken }, tokensIssued);
      tokenRealm = `http://127.0.0.1:${(tokenServer.address() as net.AddressInfo).port}/token`;
      config.auth = { token: { realm: tokenRealm, service: testTokenService, issuer: testTokenIssuer, rootcertbundle: path.join(dir, 'token-ca.crt') } };
    }
    const configFile = path.join(dir, 'config.yml');
    fs.writeFileSync(configFile, stringify(config));
    const log = fs.openSync(path.join(dir, 'registry.log'), 'a');
    child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    fs.writeFileSync(path.join(dir, 'registry.pid'), `${child.pid}\n`);
    const url = `${opts.tls ? 'https' : 'http'}://${host}`;
    const proc = child;
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf8')}`);
        return (await probe(`${url}/v2/`, caFile)) > 0;
      },
      20_000,
      'the test registry to answer',
    );
    const push: TestRegistry['push'] = async (layoutDir, tag, repo, pushOpts = {}) => {
      const dest = repo.includes(':') ? repo : `${repo}:${tag}`;
      const args = ['copy', '--all', '--quiet', `--dest-tls-verify=${opts.tls ? 'true' : 'false'}`];
      if (pushOpts.format) args.push('--format', pushOpts.format);
      if (certDir) args.push('--dest-cert-dir', certDir);
      if (opts.htpasswd || opts.token) args.push('--dest-creds', `${username}:${password}`);
      args.push(`oci:${layoutDir}:${tag}`, `docker://${host}/${dest}`);
      try {
        await execFileAsync('skopeo', args);
      } catch (e) {
        throw new Error(`skopeo ${args.join(' ')}: ${(e as { stderr?: string }).stderr ?? e}`);
      }
    };
    return { host, url, caFile, username, password, identityToken, tokenRealm, tokensIssued, push, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The HTTP status of GET url, 0 when nothing answers. */
function probe(url: string, ca?: string): Promise<number> {
  return new Promise((resolve) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { ...(ca ? { ca: fs.readFileSync(ca) } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

/**
 * The token endpoint of docker's token auth spec: GET /token?service=…&scope=… with basic
 * credentials checked (401 when wrong), and the OAuth2 POST /token form with
 * grant_type=refresh_token (the identity token); an RS256 JWT granting the asked scopes to the
 * authenticated user and nothing to an anonymous one.
 */
async function startTokenServer(
  signer: { cert: string; key: string },
  account: { username: string; password: string; identityToken: string },
  issued: TestRegistry['tokensIssued'],
): Promise<http.Server> {
  const key = createPrivateKey(signer.key);
  const x5c = [new X509Certificate(signer.cert).raw.toString('base64')];
  const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unauthorized = (res: http.ServerResponse) => {
    res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="kanzen-test-token"' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  };
  const issue = (res: http.ServerResponse, params: URLSearchParams, user: string, scopes: string[]) => {
    const access = user
      ? scopes.map((s) => {
          const parts = s.split(':');
          return { type: parts[0], name: parts.slice(1, -1).join(':'), actions: parts[parts.length - 1].split(',') };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: testTokenIssuer, sub: user, aud: params.get('service') ?? '', exp: now + 600, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const signingInput = `${b64url({ typ: 'JWT', alg: 'RS256', x5c })}.${b64url(claims)}`;
    const token = `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
    issued.push({ scopes, user });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 600, issued_at: new Date().toISOString() }));
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://token');
    if (u.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== account.identityToken) return unauthorized(res);
        issue(res, form, account.username, (form.get('scope') ?? '').split(' ').filter(Boolean));
      });
      return;
    }
    let user = '';
    const auth = req.headers.authorization;
    if (auth) {
      const [name, secret] = Buffer.from(auth.replace(/^Basic /i, ''), 'base64').toString('utf8').split(/:(.*)/s);
      if (name !== account.username || secret !== account.password) return unauthorized(res);
      user = name;
    }
    issue(res, u.searchParams, user, u.searchParams.getAll('scope'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}
