import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../api/types.js';
import { collectNodeUsage, fakeContainerUsage, readCgroupUsage } from './resource-usage.js';

function tempRoot(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-usage-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
}

const group = '/kz-c1/podu1/app';

test('cgroup v2: usage_usec and memory.current minus inactive_file', (t) => {
  const root = tempRoot(t);
  write(path.join(root, group), {
    'cpu.stat': 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n',
    'memory.current': '10485760\n',
    'memory.stat': 'anon 6291456\nfile 4194304\nactive_file 1048576\ninactive_file 3145728\n',
  });
  assert.deepEqual(readCgroupUsage({ unified: { root, controllers: new Set(['cpu', 'memory']) }, v1: {} }, group), { cpuCoreSeconds: 2.5, memoryWorkingSetBytes: 10485760 - 3145728 });
});

test('cgroup v1: cpuacct.usage in nanoseconds and usage_in_bytes minus total_inactive_file, never below 0', (t) => {
  const root = tempRoot(t);
  const cpuacct = path.join(root, 'cpu,cpuacct');
  const memory = path.join(root, 'memory');
  write(path.join(cpuacct, group), { 'cpuacct.usage': '1500000000\n' });
  write(path.join(memory, group), { 'memory.usage_in_bytes': '8192\n', 'memory.stat': 'cache 4096\ninactive_file 0\ntotal_inactive_file 12288\n' });
  const mounts = { v1: { memory, cpu: cpuacct }, hierarchies: [memory, cpuacct] };
  assert.deepEqual(readCgroupUsage(mounts, group), { cpuCoreSeconds: 1.5, memoryWorkingSetBytes: 0 });
  assert.equal(readCgroupUsage(mounts, '/kz-c1/podu1/other'), undefined);
});

const pod = (name: string, phase: 'Running' | 'Pending', running: string[], startedAt = '2025-01-01T00:00:00Z'): Pod => ({
  metadata: { name, namespace: 'ns', uid: name },
  spec: { containers: running.map((n) => ({ name: n, image: 'x' })) },
  status: { phase, containerStatuses: running.map((n) => ({ name: n, ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: { startedAt } } })) },
});

test('a node reading: running pods\' running containers; the node is their sum', () => {
  const now = new Date('2025-01-01T00:01:40Z');
  const usage = collectNodeUsage([pod('a', 'Running', ['c1', 'c2']), pod('b', 'Pending', ['c1'])], (p, c) => fakeContainerUsage(p, c, now), now);
  assert.deepEqual(usage.containers.map((c) => [c.pod, c.container]), [['a', 'c1'], ['a', 'c2']]);
  // The fake runtime's stand-in: 1 millicore for the 100 s since the start, 4 MiB.
  assert.ok(Math.abs(usage.containers[0].cpuCoreSeconds - 0.1) < 1e-9);
  assert.ok(Math.abs(usage.node.cpuCoreSeconds - 0.2) < 1e-9);
  assert.equal(usage.node.memoryWorkingSetBytes, 8 * 1024 * 1024);
});
