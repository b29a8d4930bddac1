import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyCommandArgs, expand, isImageError, mappingFuncFor, resolveImage, type ResolvedImage } from './image-catalog.js';
import { programPath } from '../images/builtin-images.js';

function ok(image: string, catalog?: string): ResolvedImage {
  const r = resolveImage(image, { userCatalogPath: catalog });
  if (isImageError(r)) assert.fail(`${image}: ${r.message}`);
  return r;
}

const nginxMain = programPath('images/nginx/main.js');

test('nginx resolves under any registry prefix, tag or digest', () => {
  const table: Array<[string, string]> = [
    ['nginx', '1.31.4'],
    ['nginx:1.26-alpine', '1.26.3'],
    ['nginx:1.27-alpine', '1.27.5'],
    ['docker.io/library/nginx:1.25', '1.25.5'],
    ['index.docker.io/library/nginx:stable', '1.30.4'],
    ['mirror.gcr.io/library/nginx:1.26', '1.26.3'],
    ['public.ecr.aws/nginx/nginx:1.27', '1.27.5'],
    [`nginx@sha256:${'a'.repeat(64)}`, '1.31.4'],
    [`nginx:1.26-alpine@sha256:${'b'.repeat(64)}`, '1.26.3'],
  ];
  for (const [image, version] of table) {
    const r = ok(image);
    assert.equal(r.kind, 'builtin', image);
    assert.deepEqual(r.entrypoint, [process.execPath, nginxMain], image);
    assert.deepEqual(r.cmd, ['nginx', '-g', 'daemon off;']);
    assert.equal(r.env.NGINX_VERSION, version, image);
    assert.equal(r.stopSignal, 'SIGQUIT');
    assert.ok(r.writablePaths.includes('/usr/share/nginx/html'));
    assert.equal(r.seedPath, '/usr/share/nginx/html');
  }
  const r = ok('nginx:1.26-alpine');
  assert.equal(r.image, 'docker.io/library/nginx:1.26-alpine');
  assert.match(r.imageID, /^sha256:[0-9a-f]{64}$/);
  assert.equal(r.imageID, ok('docker.io/library/nginx:1.26-alpine').imageID, 'stable per normalized name');
  assert.equal(r.imageRef, `docker.io/library/nginx@${r.imageID}`);
  const pinned = ok(`nginx@sha256:${'a'.repeat(64)}`);
  assert.equal(pinned.imageID, `sha256:${'a'.repeat(64)}`);
});

