import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Container, Pod } from '../../api/types.js';
import { silentLogger } from '../../util/logger.js';
import type { StreamingProcess, StreamOptions } from '../kubelet-server/streaming-runtime.js';
import { Backoff } from '../../util/backoff.js';
import { attachContainer } from './container-attach.js';
import { HostProcessLauncher } from './container-launcher.js';
import { PodRuntime, type ImageResolver } from './container-runtime.js';
import { keeperAlive } from './container-stdin.js';
import { readContainerLogText as readLogsText } from '../kubelet-server/container-logs.js';
import { hostExec } from './kubelet.js';
import { followContainerOutput } from './output-follower.js';
import { CriRecordSplitter, RotatingLogFile } from './cri-log.js';
import { waitFor } from '../../testing/wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "node:script" runs `node -e <command[0]>`. */
const images: ImageResolver = {
  resolve() {
    return {
      image: 'docker.io/library/node:script',
      imageID: 'docker.io/library/node@sha256:0',
      process: (container: Container, env: Record<string, string>) => ({ argv: [process.execPath, '-e', container.command?.[0] ?? ''], env: { ...env, PATH: process.env.PATH ?? '' } }),
    };
  },
};

/** Echoes stdin as "got:<data>"; on EOF prints EOF and exits 7. */
const echoScript = `process.stdin.on('data', (d) => process.stdout.write('got:' + d)); process.stdin.on('end', () => { console.log('EOF'); process.exit(7); });`;

