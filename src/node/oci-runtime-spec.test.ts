import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../api/types.js';
import { capabilitiesOfMask, capabilitiesUpTo, capabilityMask, containerCapabilities, defaultCapabilities, runtimeSpec, specMounts, type RuntimeSpecOptions } from './oci-runtime-spec.js';

const all = capabilitiesUpTo(40);

function options(container: Partial<Container> = {}, extra: Partial<RuntimeSpecOptions> = {}): RuntimeSpecOptions {
  return {
    cluster: 'demo',
    podUID: 'u-1',
    container: { name: 'web', ...container },
    process: { argv: ['nginx'], env: [['PATH', '/bin'], ['HOSTNAME', 'web-0']], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [0, 10] } },
    rootfs: 'rootfs',
    hostname: 'web-0',
    netnsPath: '/run/netns/kz-demo-pod-x',
    etc: { hosts: '/p/etc/hosts', hostname: '/p/etc/hostname', resolvConf: '/p/etc/resolv.conf' },
    mounts: [],
    allCapabilities: all,
    ...extra,
  };
}

test('the default capability set is containerd\'s, CapEff 00000000a80425fb, no CAP_SYS_ADMIN', () => {
  assert.equal(capabilityMask(defaultCapabilities), '00000000a80425fb');
  assert.equal(defaultCapabilities.includes('CAP_SYS_ADMIN'), false);
  assert.equal(all.length, 41);
  assert.equal(capabilityMask(all), '000001ffffffffff');
  assert.deepEqual(capabilitiesOfMask('00000000a80425fb'), defaultCapabilities.slice().sort((a, b) => all.indexOf(a) - all.indexOf(b)));
  const spec = runtimeSpec(options());
  assert.deepEqual(spec.process.capabilities.effective, defaultCapabilities);
  assert.deepEqual(spec.process.capabilities.bounding, defaultCapabilities);
});

test('capabilities add/drop: ALL first, then single names', () => {
  assert.deepEqual(containerCapabilities({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'net_bind_service'] } }, all), ['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE']);
  assert.deepEqual(containerCapabilities({ capabilities: { add: ['ALL'], drop: ['CHOWN'] } }, all), all.filter((c) => c !== 'CAP_CHOWN'));
  assert.deepEqual(containerCapabilities({ capabilities: { drop: ['NET_RAW'] } }, all), defaultCapabilities.filter((c) => c !== 'CAP_NET_RAW'));
  assert.deepEqual(containerCapabilities({ capabilities: { drop: ['ALL'] } }, all), []);
  assert.deepEqual(containerCapabilities({ privileged: true, capabilities: { drop: ['ALL'] } }, all), all);
});

