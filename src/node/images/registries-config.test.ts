import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emptyRegistriesConfig, isLoopbackHost, loadRegistriesConfig, parseRegistriesConfig, registryEndpoints, RegistriesConfigError } from './registries-config.js';

const dirs: string[] = [];
function tmpDir(): string {
  dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'kz-registries-unit-')));
  return dirs[dirs.length - 1];
}
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

test('a registry is tried at its mirrors in order, then at its default endpoint', () => {
  const config = parseRegistriesConfig(`
mirrors:
  docker.io:
    endpoint:
      - "https://m1.example.com"
      - "http://127.0.0.1:5000"
      - "mirror.example.com:8443/cache"
    rewrite:
      "^library/(.*)": "hub/\${1}"
`);
  const eps = registryEndpoints(config, 'docker.io');
  assert.deepEqual(
    eps.map((e) => [e.scheme, e.host, e.basePath, e.namespace, e.httpFallback]),
    [
      ['https', 'm1.example.com', '/v2', 'docker.io', false],
      ['http', '127.0.0.1:5000', '/v2', 'docker.io', false],
      ['https', 'mirror.example.com:8443', '/cache/v2', 'docker.io', false],
      // Docker Hub's API host, never rewritten, no namespace
      ['https', 'registry-1.docker.io', '/v2', undefined, false],
    ],
  );
  assert.equal(eps[0].rewrite('library/nginx'), 'hub/nginx');
  assert.equal(eps[0].rewrite('bitnami/nginx'), 'bitnami/nginx');
  assert.equal(eps[3].rewrite('library/nginx'), 'library/nginx');
  // Other registries are themselves only.
  assert.deepEqual(registryEndpoints(config, 'quay.io').map((e) => e.host), ['quay.io']);
});

test('a wildcard mirror stands for every registry without its own entry', () => {
  const config = parseRegistriesConfig('mirrors:\n  "*":\n    endpoint: ["https://all.example.com"]\n  quay.io:\n    endpoint: ["https://q.example.com"]\n');
  assert.deepEqual(registryEndpoints(config, 'ghcr.io').map((e) => e.host), ['all.example.com', 'ghcr.io']);
  assert.deepEqual(registryEndpoints(config, 'quay.io').map((e) => e.host), ['q.example.com', 'quay.io']);
});

test('a loopback registry is HTTPS unverified, then plain HTTP, as containerd treats localhost; a tls entry makes it verified', () => {
  for (const h of ['127.0.0.1:5000', 'localhost:5000', '[::1]:5000']) {
    const [ep] = registryEndpoints(emptyRegistriesConfig, h);
    assert.deepEqual([ep.scheme, ep.httpFallback, ep.tls.insecureSkipVerify], ['https', true, true], h);
  }
  assert.deepEqual(registryEndpoints(emptyRegistriesConfig, '127.0.0.1:80').map((e) => [e.scheme, e.httpFallback]), [['http', false]]);
  assert.deepEqual(registryEndpoints(emptyRegistriesConfig, 'localhost:443').map((e) => [e.scheme, e.httpFallback, e.tls.insecureSkipVerify]), [['https', false, true]]);
  for (const h of ['registry.example.com:5000', '10.0.0.1:5000']) {
    const [ep] = registryEndpoints(emptyRegistriesConfig, h);
    assert.deepEqual([ep.scheme, ep.httpFallback, ep.tls.insecureSkipVerify], ['https', false, false], h);
  }
  // A mirror endpoint on loopback is what it says.
  const mirrored = registryEndpoints(parseRegistriesConfig('mirrors:\n  docker.io:\n    endpoint: ["https://127.0.0.1:5000"]\n'), 'docker.io')[0];
  assert.deepEqual([mirrored.scheme, mirrored.httpFallback, mirrored.tls.insecureSkipVerify], ['https', false, false]);

  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'ca.crt'), 'PEM');
  const file = path.join(dir, 'registries.yaml');
  fs.writeFileSync(file, 'configs:\n  "127.0.0.1:5000":\n    tls:\n      ca_file: ca.crt\n');
  const [ep] = registryEndpoints(loadRegistriesConfig(file), '127.0.0.1:5000');
  assert.equal(ep.tls.insecureSkipVerify, false);
  assert.equal(ep.httpFallback, true);
  assert.equal(ep.tls.ca, 'PEM', 'a relative path is read beside the file');
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('127.9.9.9'), true);
  assert.equal(isLoopbackHost('128.0.0.1'), false);
  assert.equal(isLoopbackHost('::1'), true);
  assert.equal(isLoopbackHost('[::2]:80'), false);
});

