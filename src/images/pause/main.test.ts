import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../testing/wait.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

test('pause sleeps until SIGTERM and exits 0', async () => {
  const child = spawn(process.execPath, [MAIN]);
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  // The warning comes once its signal handlers are in place (no fixed sleep: a loaded machine is slow).
  await waitFor(() => err.includes('Warning: pause should be the first process\n'));
  assert.equal(child.exitCode, null);
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 0);
  assert.match(err, /Shutting down, got signal: Terminated\n$/);
});

test('pause -v prints its version', async () => {
  const child = spawn(process.execPath, [MAIN, '-v'], { env: { ...process.env, KANZEN_PAUSE_VERSION: '3.10' } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  assert.equal(await new Promise((r) => child.on('exit', r)), 0);
  assert.equal(out, 'pause.c v3.10\n');
});
