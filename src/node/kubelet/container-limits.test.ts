import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import { removeClusterCgroups } from '../container-cgroup.js';
import type { PodSandbox } from '../pod-sandbox.js';
import { cgroupMounts, ContainerLimits, oomKillCount, removePodLimits } from './container-limits.js';
import { terminatedReason } from './container-runtime.js';
import { SandboxLauncher } from './sandbox-launcher.js';

function recordingLogger(lines: string[]): Logger {
  const l: Logger = { ...silentLogger, warn: (msg, fields) => lines.push(`${msg} ${JSON.stringify(fields)}`), child: () => l };
  return l;
}

test('a controller the machine lacks is skipped and reported once', () => {
  const lines: string[] = [];
  const limits = new ContainerLimits(recordingLogger(lines), () => ({ v1: {} }));
  const c = { name: 'app', resources: { limits: { memory: '64Mi' } } };
  for (let i = 0; i < 3; i++) {
    const h = limits.apply('kzt', 'uid-1', c, process.pid);
    assert.deepEqual(h.groups, []);
    assert.equal(h.oomKilled(), false);
  }
  assert.deepEqual(lines, ['container resource limits not enforced: cgroup controller unavailable {"controller":"memory","reason":"no cgroup v2 or v1 hierarchy offers the memory controller"}']);
  // Nothing to limit, nothing to say.
  assert.deepEqual(limits.apply('kzt', 'uid-1', { name: 'app' }, process.pid).groups, []);
  assert.equal(lines.length, 1);
});

test('oomKillCount reads v1 memory.oom_control and v2 memory.events', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-oom-'));
  try {
    assert.equal(oomKillCount(dir), undefined);
    fs.writeFileSync(path.join(dir, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n');
    assert.equal(oomKillCount(dir), 3);
    fs.rmSync(path.join(dir, 'memory.oom_control'));
    fs.writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n');
    assert.equal(oomKillCount(dir), 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('terminated reason: OOMKilled wins over the exit code', () => {
  assert.equal(terminatedReason(137, true), 'OOMKilled');
  assert.equal(terminatedReason(137), 'Error');
  assert.equal(terminatedReason(0), 'Completed');
});

function missingPrerequisite(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (cgroups, mount namespaces)';
  const m = cgroupMounts();
  if (!m.v1.memory && !m.unified?.controllers.has('memory')) return 'no memory cgroup controller';
  for (const tool of ['nsenter', 'unshare', 'chroot']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

describe('the sandbox launcher puts containers in cgroups with their limits (root)', { skip: missingPrerequisite(), timeout: 60_000 }, () => {
  const cluster = `kzlim${process.pid.toString(36)}`;
  const podUID = 'aaaaaaaa-1111-4000-8000-000000000001';
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-limits-'));
  const podDir = path.join(home, 'pods', podUID);
  fs.mkdirSync(path.join(podDir, 'etc'), { recursive: true });
  for (const f of ['resolv.conf', 'hosts', 'hostname']) fs.writeFileSync(path.join(podDir, 'etc', f), '');
  const sandbox: PodSandbox = {
    cluster,
    home,
    podUID,
    podDir,
    hostNetwork: true,
    // The test's own network namespace: only the limits matter here.
    netns: 'self',
    netnsPath: '/proc/self/ns/net',
    nodeNetns: 'self',
    podIP: '127.0.0.1',
    hostname: 'limits',
    hostDomain: '',
    resolvConfPath: path.join(podDir, 'etc', 'resolv.conf'),
    hostsPath: path.join(podDir, 'etc', 'hosts'),
    hostnamePath: path.join(podDir, 'etc', 'hostname'),
    dnsWarnings: [],
  };
  const containers: Container[] = [
    { name: 'capped', image: 'busybox', resources: { limits: { memory: '64Mi', cpu: '500m' } } },
    { name: 'hog', image: 'busybox', resources: { limits: { memory: '32Mi' } } },
  ];
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'limits', namespace: 'default', uid: podUID }, spec: { containers } };
  const launcher = new SandboxLauncher({ sandbox: (uid) => (uid === podUID ? sandbox : undefined), pod: (uid) => (uid === podUID ? pod : undefined), logger: silentLogger });
  const start = (container: string, argv: string[]) =>
    launcher.start({ podUID, podName: 'limits', namespace: 'default', container, argv, env: {}, stdoutPath: path.join(podDir, `${container}.out`), stderrPath: path.join(podDir, `${container}.err`) });
  const pids: number[] = [];

  after(() => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    removeClusterCgroups(cluster);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('resources.limits become the container\'s memory limit and CPU quota', async () => {
    const proc = await start('capped', ['sleep', '30']);
    pids.push(proc.pid);
    const cg = fs.readFileSync(`/proc/${proc.pid}/cgroup`, 'utf8');
    assert.match(cg, new RegExp(`^\\d+:memory:/kz-${cluster}/pod${podUID}/capped$`, 'm'));
    const m = cgroupMounts();
    const memDir = m.v1.memory ? path.join(m.v1.memory, `kz-${cluster}`, `pod${podUID}`, 'capped') : path.join(m.unified!.root, `kz-${cluster}`, `pod${podUID}`, 'capped');
    const memFile = m.v1.memory ? 'memory.limit_in_bytes' : 'memory.max';
    assert.equal(fs.readFileSync(path.join(memDir, memFile), 'utf8').trim(), '67108864');
    if (m.v1.cpu) assert.equal(fs.readFileSync(path.join(m.v1.cpu, `kz-${cluster}`, `pod${podUID}`, 'capped', 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
    process.kill(proc.pid, 'SIGKILL');
    const exit = await proc.exited;
    assert.equal(exit.oomKilled, undefined, 'killed, not by the OOM killer');
  });

  test('a container over its memory limit is OOM-killed and reported so', async () => {
    // The shell is moved into the group before tail starts eating memory.
    const proc = await start('hog', ['sh', '-c', 'sleep 0.2; exec tail /dev/zero']);
    pids.push(proc.pid);
    const exit = await proc.exited;
    assert.equal(exit.oomKilled, true);
    assert.equal(exit.exitCode, 137);
  });

  test('the pod\'s groups are removed when it goes', async () => {
    const m = cgroupMounts();
    const podGroup = path.join(m.v1.memory ?? m.unified!.root, `kz-${cluster}`, `pod${podUID}`);
    assert.ok(fs.existsSync(podGroup));
    assert.equal(await removePodLimits(cluster, podUID), true);
    assert.equal(fs.existsSync(podGroup), false);
  });
});
