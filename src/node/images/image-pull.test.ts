// Pulls from a real distribution registry (Debian's docker-registry) on 127.0.0.1, with images
// built by umoci and pushed by skopeo: plain HTTP, HTTPS with a test CA, htpasswd basic auth,
// the bearer-token flow against a token endpoint this test serves, a docker.io mirror, digests,
// a multi-platform index, pull secrets, and a proxy that corrupts a blob or watches how many
// blobs are fetched at once. Error texts are containerd's, as the kubelet shows them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Secret } from '../../api/types.js';
import { addImageIndex, buildBusyboxImage, layoutDescriptor } from '../../testing/test-images.js';
import { freePort } from '../../e2e/harness.js';
import { startTestRegistry, testRegistryMissing, testTokenService, type TestRegistry } from '../../testing/test-registry.js';
import { keyringFromSecrets } from './docker-config.js';
import { ImageStore } from './image-store.js';
import { pullImage, RegistryError, type PullOptions } from './image-pull.js';
import { MediaType, type ImageManifest } from './oci.js';
import { parseRegistriesConfig } from './registries-config.js';

const skip = testRegistryMissing();
const tmpDirs: string[] = [];
const tmp = (p: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), p));
  tmpDirs.push(d);
  return d;
};
const newStore = () => new ImageStore(tmp('kz-pull-store-'));

/** The RegistryError a pull fails with. */
async function pullError(store: ImageStore, ref: string, opts: PullOptions = {}): Promise<RegistryError> {
  try {
    await pullImage(store, ref, opts);
  } catch (e) {
    assert.ok(e instanceof RegistryError, `a RegistryError, got ${e}`);
    return e;
  }
  assert.fail(`pulling ${ref} succeeded`);
}

function registriesYaml(text: string): PullOptions['registries'] {
  const dir = tmp('kz-registries-');
  const file = path.join(dir, 'registries.yaml');
  fs.writeFileSync(file, text);
  return parseRegistriesConfig(text, file);
}