test('namespaces: the pod\'s network by path, own pid/ipc/uts/mount, pid joined by path for a debug container', () => {
  assert.deepEqual(runtimeSpec(options()).linux.namespaces, [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/kz-demo-pod-x' }]);
  assert.deepEqual(runtimeSpec(options({}, { sharePidWith: 4321, cgroupV2: true })).linux.namespaces.map((n) => n.path ?? n.type), [
    '/proc/4321/ns/pid', 'ipc', 'uts', 'mount', '/run/netns/kz-demo-pod-x', 'cgroup',
  ]);
});

test('mounts: system mounts, the pod\'s /etc files, volumes by depth; a volume replaces a default', () => {
  const spec = runtimeSpec(options({}, { mounts: [
    { hostPath: '/v/cache', containerPath: '/data/cache' },
    { hostPath: '/v/data', containerPath: '/data', readOnly: true },
    { hostPath: '/v/shm', containerPath: '/dev/shm' },
  ] }));
  assert.deepEqual(spec.mounts.map((m) => m.destination), [
    '/proc', '/dev', '/dev/pts', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/data', '/data/cache', '/dev/shm', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf',
  ]);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/data'), { destination: '/data', type: 'bind', source: '/v/data', options: ['rbind', 'rprivate', 'ro'] });
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.options, ['nosuid', 'noexec', 'nodev', 'ro']);
  assert.deepEqual(specMounts([{ hostPath: '/d', containerPath: '/dev' }], false).map((m) => m.destination), ['/proc', '/sys', '/sys/fs/cgroup', '/dev']);
  // A volume at /etc/hosts takes the place of the pod's file.
  const own = runtimeSpec(options({}, { mounts: [{ hostPath: '/mine', containerPath: '/etc/hosts' }] }));
  assert.deepEqual(own.mounts.filter((m) => m.destination === '/etc/hosts').map((m) => m.source), ['/mine']);
  // The node's root under kubectl debug node/…: an overlay, so the machine's files are never written.
  const cow = specMounts([{ hostPath: '/', containerPath: '/host', copyOnWrite: true, overlay: { upper: '/b/u', work: '/b/w' } }], false).find((m) => m.destination === '/host');
  assert.deepEqual(cow, { destination: '/host', type: 'overlay', source: 'overlay', options: ['lowerdir=/', 'upperdir=/b/u', 'workdir=/b/w'] });
});

test('readOnlyRootFilesystem: a read-only root and read-only pod files', () => {
  const spec = runtimeSpec(options({ securityContext: { readOnlyRootFilesystem: true } }));
  assert.equal(spec.root.readonly, true);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/etc/resolv.conf')?.options, ['rbind', 'rprivate', 'ro']);
  assert.equal(runtimeSpec(options()).root.readonly, false);
});

test('privileged: every capability, no masking, host devices, writable /sys', () => {
  const dev = { path: '/dev/loop0', type: 'b' as const, major: 7, minor: 0, fileMode: 0o660, uid: 0, gid: 6 };
  const spec = runtimeSpec(options({ securityContext: { privileged: true } }, { hostDevices: [dev], cgroupV2: true }));
  assert.deepEqual(spec.process.capabilities.effective, all);
  assert.deepEqual(spec.linux.maskedPaths, []);
  assert.deepEqual(spec.linux.readonlyPaths, []);
  assert.deepEqual(spec.linux.devices, [dev]);
  assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys')?.options, ['nosuid', 'noexec', 'nodev']);
  assert.equal(spec.linux.namespaces.some((n) => n.type === 'cgroup'), false);
  const plain = runtimeSpec(options({}, { hostDevices: [dev] }));
  assert.equal(plain.linux.devices, undefined);
  assert.deepEqual(plain.linux.resources.devices, [{ allow: false, access: 'rwm' }]);
  assert.ok(plain.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(plain.linux.readonlyPaths.includes('/proc/sys'));
});

test('allowPrivilegeEscalation: false → noNewPrivileges; user and env as given', () => {
  assert.equal(runtimeSpec(options({ securityContext: { allowPrivilegeEscalation: false } })).process.noNewPrivileges, true);
  const spec = runtimeSpec(options());
  assert.equal(spec.process.noNewPrivileges, false);
  assert.deepEqual(spec.process.user, { uid: 0, gid: 0, additionalGids: [0, 10] });
  assert.deepEqual(spec.process.env, ['PATH=/bin', 'HOSTNAME=web-0']);
  assert.equal(spec.process.rlimits, undefined);
  assert.deepEqual(runtimeSpec(options({}, { noFileLimit: 524288 })).process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 524288, soft: 524288 }]);
});

test('resources: memory, CPU and pids in the cgroup named after cluster, pod and container', () => {
  const spec = runtimeSpec(options({ resources: { limits: { memory: '64Mi', cpu: '500m' } } }, { swapLimit: true, pidsLimit: 100 }));
  assert.equal(spec.linux.cgroupsPath, '/kz-demo/podu-1/web');
  assert.deepEqual(spec.linux.resources.memory, { limit: 67108864, swap: 67108864 });
  assert.deepEqual(spec.linux.resources.cpu, { shares: 512, quota: 50000, period: 100000 });
  assert.deepEqual(spec.linux.resources.pids, { limit: 100 });
  const none = runtimeSpec(options());
  assert.equal(none.linux.resources.memory, undefined);
  assert.equal(none.linux.resources.cpu, undefined);
});
