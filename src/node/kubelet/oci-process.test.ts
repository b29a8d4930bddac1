import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import type { ImageConfig } from '../images/oci.js';
import { ContainerConfigError } from './container-env.js';
import { CreateContainerError } from './container-runtime.js';
import { ociProcess, readImageFile, resolveUser } from './oci-process.js';

function image(config: ImageConfig['config']): ImageConfig {
  return { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [] } };
}

const pod = (securityContext: NonNullable<Pod['spec']['securityContext']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'u-1' },
  spec: { containers: [], securityContext },
});

// Two layers: the base has passwd/group, the top layer adds a user and deletes a file.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-ociproc-'));
const base = path.join(tmp, 'base');
const top = path.join(tmp, 'top');
fs.mkdirSync(path.join(base, 'etc'), { recursive: true });
fs.mkdirSync(path.join(top, 'etc'), { recursive: true });
fs.writeFileSync(path.join(base, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
fs.writeFileSync(path.join(base, 'etc/group'), 'root:x:0:\nwheel:x:10:root\nnogroup:x:65534:\nstaff:x:50:app\n');
fs.writeFileSync(path.join(base, 'etc/motd'), 'hello\n');
fs.writeFileSync(path.join(top, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n');
const layers = [top, base];
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('command and args follow Kubernetes\' rules over Entrypoint and Cmd', () => {
  const cfg = image({ Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['nginx', '-g', 'daemon off;'] });
  const c = (x: Partial<Container>): Container => ({ name: 'c', ...x });
  assert.deepEqual(ociProcess(cfg, c({}), {}, layers).argv, ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
  assert.deepEqual(ociProcess(cfg, c({ args: ['echo', '$(GREETING)'] }), { GREETING: 'hi' }, layers).argv, ['/docker-entrypoint.sh', 'echo', 'hi']);
  assert.deepEqual(ociProcess(cfg, c({ command: ['sleep'] }), {}, layers).argv, ['sleep']);
  assert.deepEqual(ociProcess(cfg, c({ command: ['sh', '-c'], args: ['echo $(X) $$(X)'] }), { X: '1' }, layers).argv, ['sh', '-c', 'echo 1 $(X)']);
  assert.throws(
    () => ociProcess(image({}), c({}), {}, layers),
    (e: Error) => e instanceof CreateContainerError && /^failed to generate container "[0-9a-f]{64}" spec: no command specified$/.test(e.message),
  );
});

test('env, working directory and user from the image config', () => {
  const cfg = image({ Cmd: ['app'], Env: ['PATH=/usr/bin:/bin', 'MODE=image', 'KEEP=1'], WorkingDir: '/srv', User: 'app' });
  const p = ociProcess(cfg, { name: 'c', env: [{ name: 'MODE', value: 'pod' }] }, { MODE: 'pod', EXTRA: 'x' }, layers);
  assert.deepEqual(p.env, { PATH: '/usr/bin:/bin', MODE: 'pod', KEEP: '1', EXTRA: 'x' });
  assert.equal(p.workingDir, '/srv');
  // app is in the top layer's passwd (1000:1001) and a member of staff in the base's group.
  assert.deepEqual(p.user, { uid: 1000, gid: 1001, additionalGids: [50, 1001] });
  assert.equal(ociProcess(image({ Cmd: ['x'] }), { name: 'c', workingDir: '/w' }, {}, layers).workingDir, '/w');
  assert.equal(ociProcess(image({ Cmd: ['x'] }), { name: 'c' }, {}, layers).workingDir, '/');
});

test('users: uid, uid:gid, name:group, root\'s groups, unknown names', () => {
  assert.deepEqual(resolveUser('', layers), { uid: 0, gid: 0, additionalGids: [0, 10] });
  assert.deepEqual(resolveUser('4242', layers), { uid: 4242, gid: 0, additionalGids: [0] });
  assert.deepEqual(resolveUser('1000:5', layers), { uid: 1000, gid: 5, additionalGids: [5, 50] });
  assert.deepEqual(resolveUser('app:nogroup', layers, [3000, 5]), { uid: 1000, gid: 65534, additionalGids: [5, 50, 3000, 65534] });
  // nobody exists only in the base layer's passwd, which the top layer's replaces.
  assert.throws(() => resolveUser('nobody', layers), /^Error: failed to create containerd container: mount callback failed on .*: no users found$/);
  assert.throws(() => resolveUser('app:nope', layers), /no groups found$/);
});

test('runAsUser/runAsGroup, supplementalGroups and fsGroup from the pod and container', () => {
  const cfg = image({ Cmd: ['x'], User: 'app' });
  const p = pod({ runAsUser: 2000, supplementalGroups: [7], fsGroup: 9 });
  assert.deepEqual(ociProcess(cfg, { name: 'c' }, {}, layers, p).user, { uid: 2000, gid: 0, additionalGids: [0, 7, 9] });
  assert.deepEqual(ociProcess(cfg, { name: 'c', securityContext: { runAsUser: 1000, runAsGroup: 3 } }, {}, layers, p).user, { uid: 1000, gid: 3, additionalGids: [3, 7, 9, 50] });
  assert.throws(() => ociProcess(cfg, { name: 'c', securityContext: { runAsGroup: 3 } }, {}, layers), /user group "3" is specified without user/);
});

test('runAsNonRoot: the kubelet\'s errors', () => {
  const nonRoot = pod({ runAsNonRoot: true });
  const where = '(pod: "web_default(u-1)", container: c)';
  const configError = (msg: string) => (e: Error) => e instanceof ContainerConfigError && e.message === msg;
  assert.throws(() => ociProcess(image({ Cmd: ['x'] }), { name: 'c' }, {}, layers, nonRoot), configError(`container has runAsNonRoot and image will run as root ${where}`));
  assert.throws(() => ociProcess(image({ Cmd: ['x'], User: '0:0' }), { name: 'c' }, {}, layers, nonRoot), configError(`container has runAsNonRoot and image will run as root ${where}`));
  assert.throws(
    () => ociProcess(image({ Cmd: ['x'], User: 'app' }), { name: 'c' }, {}, layers, nonRoot),
    configError(`container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root ${where}`),
  );
  assert.throws(() => ociProcess(image({ Cmd: ['x'] }), { name: 'c', securityContext: { runAsUser: 0 } }, {}, layers, nonRoot), configError(`container's runAsUser breaks non-root policy ${where}`));
  assert.equal(ociProcess(image({ Cmd: ['x'], User: '1000' }), { name: 'c' }, {}, layers, nonRoot).user.uid, 1000);
  assert.equal(ociProcess(image({ Cmd: ['x'] }), { name: 'c', securityContext: { runAsUser: 5 } }, {}, layers, nonRoot).user.uid, 5);
});

test('readImageFile: top layer first, whiteouts hide, symlinks followed inside the image', { skip: process.getuid?.() !== 0 ? 'mknod needs root' : undefined }, () => {
  const wh = path.join(tmp, 'whiteout');
  fs.mkdirSync(path.join(wh, 'etc'), { recursive: true });
  // overlayfs' whiteout: a 0/0 character device.
  assert.equal(spawnSync('mknod', [path.join(wh, 'etc/motd'), 'c', '0', '0']).status, 0);
  fs.symlinkSync('../usr/lib/os-release', path.join(wh, 'etc/os-release'));
  fs.mkdirSync(path.join(base, 'usr/lib'), { recursive: true });
  fs.writeFileSync(path.join(base, 'usr/lib/os-release'), 'ID=test\n');
  assert.equal(readImageFile([top, base], '/etc/motd'), 'hello\n');
  assert.equal(readImageFile([wh, top, base], '/etc/motd'), undefined);
  assert.equal(readImageFile([wh, top, base], '/etc/os-release'), 'ID=test\n');
});