let layout: string;
before(() => {
  if (skip) return;
  layout = tmp('kz-layout-');
  buildBusyboxImage(layout, { tag: 'v1', files: { '/etc/hello': 'hello from v1\n' } });
  buildBusyboxImage(layout, { tag: 'layered', extraLayers: [40_000, 50_000, 60_000, 70_000, 80_000] });
  buildBusyboxImage(layout, { tag: 'amd64', files: { '/etc/arch': 'amd64\n' } });
  buildBusyboxImage(layout, { tag: 'arm64', architecture: 'arm64', files: { '/etc/arch': 'arm64\n' } });
  addImageIndex(layout, 'multi', [
    { tag: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
    { tag: 'arm64', platform: { os: 'linux', architecture: 'arm64' } },
  ]);
});
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('a plain HTTP registry on loopback', { skip }, () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry();
    await reg.push(layout, 'v1', 'busybox:1');
    await reg.push(layout, 'multi', 'multi:1');
    await reg.push(layout, 'layered', 'layered:1');
    await reg.push(layout, 'v1', 'library/busybox:latest');
    await reg.push(layout, 'multi', 'docker-schema2:1', { format: 'v2s2' });
  });
  after(() => reg?.stop());

  test('pulls without any configuration, every blob verified into the store', async () => {
    const store = newStore();
    const rec = await pullImage(store, `${reg.host}/busybox:1`);
    const pushed = layoutDescriptor(layout, 'v1');
    assert.equal(rec.name, `${reg.host}/busybox:1`);
    assert.equal(rec.source, 'pull');
    assert.equal(rec.target.digest, pushed.digest);
    assert.equal(rec.manifest.digest, pushed.digest);
    assert.equal(rec.manifest.mediaType, MediaType.ociManifest);
    assert.deepEqual(store.getImage(rec.name), rec);
    const manifest = store.manifestOf(rec);
    for (const d of [manifest.config, ...manifest.layers]) assert.ok(store.hasBlob(d.digest), `${d.digest} stored`);
    assert.equal(store.configOf(rec).architecture, 'amd64');
    assert.equal(rec.size, manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0));
  });

  test('pulls by digest, naming the record repo@digest', async () => {
    const store = newStore();
    const digest = layoutDescriptor(layout, 'v1').digest;
    const rec = await pullImage(store, `${reg.host}/busybox@${digest}`);
    assert.equal(rec.name, `${reg.host}/busybox@${digest}`);
    assert.equal(rec.target.digest, digest);
    // A tag beside the digest is not what names the content (containerd drops it).
    const both = await pullImage(store, `${reg.host}/busybox:1@${digest}`);
    assert.equal(both.name, `${reg.host}/busybox@${digest}`);
  });

  test("takes the host's platform out of a multi-platform index", async () => {
    const store = newStore();
    const rec = await pullImage(store, `${reg.host}/multi:1`);
    assert.equal(rec.target.mediaType, MediaType.ociIndex);
    assert.equal(rec.target.digest, layoutDescriptor(layout, 'multi').digest);
    assert.equal(rec.manifest.digest, layoutDescriptor(layout, 'amd64').digest);
    assert.deepEqual(rec.manifest.platform, { os: 'linux', architecture: 'amd64' });
    assert.equal(store.configOf(rec).architecture, 'amd64');
    // The arm64 manifest was never fetched.
    const arm = layoutDescriptor(layout, 'arm64');
    assert.equal(store.hasBlob(arm.digest), false);

    const armRec = await pullImage(newStore(), `${reg.host}/multi:1`, { platform: { os: 'linux', architecture: 'arm64' } });
    assert.equal(armRec.manifest.digest, arm.digest);

    const none = await pullError(newStore(), `${reg.host}/multi:1`, { platform: { os: 'linux', architecture: 's390x' } });
    assert.equal(none.message, `failed to pull and unpack image "${reg.host}/multi:1": no match for platform in manifest: not found`);
    assert.equal(none.code, 'NotFound');
  });

  test('Docker schema 2 manifest lists and manifests, as older registries and `docker push` make them', async () => {
    const store = newStore();
    const rec = await pullImage(store, `${reg.host}/docker-schema2:1`);
    assert.equal(rec.target.mediaType, MediaType.dockerManifestList);
    assert.equal(rec.manifest.mediaType, MediaType.dockerManifest);
    assert.deepEqual(rec.manifest.platform, { os: 'linux', architecture: 'amd64' });
    assert.equal(rec.config.mediaType, MediaType.dockerConfig);
    assert.ok(rec.layers.every((l) => l.mediaType === MediaType.dockerLayerGzip));
    assert.equal(store.configOf(rec).architecture, 'amd64');
  });

  test('a docker.io mirror serves `busybox`, rewrites included', async () => {
    const registries = registriesYaml(`mirrors:\n  docker.io:\n    endpoint: ["http://${reg.host}"]\n`);
    const store = newStore();
    const rec = await pullImage(store, 'busybox', { registries });
    assert.equal(rec.name, 'docker.io/library/busybox:latest');
    assert.equal(rec.manifest.digest, layoutDescriptor(layout, 'v1').digest);

    const rewritten = registriesYaml(`mirrors:\n  docker.io:\n    endpoint: ["http://${reg.host}"]\n    rewrite:\n      "^library/(.*)$": "$1"\n`);
    const viaRewrite = await pullImage(newStore(), 'docker.io/library/busybox:1', { registries: rewritten });
    assert.equal(viaRewrite.name, 'docker.io/library/busybox:1');
    assert.equal(viaRewrite.manifest.digest, layoutDescriptor(layout, 'v1').digest);
  });

  test('an unknown tag is not found', async () => {
    const err = await pullError(newStore(), `${reg.host}/busybox:nope`);
    assert.equal(err.message, `failed to pull and unpack image "${reg.host}/busybox:nope": failed to resolve reference "${reg.host}/busybox:nope": ${reg.host}/busybox:nope: not found`);
    assert.equal(err.code, 'NotFound');
    assert.equal(err.unreachable, false);
  });

  test('nothing listening: connection refused', async () => {
    const port = await freePort();
    const err = await pullError(newStore(), `127.0.0.1:${port}/busybox:1`);
    assert.equal(
      err.message,
      `failed to pull and unpack image "127.0.0.1:${port}/busybox:1": failed to resolve reference "127.0.0.1:${port}/busybox:1": failed to do request: Head "https://127.0.0.1:${port}/v2/busybox/manifests/1": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    assert.equal(err.unreachable, true, 'no registry answered');
    // A mirror that is down, then the registry itself answering: the first error is reported, but something answered.
    const registries = registriesYaml(`mirrors:\n  "${reg.host}":\n    endpoint: ["http://127.0.0.1:${port}"]\n`);
    const viaDeadMirror = await pullError(newStore(), `${reg.host}/busybox:nope`, { registries });
    assert.match(viaDeadMirror.message, /failed to do request: Head "http:\/\/127\.0\.0\.1:\d+\/v2\/busybox\/manifests\/nope\?ns=127\.0\.0\.1%3A\d+": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
    assert.equal(viaDeadMirror.unreachable, false);
    const rec = await pullImage(newStore(), `${reg.host}/busybox:1`, { registries });
    assert.equal(rec.manifest.digest, layoutDescriptor(layout, 'v1').digest, 'a dead mirror falls through to the registry');
  });

  test('a corrupted blob is rejected and nothing is recorded', async () => {
    const store = newStore();
    const manifest = JSON.parse(fs.readFileSync(path.join(layout, 'blobs/sha256', layoutDescriptor(layout, 'v1').digest.slice(7)), 'utf8')) as ImageManifest;
    const layer = manifest.layers[0].digest;
    const proxy = await startProxy(reg.host, { corrupt: layer });
    try {
      const err = await pullError(store, `${proxy.host}/busybox:1`);
      assert.ok(proxy.corruptedDigest, 'the proxy corrupted the layer');
      assert.equal(
        err.message,
        `failed to pull and unpack image "${proxy.host}/busybox:1": failed commit on ref "layer-${layer}": unexpected commit digest ${proxy.corruptedDigest}, expected ${layer}: failed precondition`,
      );
      assert.equal(err.code, 'FailedPrecondition');
      assert.equal(store.getImage(`${proxy.host}/busybox:1`), undefined);
      assert.equal(store.hasBlob(layer), false);
      assert.deepEqual(fs.readdirSync(store.ingestDir), []);
    } finally {
      await proxy.close();
    }
  });

  test('layers are fetched in parallel, three at a time, and stored blobs are not fetched again', async () => {
    const store = newStore();
    const proxy = await startProxy(reg.host, { gate: 3 });
    try {
      const rec = await pullImage(store, `${proxy.host}/layered:1`);
      // config + the busybox layer + 5 extra layers
      assert.equal(proxy.blobGets.length, 7);
      assert.equal(rec.layers.length, 6);
      assert.equal(proxy.maxInFlight, 3);
      await pullImage(store, `${proxy.host}/layered:1`);
      assert.equal(proxy.blobGets.length, 7, 'a second pull fetches no blob');
      const one = await pullImage(store, `${proxy.host}/layered:1`, { concurrency: 1 });
      assert.equal(one.manifest.digest, rec.manifest.digest);
    } finally {
      await proxy.close();
    }
    const sequential = await startProxy(reg.host, { gate: 3 });
    try {
      await pullImage(newStore(), `${sequential.host}/layered:1`, { concurrency: 1 });
      assert.equal(sequential.maxInFlight, 1);
    } finally {
      await sequential.close();
    }
  });
});

describe('a registry behind a proxy', { skip }, () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry();
    await reg.push(layout, 'v1', 'busybox:1');
  });
  after(() => reg?.stop());

  test('blob redirects are followed', async () => {
    const proxy = await startProxy(reg.host, { redirect: true });
    try {
      const rec = await pullImage(newStore(), `${proxy.host}/busybox:1`);
      assert.equal(rec.manifest.digest, layoutDescriptor(layout, 'v1').digest);
      assert.equal(proxy.redirected, 2, 'config and layer came from the redirect target');
    } finally {
      await proxy.close();
    }
  });

  test('an aborted pull stops with context canceled and records nothing', async () => {
    const store = newStore();
    const abort = new AbortController();
    const proxy = await startProxy(reg.host, { hold: () => abort.abort() });
    try {
      const err = await pullError(store, `${proxy.host}/busybox:1`, { signal: abort.signal });
      assert.equal(err.code, 'Canceled');
      assert.match(err.message, new RegExp(`^failed to pull and unpack image "${proxy.host}/busybox:1": .*context canceled$`));
      assert.equal(store.getImage(`${proxy.host}/busybox:1`), undefined);
      assert.deepEqual(fs.readdirSync(store.ingestDir), []);
    } finally {
      await proxy.close();
    }
  });
});

describe('HTTPS with a test CA', { skip }, () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry({ tls: true });
    await reg.push(layout, 'v1', 'busybox:1');
  });
  after(() => reg?.stop());

  test('pulls when registries.yaml names the CA', async () => {
    const registries = registriesYaml(`configs:\n  "${reg.host}":\n    tls:\n      ca_file: ${reg.caFile}\n`);
    const rec = await pullImage(newStore(), `${reg.host}/busybox:1`, { registries });
    assert.equal(rec.manifest.digest, layoutDescriptor(layout, 'v1').digest);
  });

  test('a tls entry without the CA fails to verify the certificate (no fallback to plain HTTP)', async () => {
    const registries = registriesYaml(`configs:\n  "${reg.host}":\n    tls:\n      insecure_skip_verify: false\n`);
    const err = await pullError(newStore(), `${reg.host}/busybox:1`, { registries });
    assert.equal(
      err.message,
      `failed to pull and unpack image "${reg.host}/busybox:1": failed to resolve reference "${reg.host}/busybox:1": failed to do request: Head "https://${reg.host}/v2/busybox/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    );
    assert.equal(err.unreachable, true);
  });

  test('without configuration a loopback registry is not verified, as containerd and Docker treat localhost', async () => {
    const rec = await pullImage(newStore(), `${reg.host}/busybox:1`);
    assert.equal(rec.manifest.digest, layoutDescriptor(layout, 'v1').digest);
  });
});

