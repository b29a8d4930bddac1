// `kubectl run … -i/-it --rm` and `kubectl attach` against real pods (the tutorial's
// `kubectl run test-pod --image=curlimages/curl --rm -it --restart=Never -- sh`): the
// container's stdin is fed by the attach, its output streams back, the exit code of the
// container becomes kubectl's and --rm deletes the pod. Needs root (network namespaces).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, kubectlBin, kubectlOnTty, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
/** The -it case needs WebSocket attach (kubectl ≥ 1.30 by default) only through the client under test; 1.33 is pinned for it. */
const kubectl133 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
let c: TestCluster;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
});

after(() => {
  c?.down(true);
});

async function podGone(name: string): Promise<boolean> {
  const r = await c.kubectl(['get', 'pod', name, '--ignore-not-found', '-o', 'name']);
  return r.code === 0 && r.stdout.trim() === '';
}

describe('kubectl run -i / -it and attach on real pods', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test(`run --rm -i feeds stdin to sh, prints its output, exits with its code and deletes the pod (${kubectlBin})`, async () => {
    const r = await c.kubectl(['run', 'interactive', '--image=busybox', '--rm', '-i', '--restart=Never', '--', 'sh'], { input: 'echo hello; exit 3\n', timeoutMs: 90_000 });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'hello\npod "interactive" deleted\n');
    assert.match(r.stderr, /^If you don't see a command prompt, try pressing enter\.\n/);
    assert.match(r.stderr, /pod default\/interactive terminated \(Error\)/);
    assert.ok(await podGone('interactive'));
  });

  test('run -i with a successful command: exit code 0, output of a pipeline reading stdin', async () => {
    const r = await c.kubectl(['run', 'wc', '--image=busybox', '--rm', '-i', '--restart=Never', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], { input: 'abc\nxyz\n', timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ABC\nXYZ\ndone\npod "wc" deleted\n');
    assert.ok(await podGone('wc'));
  });

  test('run --rm -it (kubectl 1.33 on a terminal): the shell runs on a tty, echoes, exits with its code', async () => {
    const r = await kubectlOnTty(c, kubectl133, ['run', 'tty-shell', '--image=busybox', '--rm', '-it', '--restart=Never', '--', 'sh'], 'tty; stty size; exit 4\r');
    assert.equal(r.code, 4, r.stdout);
    // The remote terminal echoes the typed line (CRLF), then the command's output on the pty.
    assert.match(r.stdout, /tty; stty size; exit 4\r\n\/dev\/pts\/\d+\r\n\d+ \d+\r\n/);
    assert.match(r.stdout, /pod "tty-shell" deleted/);
    assert.ok(await podGone('tty-shell'));
  });

  test('run -it with stdin that is not a terminal: kubectl warns and falls back to a plain stream', async () => {
    const r = await c.kubectl(['run', 'notty', '--image=busybox', '--rm', '-it', '--restart=Never', '--', 'sh'], { input: 'echo plain; exit 0\n', timeoutMs: 90_000 });
    assert.match(r.stderr, /Unable to use a TTY - input is not a terminal or the right kind of file/);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /plain\r?\n/);
    assert.ok(await podGone('notty'));
  });

  test('attach -i to a stdin container (no stdinOnce): each attach feeds the same process; stdin stays open in between', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader' },
      spec: { containers: [{ name: 'reader', image: 'busybox', command: ['sh', '-c', 'while read l; do echo "got $l"; done; echo EOF'], stdin: true }] },
    });
    await c.k(['apply', '-f', '-'], { input: manifest });
    await eventually(async () => (await c.k(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000);
    for (const word of ['one', 'two']) {
      // Without stdinOnce the session outlives the client's stdin; kubectl is stopped by its timeout.
      const r = await c.kubectl(['attach', '-i', 'reader'], { input: `${word}\n`, timeoutMs: 4000 });
      assert.match(r.stdout, new RegExp(`got ${word}`));
    }
    assert.equal(await c.k(['logs', 'reader']), 'got one\ngot two\n');
    assert.equal(await c.k(['get', 'pod', 'reader', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']), '0');
    await c.k(['delete', 'pod', 'reader', '--grace-period=1']);
  });
});
