// Container output on real pods with the real kubectl: the tutorial's one-liner
// `kubectl run --rm -i --restart=Never --image=curlimages/curl -- -s http://<pod-ip>/` prints
// the page every time (the output a stdin+stdinOnce container writes before kubectl
// attaches is held for that attach), `kubectl logs` of a Completed pod, `--previous`,
// `logs -f` waiting for a container that has not written yet, logs going with the pod's
// deletion, and rotation (containerLogMaxSize 10Mi, containerLogMaxFiles 5) keeping the disk
// bounded. Needs root (network namespaces).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, kubectlBin, startCluster, type RunResult, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
/** The oldest client (SPDY attach) beside the one under test. */
const kubectl127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';
let c: TestCluster;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 1, extraArgs: ['--runtime', 'netns'] });
});

after(() => {
  c?.down(true);
});

/** kubectl `bin` against the cluster (stdin closed at once, as in a script). */
function kubectlWith(bin: string, args: string[], timeoutMs = 90_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, [`--kubeconfig=${c.kubeconfig}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => undefined); // kubectl may exit before reading stdin (EPIPE)
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const phase = (name: string) => c.k(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']);

/** The node's log directory of a pod (upstream /var/log/pods/<ns>_<name>_<uid>). */
async function podLogDir(name: string): Promise<string> {
  const uid = await c.k(['get', 'pod', name, '-o', 'jsonpath={.metadata.uid}']);
  return path.join(c.home, 'nodes', 'node-1', 'pod-logs', `default_${name}_${uid}`);
}

describe('container logs and output on real pods', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('run --rm -i of a command that ends at once prints all its output, every time, with SPDY and WebSocket clients', async () => {
    await c.k(['run', 'web', '--image=nginx']);
    await eventually(async () => (await phase('web')) === 'Running', 60_000);
    const ip = await c.k(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}']);
    const clients = [kubectlBin, ...(fs.existsSync(kubectl127) ? [kubectl127] : [])];
    let n = 0;
    for (const bin of clients) {
      for (let i = 0; i < 3; i++) {
        const r = await kubectlWith(bin, ['run', `curl-${n++}`, '--rm', '-i', '--restart=Never', '--image=curlimages/curl', '--', '-s', `http://${ip}/`]);
        assert.equal(r.code, 0, `${bin}: ${r.stderr}`);
        assert.match(r.stdout, /<title>Welcome to nginx!<\/title>/, `${bin} try ${i}: ${r.stdout} ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /falling back to streaming logs/);
      }
    }
    const r = await kubectlWith(kubectlBin, ['run', 'code', '--rm', '-i', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^out$/m);
    assert.match(r.stderr, /^err$/m);
    await eventually(async () => (await c.k(['get', 'pod', 'code', '--ignore-not-found', '-o', 'name'])) === '', 30_000);
  });

  test('logs of a Completed pod stay readable until it is deleted; --previous of a restarted container; -f of an ended one ends', async () => {
    await c.k(['run', 'done', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo hi; sleep 0.3; echo there >&2']);
    await eventually(async () => (await phase('done')) === 'Succeeded', 60_000);
    assert.equal(await c.k(['logs', 'done']), 'hi\nthere\n');
    assert.equal(await c.k(['logs', 'done', '--tail=1']), 'there\n');
    const f = await c.kubectl(['logs', '-f', 'done'], { timeoutMs: 15_000 });
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout, 'hi\nthere\n');
    const prev = await c.kubectl(['logs', 'done', '--previous']);
    assert.equal(prev.code, 1);
    assert.match(prev.stderr, /previous terminated container "done" in pod "done" not found/);
    const dir = await podLogDir('done');
    assert.ok(fs.existsSync(dir), dir);
    await c.k(['delete', 'pod', 'done']);
    await eventually(async () => !fs.existsSync(dir), 30_000);

    // Each run prints a different line (busybox's date has no %N; ash has $RANDOM).
    await c.k(['run', 'crash', '--image=busybox', '--', 'sh', '-c', 'echo "run at $RANDOM$RANDOM$RANDOM"; sleep 1; exit 1']);
    await eventually(async () => Number(await c.k(['get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])) >= 1, 60_000);
    const previous = await c.k(['logs', 'crash', '--previous']);
    assert.match(previous, /^run at \d+\n$/);
    await eventually(async () => {
      const current = await c.kubectl(['logs', 'crash']);
      return current.code === 0 && /^run at \d+\n$/.test(current.stdout) && current.stdout !== previous;
    }, 30_000);
    await c.k(['delete', 'pod', 'crash', '--grace-period=0', '--force']);
  });

  test('logs -f of a running container that has not written yet waits for its output', async () => {
    await c.k(['run', 'quiet', '--image=busybox', '--', 'sh', '-c', 'sleep 5; echo late; sleep 3600']);
    await eventually(async () => (await phase('quiet')) === 'Running', 60_000);
    const started = Date.now();
    const r = await c.kubectl(['logs', '-f', 'quiet'], { timeoutMs: 12_000 });
    // Killed by the timeout while still following (not ended at once with nothing).
    assert.notEqual(r.code, 0);
    assert.ok(Date.now() - started >= 11_000);
    assert.equal(r.stdout, 'late\n');
    await c.k(['delete', 'pod', 'quiet', '--grace-period=0', '--force']);
  });

  test('a container writing 60 MiB: its log is rotated at 10Mi, at most 5 files, read across them', async () => {
    const line = 'x'.repeat(99);
    await c.k(['run', 'spew', '--image=busybox', '--', 'sh', '-c', `yes ${line} | head -n 629146; echo DONE; sleep 3600`]);
    await eventually(async () => (await c.kubectl(['logs', 'spew', '--tail=1'])).stdout === 'DONE\n', 120_000, 500);
    const dir = path.join(await podLogDir('spew'), 'spew');
    const files = fs.readdirSync(dir);
    assert.ok(files.length <= 5, files.join(' '));
    assert.ok(files.includes('0.log'));
    for (const f of files) assert.match(f, /^0\.log(\.\d{8}-\d{6}(\.\d{3})?)?$/);
    const sizes = files.map((f) => fs.statSync(path.join(dir, f)).size);
    for (const s of sizes) assert.ok(s <= 10 * 1024 * 1024 + 256 * 1024, `${s}`);
    // Nothing else of the container's output is kept on disk beside its log.
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.ok(total <= 5 * (10 * 1024 * 1024 + 256 * 1024), `${total}`);
    assert.equal(await c.k(['logs', 'spew', '--tail=2']), `${line}\nDONE\n`);
    // Every record of every file, oldest first: whole lines only.
    const all = await c.kubectl(['logs', 'spew'], { timeoutMs: 60_000 });
    assert.equal(all.code, 0);
    const lines = all.stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.pop(), 'DONE');
    // Four full files at least (a record is the line and a ~40-byte header).
    assert.ok(lines.length > (4 * 10 * 1024 * 1024) / 160, String(lines.length));
    assert.ok(lines.every((l) => l === line));
    await c.k(['delete', 'pod', 'spew', '--grace-period=0', '--force']);
  });
});