test('nginx seed writes the default pages of that version', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-seed-'));
  try {
    ok('nginx:1.26-alpine').seed?.(dir);
    assert.equal(fs.statSync(path.join(dir, 'index.html')).size, 615);
    assert.equal(fs.statSync(path.join(dir, '50x.html')).size, 497);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('agnhost, pause, http-echo and coredns resolve to built-in programs', () => {
  const agn = ok('registry.k8s.io/e2e-test-images/agnhost:2.53');
  assert.deepEqual(agn.entrypoint, [process.execPath, programPath('images/agnhost/main.js')]);
  assert.deepEqual(agn.cmd, ['pause']);
  assert.equal(ok('k8s.gcr.io/e2e-test-images/agnhost:2.39').kind, 'builtin');

  for (const p of ['registry.k8s.io/pause:3.10', 'k8s.gcr.io/pause:3.9', 'gcr.io/google_containers/pause-amd64:3.1']) {
    assert.deepEqual(ok(p).entrypoint, [process.execPath, programPath('images/pause/main.js')], p);
  }
  const echo = ok('hashicorp/http-echo');
  assert.deepEqual(echo.entrypoint, [process.execPath, programPath('images/http-echo/main.js')]);
  assert.equal(echo.env.ECHO_TEXT, 'hello-world');

  const dns = ok('registry.k8s.io/coredns/coredns:v1.11.3');
  assert.deepEqual(dns.entrypoint, [process.execPath, programPath('dns/main.js')]);
  assert.deepEqual(dns.cmd, ['-conf', '/etc/coredns/Corefile']);
});

test('shell images carry their own roots: busybox applets, plus curl or BIND tools', () => {
  assert.deepEqual(ok('busybox:1.36').rootfs, { name: 'busybox', applets: 'bin' });
  assert.deepEqual(ok('alpine').rootfs, { name: 'alpine', applets: 'full' });
  assert.deepEqual(ok('curlimages/curl:8.5.0').rootfs?.programs?.map((p) => p.path), ['/usr/bin/curl']);
  for (const ref of ['registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3', 'gcr.io/kubernetes-e2e-test-images/jessie-dnsutils:1.0']) {
    const dnsutils = ok(ref);
    assert.deepEqual(dnsutils.cmd, ['bash']);
    assert.deepEqual(dnsutils.rootfs?.programs?.map((p) => p.at ?? p.path), ['/usr/bin/dig', '/usr/bin/nslookup', '/usr/bin/host', '/bin/bash', '/bin/sh', '/usr/bin/env']);
  }
  // debian and ubuntu: a shell of the machine's programs in a root of their own, never the host's.
  assert.deepEqual(ok('debian:bookworm').rootfs?.programs?.map((p) => p.at ?? p.path), ['/bin/bash', '/bin/sh', '/usr/bin/env']);
  assert.equal(ok('ubuntu:24.04').rootfs?.name, 'ubuntu');
});

test('shell images run with their images\' default CMD', () => {
  assert.deepEqual(ok('busybox').cmd, ['sh']);
  assert.deepEqual(ok('busybox:1.36').entrypoint, []);
  assert.deepEqual(ok('alpine:3.20').cmd, ['/bin/sh']);
  assert.deepEqual(ok('debian:bookworm').cmd, ['bash']);
  assert.deepEqual(ok('ubuntu:24.04').cmd, ['/bin/bash']);
  const curl = ok('curlimages/curl:latest');
  assert.equal(curl.kind, 'host-shell');
  assert.deepEqual(curl.cmd, ['curl']);
  assert.equal(curl.entrypoint[0], '/bin/sh');
});

test('unknown and invalid references fail like a pull', () => {
  const miss = resolveImage('my-backend-api:v1', { userCatalogPath: '/nonexistent/images.yaml' });
  assert.deepEqual(miss, {
    reason: 'ErrImagePull',
    message: 'image "my-backend-api:v1" is not in kanzen\'s image catalog: map it to a local command in /nonexistent/images.yaml (see docs/images.md)',
  });
  const noCatalog = resolveImage('foo:v1', {});
  assert.ok(isImageError(noCatalog));
  assert.equal(noCatalog.message, 'image "foo:v1" is not in kanzen\'s image catalog: map it to a local command in <home>/images.yaml (see docs/images.md)');
  assert.deepEqual(resolveImage('Nginx:1.26', {}), {
    reason: 'InvalidImageName',
    message: 'Failed to apply default image tag "Nginx:1.26": couldn\'t parse image name "Nginx:1.26": invalid reference format: repository name (library/Nginx) must be lowercase',
  });
  assert.equal((resolveImage('nginx:bad tag', {}) as { reason: string }).reason, 'InvalidImageName');
  // Look-alikes are not the built-in image.
  assert.ok(isImageError(resolveImage('example.com/agnhost-like/nginx-exporter:1', {})));
});

test('the user catalog maps references (exact, glob, tagless) to local commands', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-catalog-'));
  const file = path.join(dir, 'images.yaml');
  try {
    fs.writeFileSync(
      file,
      [
        'images:',
        '  - image: my-backend-api:v1',
        '    command: [node, /srv/backend/server.js]',
        '    args: ["--port", "8080"]',
        '    workingDir: /srv/backend',
        '    env: {PORT: 8080, MODE: api}',
        '  - image: "my-frontend-*:*"',
        '    command: [python3, -m, http.server]',
        '  - image: registry.example.com/team/worker',
        '    command: [/usr/local/bin/worker]',
        '  - image: nginx:1.26-alpine',
        '    command: [/usr/sbin/nginx]',
      ].join('\n'),
    );
    const be = ok('my-backend-api:v1', file);
    assert.equal(be.kind, 'user');
    assert.deepEqual(be.entrypoint, ['node', '/srv/backend/server.js']);
    assert.deepEqual(be.cmd, ['--port', '8080']);
    assert.equal(be.workingDir, '/srv/backend');
    assert.equal(be.env.PORT, '8080');
    assert.equal(ok('docker.io/library/my-backend-api:v1', file).kind, 'user');
    assert.ok(isImageError(resolveImage('my-backend-api:v2', { userCatalogPath: file })));
    assert.deepEqual(ok('my-frontend-web:v1', file).entrypoint, ['python3', '-m', 'http.server']);
    assert.equal(ok('registry.example.com/team/worker:2024', file).kind, 'user');
    assert.equal(ok(`registry.example.com/team/worker@sha256:${'c'.repeat(64)}`, file).kind, 'user');
    // User entries win over built-ins, for exactly what they name.
    assert.equal(ok('nginx:1.26-alpine', file).kind, 'user');
    assert.equal(ok('nginx:1.27-alpine', file).kind, 'builtin');

    fs.writeFileSync(file, 'images:\n  app:v1:\n    command: /bin/app\n');
    assert.deepEqual(ok('app:v1', file).entrypoint, ['/bin/app']);

    fs.writeFileSync(file, 'images:\n  - image: x\n    args: [a]\n');
    const bad = resolveImage('x', { userCatalogPath: file });
    assert.ok(isImageError(bad));
    assert.equal(bad.message, `invalid image catalog ${file}: images["x"].command: required`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('command replaces ENTRYPOINT and drops CMD; args alone replace CMD', () => {
  const nginx = ok('nginx:1.26-alpine');
  const main = [process.execPath, nginxMain];
  const run = (c: { command?: string[]; args?: string[] }) => {
    const p = applyCommandArgs(nginx, { ...c });
    if ('reason' in p) assert.fail(p.message);
    return p.argv;
  };
  assert.deepEqual(run({}), [...main, 'nginx', '-g', 'daemon off;']);
  assert.deepEqual(run({ args: ['sh', '-c', 'echo hi'] }), [...main, 'sh', '-c', 'echo hi']);
  assert.deepEqual(run({ command: ['sh', '-c', 'echo hi'] }), ['sh', '-c', 'echo hi']);
  assert.deepEqual(run({ command: ['/bin/echo'], args: ['a', 'b'] }), ['/bin/echo', 'a', 'b']);
  // In-image programs named in `command` run as the built-in that plays them.
  assert.deepEqual(run({ command: ['nginx', '-g', 'daemon off;'] }), [...main, 'nginx', '-g', 'daemon off;']);
  const agn = ok('registry.k8s.io/e2e-test-images/agnhost:2.53');
  const p = applyCommandArgs(agn, { command: ['/agnhost', 'netexec', '--http-port=8080'] });
  assert.deepEqual('argv' in p && p.argv, [process.execPath, programPath('images/agnhost/main.js'), 'netexec', '--http-port=8080']);
  const q = applyCommandArgs(agn, { args: ['serve-hostname'] });
  assert.deepEqual('argv' in q && q.argv, [process.execPath, programPath('images/agnhost/main.js'), 'serve-hostname']);
  // curlimages/curl: `kubectl run --image=curlimages/curl -- sh` runs sh through its entrypoint.
  const curl = ok('curlimages/curl');
  const c = applyCommandArgs(curl, { args: ['sh'] });
  assert.deepEqual('argv' in c && c.argv.slice(-1), ['sh']);
  assert.equal('argv' in c && c.argv[0], '/bin/sh');
  // busybox has no ENTRYPOINT; a user image with none and no CMD cannot start.
  const none: ResolvedImage = { ...ok('busybox'), cmd: [] };
  assert.deepEqual(applyCommandArgs(none, {}), { reason: 'CreateContainerError', message: 'failed to generate spec: no command specified' });
});

test('environment: image ENV overridden by the container; workingDir override', () => {
  const nginx = ok('nginx:1.26-alpine');
  const p = applyCommandArgs(nginx, { env: [{ name: 'NGINX_VERSION', value: 'custom' }, { name: 'A', value: '1' }], workingDir: '/work' });
  if ('reason' in p) assert.fail(p.message);
  assert.equal(p.env.NGINX_VERSION, 'custom');
  assert.equal(p.env.A, '1');
  assert.equal(p.env.PKG_RELEASE, '1');
  assert.equal(p.workingDir, '/work');
});

test('$(VAR) expansion in command and args follows expansion.Expand', () => {
  const busybox = ok('busybox');
  const p = applyCommandArgs(busybox, {
    command: ['sh', '-c', 'echo $(GREETING) $(NAME) $$(NAME) $(MISSING) $(UNCLOSED'],
    args: ['$(NAME)-x', '$$', '$', 'a$b'],
    env: [
      { name: 'NAME', value: 'world' },
      { name: 'GREETING', value: 'hello $(NAME)' },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ],
  });
  if ('reason' in p) assert.fail(p.message);
  assert.deepEqual(p.argv, ['sh', '-c', 'echo hello world world $(NAME) $(MISSING) $(UNCLOSED', 'world-x', '$', '$', 'a$b']);

  const m = mappingFuncFor({ A: 'a' }, { A: 'shadowed', B: 'b' });
  assert.equal(expand('$(A)$(B)$(C)', m), 'ab$(C)');
  assert.equal(expand('$$(A)', m), '$(A)');
  assert.equal(expand('$$$(A)', m), '$a');
  assert.equal(expand('$(A', m), '$(A');
  assert.equal(expand('$', m), '$');
  assert.equal(expand('$()', m), '$()');
  // Resolved env passed in by the runtime wins over the literal values.
  const q = applyCommandArgs(busybox, { args: ['$(SVC_HOST)'] }, { SVC_HOST: '10.96.0.10' });
  assert.deepEqual('argv' in q && q.argv, ['10.96.0.10']);
});