function runtime(t: { after(fn: () => Promise<void> | void): void }, container: Partial<Container>, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-attach-'))): { rt: PodRuntime; dir: string } {
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'node:script', ...container }] },
  };
  const rt = new PodRuntime(pod, {
    podDir: dir,
    launcher: new HostProcessLauncher(),
    images,
    exec: hostExec,
    environment: async () => ({}),
    event: () => undefined,
    onChange: () => undefined,
    podIP: () => '127.0.0.1',
    backoff: new Backoff(200, 800),
    imageBackoff: new Backoff(200, 800),
    logger: silentLogger,
  });
  t.after(async () => {
    await rt.stopAll(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { rt, dir };
}

async function started(rt: PodRuntime): Promise<void> {
  await rt.sync(rt.pod);
  await waitFor(() => rt.record('app')?.state.running);
}

function collect(r: Readable | null): { text(): string } {
  let s = '';
  r?.on('data', (c: Buffer) => (s += c.toString()));
  return { text: () => s };
}

const withStdin: StreamOptions = { stdin: true, stdout: true, stderr: true, tty: false };

function write(p: StreamingProcess, s: string): void {
  p.stdin!.write(Buffer.from(s));
}

test('stdin + stdinOnce: input reaches the process; closing stdin ends the session and the process reads EOF', async (t) => {
  const { rt } = runtime(t, { command: [echoScript], stdin: true, stdinOnce: true });
  await started(rt);
  const relay = rt.record('app')!.stdinRelay!;
  assert.ok(keeperAlive(relay));
  // Nobody attached: no premature EOF.
  await sleep(300);
  assert.ok(rt.isRunning('app'));
  const p = attachContainer(rt, 'app', withStdin);
  const out = collect(p.stdout);
  write(p, 'hello\n');
  await waitFor(() => out.text() === 'got:hello\n');
  p.stdin!.end();
  assert.equal(await p.exited, 0);
  const term = await waitFor(() => rt.record('app')?.state.terminated);
  assert.equal(term.exitCode, 7);
  await waitFor(() => out.text() === 'got:hello\nEOF\n');
  assert.equal(keeperAlive(relay), false);
  assert.equal(fs.existsSync(relay.fifo), false);
  // The CRI log has the same output, as before.
  assert.equal(await readLogsText(rt.logPath('app', 0)), 'got:hello\nEOF\n');
});

test('stdinOnce: the client going away also closes stdin', async (t) => {
  const { rt } = runtime(t, { command: [echoScript], stdin: true, stdinOnce: true });
  await started(rt);
  const p = attachContainer(rt, 'app', withStdin);
  write(p, 'x\n');
  await sleep(100);
  p.close();
  const term = await waitFor(() => rt.record('app')?.state.terminated);
  assert.equal(term.exitCode, 7);
  assert.equal(await readLogsText(rt.logPath('app', 0)), 'got:x\nEOF\n');
});

test('stdin without stdinOnce stays open across attach sessions; each attach sees output from its own start', async (t) => {
  const { rt } = runtime(t, { command: [echoScript], stdin: true });
  await started(rt);
  const first = attachContainer(rt, 'app', withStdin);
  const out1 = collect(first.stdout);
  write(first, 'one\n');
  await waitFor(() => out1.text() === 'got:one\n');
  first.stdin!.end();
  await sleep(300);
  assert.ok(rt.isRunning('app'), 'the container must not see EOF');
  first.close();

  const second = attachContainer(rt, 'app', withStdin);
  const watcher = attachContainer(rt, 'app', { stdin: false, stdout: true, stderr: true, tty: false });
  const out2 = collect(second.stdout);
  const out3 = collect(watcher.stdout);
  // Each attach follows the output from where it was when it attached, a position it takes
  // asynchronously: ping until both are following, then the line under test comes last.
  await waitFor(() => {
    write(second, 'ping\n');
    return out2.text().includes('got:ping\n') && out3.text().includes('got:ping\n');
  });
  // The last ping may still be in flight and reach the script in the same read as "two"
  // ("got:ping\ntwo\n"), so only the end of the output is checked.
  write(second, 'two\n');
  await waitFor(() => out2.text().endsWith('two\n') && out3.text().endsWith('two\n'));
  assert.ok(!out2.text().includes('got:one'), 'an attach sees only output from its own start');
  assert.equal(out1.text(), 'got:one\n');
  second.close();
  watcher.close();
  assert.ok(rt.isRunning('app'));
});

test('a container without stdin gets /dev/null and no relay; attach input is ignored', async (t) => {
  const { rt } = runtime(t, { command: [echoScript] });
  await started(rt).catch(() => undefined);
  const term = await waitFor(() => rt.record('app')?.state.terminated);
  assert.equal(term.exitCode, 7);
  assert.equal(rt.record('app')?.stdinRelay, undefined);
});

test('tty: the process runs on a terminal with TERM=xterm; output is the pty stream; resize reaches it', async (t) => {
  const script = [
    `process.stdout.write(['tty', process.stdin.isTTY === true, process.stdout.isTTY === true, process.env.TERM].join(' ') + '\\n');`,
    `process.stdout.on('resize', () => process.stdout.write('size ' + process.stdout.columns + ' ' + process.stdout.rows + '\\n'));`,
    `process.stdin.setRawMode(false); process.stdin.on('data', (d) => { if (String(d).includes('quit')) process.exit(5); });`,
  ].join(' ');
  const { rt } = runtime(t, { command: [script], stdin: true, stdinOnce: true, tty: true });
  await started(rt);
  await waitFor(() => fs.existsSync(rt.logPath('app', 0)) && fs.readFileSync(rt.logPath('app', 0), 'utf8').includes('tty true true xterm'));
  const p = attachContainer(rt, 'app', { stdin: true, stdout: true, stderr: false, tty: true });
  assert.equal(p.stderr, null);
  const out = collect(p.stdout);
  p.resize!({ width: 100, height: 40 });
  await waitFor(() => out.text().includes('size 100 40'));
  write(p, 'abc\n');
  // The terminal echoes what is typed (canonical mode), with CRLF.
  await waitFor(() => out.text().includes('abc\r\n'));
  write(p, 'quit\n');
  const term = await waitFor(() => rt.record('app')?.state.terminated);
  assert.equal(term.exitCode, 5);
  assert.equal(await p.exited, 0);
});

test('a restarted kubelet re-adopts the relay: stdin still works; a stdinOnce session that was open is closed', async (t) => {
  const { rt, dir } = runtime(t, { command: [echoScript], stdin: true });
  await started(rt);
  const relay = rt.record('app')!.stdinRelay!;
  rt.detach();
  const { rt: rt2 } = runtime(t, { command: [echoScript], stdin: true }, dir);
  assert.equal(rt2.restore(), 1);
  assert.ok(keeperAlive(relay));
  const p = attachContainer(rt2, 'app', withStdin);
  const out = collect(p.stdout);
  write(p, 'again\n');
  await waitFor(() => out.text() === 'got:again\n');
  p.close();

  const { rt: once, dir: dir2 } = runtime(t, { command: [echoScript], stdin: true, stdinOnce: true });
  await started(once);
  const s = attachContainer(once, 'app', withStdin);
  write(s, 'half\n');
  // The line has gone through the relay and the container before the kubelet dies (no fixed sleep: a loaded machine is slow).
  await waitFor(async () => (await readLogsText(once.logPath('app', 0))) === 'got:half\n');
  // The kubelet dies mid-session: its writer goes with it (simulated), the session is remembered.
  (s.stdin as unknown as { destroy(): void }).destroy();
  once.detach();
  const { rt: once2 } = runtime(t, { command: [echoScript], stdin: true, stdinOnce: true }, dir2);
  once2.restore();
  const term = await waitFor(() => once2.record('app')?.state.terminated ?? (!once2.isRunning('app') && once2.record('app')));
  assert.ok(term);
  // The closed session's EOF reaches the container, whose last line reaches the log.
  await waitFor(async () => (await readLogsText(once2.logPath('app', 0))) === 'got:half\nEOF\n', 8000, 'the EOF line in the log');
});

test('followContainerOutput: from the current end, partial records at once, split by stream, the rest read at done', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-follow-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, '0.log');
  const log = new RotatingLogFile(file);
  const out = new CriRecordSplitter('stdout');
  const err = new CriRecordSplitter('stderr');
  log.write(out.push(Buffer.from('before\n')));
  let done!: () => void;
  const f = followContainerOutput(file, { from: 'end', done: new Promise<void>((res) => (done = res)), streams: { stdout: true, stderr: true } });
  const o = collect(f.stdout!);
  const e = collect(f.stderr!);
  await sleep(100);
  log.write(out.push(Buffer.from('prompt $ ')));
  log.write(out.takeRest(false));
  await waitFor(() => o.text() === 'prompt $ ');
  log.write(err.push(Buffer.from('oops\n')));
  log.write(out.push(Buffer.from('last')));
  log.write(out.takeRest(true));
  done();
  await f.finished;
  log.close();
  assert.equal(o.text(), 'prompt $ last\n');
  assert.equal(e.text(), 'oops\n');
  // The held output of a first attach: from the beginning.
  const all = followContainerOutput(file, { from: 'start', done: Promise.resolve(), streams: { stdout: true, stderr: false } });
  const a = collect(all.stdout!);
  await all.finished;
  assert.equal(a.text(), 'before\nprompt $ last\n');
});
