import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { applyContainerLimits, cgroupSettings, containerCgroupPath, containerResourceLimits, detectCgroupMounts, milliCPUToQuota, milliCPUToShares, removeClusterCgroups, sharesToWeight } from './container-cgroup.js';

test('CPU conversions match the kubelet', () => {
  assert.equal(milliCPUToQuota(500), 50_000);
  assert.equal(milliCPUToQuota(5), 1_000);
  assert.equal(milliCPUToQuota(0), 0);
  assert.equal(milliCPUToShares(0), 2);
  assert.equal(milliCPUToShares(250), 256);
  assert.equal(milliCPUToShares(1000), 1024);
  assert.equal(sharesToWeight(1024), 39);
});

test('cgroupSettings: memory limit in bytes; a CPU limit also sets shares from requests', () => {
  assert.deepEqual(cgroupSettings({ limits: { memory: '64Mi', cpu: '500m' }, requests: { cpu: '250m' } }), [
    { controller: 'memory', v1: { 'memory.limit_in_bytes': '67108864' }, v2: { 'memory.max': '67108864' } },
    {
      controller: 'cpu',
      v1: { 'cpu.shares': '256', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000' },
      v2: { 'cpu.weight': '10', 'cpu.max': '50000 100000' },
    },
  ]);
  assert.deepEqual(cgroupSettings(undefined), []);
  assert.deepEqual(cgroupSettings({ requests: { cpu: '1' } }), [{ controller: 'cpu', v1: { 'cpu.shares': '1024' }, v2: { 'cpu.weight': '39' } }]);
});

test('detectCgroupMounts reads v1 and v2 mounts from mountinfo', () => {
  const info = [
    '30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
    '32 25 0:28 / /nonexistent-unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');
  const m = detectCgroupMounts(info);
  assert.deepEqual(m.v1, { memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct' });
  assert.equal(m.unified?.root, '/nonexistent-unified');
  assert.equal(m.unified?.controllers.size, 0);
  // Cleanup looks in every hierarchy: runc makes groups in each (devices, freezer, …).
  assert.deepEqual(m.hierarchies, ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu,cpuacct', '/nonexistent-unified']);
});

test('containerResourceLimits: the CRI resources of a container', () => {
  assert.deepEqual(containerResourceLimits({ limits: { memory: '64Mi', cpu: '500m' } }), { memoryLimitBytes: 67108864, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000 });
  assert.deepEqual(containerResourceLimits({ requests: { cpu: '250m' } }), { cpuShares: 256 });
  assert.deepEqual(containerResourceLimits(undefined), {});
  assert.equal(containerCgroupPath('demo', 'u-1', 'web'), '/kz-demo/podu-1/web');
});

const mounts = detectCgroupMounts();
const skip = process.getuid?.() !== 0 ? 'needs root' : !mounts.unified?.controllers.has('memory') && !mounts.v1.memory ? 'no memory cgroup controller' : undefined;

describe('container cgroups (root)', { skip }, () => {
  const cluster = `kzcg${process.pid.toString(36)}`;
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  after(() => {
    child.kill('SIGKILL');
    removeClusterCgroups(cluster);
  });

  test('limits are written and the process moved; down removes the groups', async () => {
    const applied = applyContainerLimits({ cluster, podUID: 'uid-1', container: 'app', pid: child.pid!, resources: { limits: { memory: '64Mi', cpu: '500m' } }, mounts });
    assert.ok(applied.groups.length > 0, JSON.stringify(applied.skipped));
    const memGroup = applied.groups.find((g) => g.includes('memory')) ?? applied.groups[0];
    const memFile = fs.existsSync(path.join(memGroup, 'memory.limit_in_bytes')) ? 'memory.limit_in_bytes' : 'memory.max';
    assert.equal(fs.readFileSync(path.join(memGroup, memFile), 'utf8').trim(), '67108864');
    assert.match(fs.readFileSync(`/proc/${child.pid}/cgroup`, 'utf8'), new RegExp(`/kz-${cluster}/poduid-1/app$`, 'm'));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(removeClusterCgroups(cluster, mounts), []);
  });
});
