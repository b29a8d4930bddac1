// The official Python client's exec on a real pod: it sends stdout=True/stderr=True, which
// the API server must read as true (Convert_Slice_string_To_bool), not refuse with 400.
// Checks output and the status channel, not how promptly the socket closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runningPods, startCluster, type TestCluster } from './harness.js';

const pythonDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'e2e', 'python');
const python = '/usr/bin/python3';
const hasPythonClient = spawnSync(python, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;
const skip = (!isRoot && 'needs root for network namespaces') || (!hasPythonClient && 'python3-kubernetes not installed');

let c: TestCluster;

before(async () => {
  if (skip) return;
  c = await startCluster({ extraArgs: ['--runtime', 'netns'] });
});

after(() => {
  c?.down(true);
});

test('exec with the Python client (stdout=True) runs the command and reports Success', { skip }, async () => {
  await c.k(['run', 'py-exec', '--image=busybox', '--labels=app=py-exec', '--', 'sleep', '3600']);
  await runningPods(c, 'app=py-exec', 1, 90_000);
  const r = spawnSync(python, [path.join(pythonDir, 'exec_pod.py'), c.kubeconfig, 'default', 'py-exec', 'echo', 'hello from exec'], { encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { out: string; status: string | null };
  assert.equal(result.out, 'hello from exec\n');
  assert.equal(JSON.parse(result.status ?? '{}').status, 'Success');
});
