import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RotatingFile } from './logger.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-log-'));

test('a log file rotates at its size bound and keeps only the newest files', (t) => {
  const dir = tmp();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'daemon.log');
  const log = new RotatingFile(file, 1000, 3);
  const line = (i: number) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(88)}\n`; // 100 bytes
  for (let i = 0; i < 100; i++) log.write(line(i));
  log.close();
  assert.deepEqual(fs.readdirSync(dir).sort(), ['daemon.log', 'daemon.log.1', 'daemon.log.2', 'daemon.log.3']);
  for (const f of fs.readdirSync(dir)) assert.ok(fs.statSync(path.join(dir, f)).size <= 1000, f);
  // The newest lines are in the file itself, the ones before in .1, .2, .3; nothing older.
  const content = ['daemon.log.3', 'daemon.log.2', 'daemon.log.1', 'daemon.log'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
  assert.equal(content, Array.from({ length: 40 }, (_, i) => line(60 + i)).join(''));
});

test('a reopened log file continues from its size (a restarted daemon appends, then rotates)', (t) => {
  const dir = tmp();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'node-1.log');
  fs.writeFileSync(file, 'a'.repeat(950));
  const log = new RotatingFile(file, 1000, 2);
  log.write('b'.repeat(100));
  log.close();
  assert.equal(fs.readFileSync(`${file}.1`, 'utf8'), 'a'.repeat(950));
  assert.equal(fs.readFileSync(file, 'utf8'), 'b'.repeat(100));
});

test('KANZEN_LOG_FILE sends a process\'s logger lines to the rotating file', (t) => {
  const dir = tmp();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'agent.log');
  const loggerJs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'logger.js');
  const script = `import { createLogger } from ${JSON.stringify(loggerJs)}; const l = createLogger('node-1'); for (let i = 0; i < 50; i++) l.info('hello', { i });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, KANZEN_LOG_FILE: file, KANZEN_LOG_MAX_BYTES: '1000', KANZEN_LOG_KEEP: '2' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['agent.log', 'agent.log.1', 'agent.log.2']);
  assert.match(fs.readFileSync(file, 'utf8'), /INFO  \[node-1\] hello i=49\n$/);
});