describe('basic auth (htpasswd)', { skip }, () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry({ htpasswd: true });
    await reg.push(layout, 'v1', 'busybox:1');
  });
  after(() => reg?.stop());
  const ref = () => `${reg.host}/busybox:1`;
  const withAuth = (password: string) => registriesYaml(`configs:\n  "${reg.host}":\n    auth:\n      username: ${reg.username}\n      password: "${password}"\n`);

  test('pulls with the credentials from registries.yaml', async () => {
    const rec = await pullImage(newStore(), ref(), { registries: withAuth(reg.password) });
    assert.equal(rec.manifest.digest, layoutDescriptor(layout, 'v1').digest);
  });

  test('a wrong password is the registry\'s 401', async () => {
    const err = await pullError(newStore(), ref(), { registries: withAuth('wrong') });
    assert.equal(err.message, `failed to pull and unpack image "${ref()}": failed to resolve reference "${ref()}": unexpected status from HEAD request to http://${reg.host}/v2/busybox/manifests/1: 401 Unauthorized`);
  });

  test('no credentials: pull access denied', async () => {
    const err = await pullError(newStore(), ref());
    assert.equal(err.message, `failed to pull and unpack image "${ref()}": failed to resolve reference "${ref()}": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`);
  });
});

describe('token auth (a real bearer flow)', { skip }, () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startTestRegistry({ token: true });
    await reg.push(layout, 'layered', 'busybox:1');
  });
  after(() => reg?.stop());
  const ref = () => `${reg.host}/busybox:1`;
  const pullSecret = (password: string, server = reg.host): Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'regcred', namespace: 'default' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [server]: { username: reg.username, password, auth: Buffer.from(`${reg.username}:${password}`).toString('base64') } } })).toString('base64') },
  });

  test('pulls with a dockerconfigjson pull secret, one token for every request', async () => {
    const before = reg.tokensIssued.length;
    const rec = await pullImage(newStore(), ref(), { credentials: keyringFromSecrets([pullSecret(reg.password)]) });
    assert.equal(rec.layers.length, 6);
    const issued = reg.tokensIssued.slice(before);
    assert.deepEqual(issued, [{ scopes: ['repository:busybox:pull'], user: reg.username }]);
  });

  test('an identity token from registries.yaml goes through the OAuth2 refresh-token grant', async () => {
    const registries = registriesYaml(`configs:\n  "${reg.host}":\n    auth:\n      identitytoken: ${reg.identityToken}\n`);
    const before = reg.tokensIssued.length;
    const rec = await pullImage(newStore(), ref(), { registries });
    assert.equal(rec.layers.length, 6);
    assert.deepEqual(reg.tokensIssued.slice(before), [{ scopes: ['repository:busybox:pull'], user: reg.username }]);
  });

  test('a token that expires during the pull is fetched anew once', async () => {
    const proxy = await startProxy(reg.host, {
      expireTokenOnce: `Bearer realm="${reg.tokenRealm}",service="${testTokenService}",scope="repository:busybox:pull",error="invalid_token"`,
    });
    try {
      const before = reg.tokensIssued.length;
      const rec = await pullImage(newStore(), `${proxy.host}/busybox:1`, { credentials: keyringFromSecrets([pullSecret(reg.password, proxy.host)]), concurrency: 1 });
      assert.equal(rec.layers.length, 6);
      assert.equal(reg.tokensIssued.length - before, 2, 'the first token, then one more after the rejection');
    } finally {
      await proxy.close();
    }
  });

  test('a wrong password fails at the token endpoint', async () => {
    const err = await pullError(newStore(), ref(), { credentials: keyringFromSecrets([pullSecret('wrong')]) });
    assert.equal(
      err.message,
      `failed to pull and unpack image "${ref()}": failed to resolve reference "${ref()}": failed to authorize: failed to fetch oauth token: unexpected status from GET request to ${reg.tokenRealm}?scope=repository%3Abusybox%3Apull&service=${testTokenService}: 401 Unauthorized`,
    );
  });

  test('anonymously: pull access denied with the registry\'s reason', async () => {
    // A secret for another registry does not apply.
    const err = await pullError(newStore(), ref(), { credentials: keyringFromSecrets([pullSecret(reg.password, 'other.example.com')]) });
    assert.equal(err.message, `failed to pull and unpack image "${ref()}": failed to resolve reference "${ref()}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`);
  });
});

