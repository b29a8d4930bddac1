// Restart safety on real pods: kill -9 of a node agent or of the daemon loses no object,
// and the pods answer through their Service again afterwards. Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, parseTable, runningPods, startCluster, type PodRow, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
/** The client version does not matter here: run in the first pass only. */
const skip = !isRoot ? 'needs root for network namespaces' : (process.env.KANZEN_E2E_PASS ?? '0') !== '0';
let c: TestCluster;
let clusterIP = '';

before(async () => {
  if (skip) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  await c.k(['create', 'deployment', 'nginx', '--image=nginx:1.26-alpine', '--replicas=3']);
  await c.k(['expose', 'deployment', 'nginx', '--port=80']);
  await c.k(['run', 'client', '--image=curlimages/curl:latest', '--restart=Never', '--', 'sleep', '3600']);
  await running(4);
  clusterIP = JSON.parse(await c.k(['get', 'svc', 'nginx', '-o', 'json'])).spec.clusterIP;
});

after(() => {
  c?.down(true);
});

const running = (n: number): Promise<PodRow[]> => runningPods(c, undefined, n, 60_000);

async function serviceAnswers(): Promise<void> {
  await eventually(async () => /Welcome to nginx!/.test(await c.k(['exec', 'client', '--', 'curl', '-s', '-m', '3', `http://${clusterIP}`])), 60_000);
}

describe('restart safety', { skip }, () => {
  test('kill -9 of a node agent: it is restarted and re-adopts its pods (same names, IPs, no restarts)', async () => {
    const before = await running(4);
    const pidFile = path.join(c.home, 'nodes', 'node-1', 'agent.pid');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    await eventually(async () => Number(fs.readFileSync(pidFile, 'utf8')) !== pid);
    const after = await running(4);
    assert.deepEqual(
      after.map((r) => [r.NAME, r.IP, r.RESTARTS]),
      before.map((r) => [r.NAME, r.IP, r.RESTARTS]),
    );
    await serviceAnswers();
  });

  test('kill -9 of the daemon, then up: every object is there and the pods answer again', async () => {
    const names = parseTable(await c.k(['get', 'all', '-o', 'wide'])).length;
    const pid = Number(fs.readFileSync(path.join(c.home, 'daemon.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const r = c.up();
    assert.equal(r.code, 0, r.stderr);
    await running(4);
    assert.equal(parseTable(await c.k(['get', 'all', '-o', 'wide'])).length, names);
    await serviceAnswers();
  });
});