test('configs give an endpoint its credentials: username/password, auth, identitytoken; docker.io\'s apply to its API host', () => {
  const config = parseRegistriesConfig(`
mirrors:
  docker.io:
    endpoint: ["https://mirror.example.com"]
configs:
  mirror.example.com:
    auth:
      auth: ${Buffer.from('alice:s3:cret').toString('base64')}
  docker.io:
    auth:
      username: bob
      password: pw
  ghcr.io:
    auth:
      identitytoken: refresh-me
    tls:
      insecure_skip_verify: true
`);
  const [mirror, hub] = registryEndpoints(config, 'docker.io');
  assert.deepEqual(mirror.auth, { username: 'alice', password: 's3:cret', identityToken: undefined });
  assert.deepEqual(hub.auth, { username: 'bob', password: 'pw', identityToken: undefined });
  const [ghcr] = registryEndpoints(config, 'ghcr.io');
  assert.equal(ghcr.auth?.identityToken, 'refresh-me');
  assert.equal(ghcr.tls.insecureSkipVerify, true);
});

test('a missing or empty file is an empty configuration', () => {
  assert.deepEqual(loadRegistriesConfig(path.join(tmpDir(), 'registries.yaml')), emptyRegistriesConfig);
  assert.deepEqual(parseRegistriesConfig(''), emptyRegistriesConfig);
});

test('a malformed file is refused with the field named', () => {
  const dir = tmpDir();
  const cases: Array<[string, RegExp]> = [
    ['mirrors: [1', /registries\.yaml: invalid YAML/],
    ['- a\n- b\n', /registries\.yaml: must be a mapping/],
    ['mirror:\n  docker.io: {}\n', /unknown field "mirror" \(expected mirrors, configs\)/],
    ['mirrors:\n  docker.io:\n    endpoint: "https://m"\n', /mirrors\."docker\.io"\.endpoint: must be a list of URLs/],
    ['mirrors:\n  docker.io:\n    endpoint: ["ftp://m"]\n', /mirrors\."docker\.io"\.endpoint: "ftp:\/\/m" is not an http\(s\) URL/],
    ['mirrors:\n  docker.io:\n    endpoints: ["https://m"]\n', /mirrors\."docker\.io": unknown field "endpoints"/],
    ['mirrors:\n  docker.io:\n    endpoint: ["https://m"]\n    rewrite:\n      "(": "x"\n', /mirrors\."docker\.io"\.rewrite: invalid pattern "\("/],
    ['configs:\n  r.example.com:\n    tls:\n      ca_file: /nonexistent/ca.crt\n', /configs\."r\.example\.com"\.tls\.ca_file: cannot read \/nonexistent\/ca\.crt: ENOENT/],
    ['configs:\n  r.example.com:\n    tls:\n      insecure_skip_verify: "yes"\n', /insecure_skip_verify: must be true or false/],
    ['configs:\n  r.example.com:\n    auth:\n      auth: bm9jb2xvbg==\n', /auth\.auth: unable to parse auth field/],
    ['configs:\n  r.example.com:\n    auth:\n      user: x\n', /configs\."r\.example\.com"\.auth: unknown field "user"/],
  ];
  for (const [text, want] of cases) {
    const file = path.join(dir, 'registries.yaml');
    fs.writeFileSync(file, text);
    assert.throws(() => loadRegistriesConfig(file), (e: unknown) => e instanceof RegistriesConfigError && want.test(e.message) && e.message.startsWith(file), text);
  }
  fs.writeFileSync(path.join(dir, 'c.pem'), 'CERT');
  assert.throws(() => parseRegistriesConfig('configs:\n  r:\n    tls:\n      cert_file: c.pem\n', path.join(dir, 'r.yaml')), /cert_file and key_file go together/);
});