interface TestProxy {
  host: string;
  blobGets: string[];
  maxInFlight: number;
  /** Blob requests that arrived at the redirect target. */
  redirected: number;
  corruptedDigest?: string;
  close(): Promise<void>;
}

/**
 * A plain HTTP proxy in front of the registry that counts blob GETs and how many are open at
 * once; `corrupt` flips a byte of that blob; `gate` holds the first blob requests until that
 * many are open together (released anyway after a second if fewer come), so a puller's
 * concurrency shows however fast the registry answers.
 */
async function startProxy(upstream: string, opts: { corrupt?: string; gate?: number; hold?: () => void; redirect?: boolean; expireTokenOnce?: string }): Promise<TestProxy> {
  const [upHost, upPort] = upstream.split(':');
  let held: Array<() => void> = [];
  let gateOpen = !opts.gate;
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    gateOpen = true;
    clearTimeout(timer);
    const go = held;
    held = [];
    go.forEach((f) => f());
  };
  let inFlight = 0;
  const proxy: TestProxy = { host: '', blobGets: [], maxInFlight: 0, redirected: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/redirected/')) {
      proxy.redirected++;
      req.url = req.url.slice('/redirected'.length);
      opts = { ...opts, redirect: false };
    }
    const blob = req.method === 'GET' ? /\/blobs\/(sha256:[0-9a-f]{64})/.exec(req.url ?? '')?.[1] : undefined;
    if (blob && opts.redirect) {
      // Blob storage elsewhere (as registries on S3 answer): another host name for this server.
      res.writeHead(307, { Location: `http://localhost:${(server.address() as net.AddressInfo).port}/redirected${req.url}` }).end();
      return;
    }
    if (blob && opts.expireTokenOnce && req.headers.authorization) {
      // What a registry answers a token that expired during a long pull.
      res.writeHead(401, { 'WWW-Authenticate': opts.expireTokenOnce, 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      opts = { ...opts, expireTokenOnce: undefined };
      return;
    }
    if (blob && opts.hold) {
      proxy.blobGets.push(blob);
      opts.hold();
      return; // never answered
    }
    const forward = () => {
      const up = http.request({ host: upHost, port: Number(upPort), path: req.url, method: req.method, headers: { ...req.headers, host: upstream } }, (ur) => {
        if (blob && blob === opts.corrupt && ur.statusCode === 200) {
          const chunks: Buffer[] = [];
          ur.on('data', (c: Buffer) => chunks.push(c));
          ur.on('end', () => {
            const body = Buffer.concat(chunks);
            body[Math.floor(body.length / 2)] ^= 0xff;
            proxy.corruptedDigest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
            res.writeHead(200, ur.headers);
            res.end(body);
          });
          return;
        }
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (!blob) return forward();
    proxy.blobGets.push(blob);
    inFlight++;
    proxy.maxInFlight = Math.max(proxy.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    if (gateOpen) return forward();
    held.push(forward);
    if (held.length >= opts.gate!) release();
    else timer ??= setTimeout(release, 1000);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.close = () =>
    new Promise((r) => {
      clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => r());
    });
  return proxy;
}
