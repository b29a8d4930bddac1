import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CriRecordSplitter, logFileSet, maxLogLineBytes, outputTimestamp, parseRawCriRecord, readLogLines, rotatedLogFiles, RotatingLogFile } from './cri-log.js';

const at = () => new Date('2024-05-06T07:08:09.123Z');

test('CriRecordSplitter makes F lines, cuts long lines into P records and turns the rest into P (quiet) or F (end)', () => {
  const w = new CriRecordSplitter('stdout', at);
  // The clock has milliseconds; criTimestamp fills the rest from the high-resolution clock.
  const text = (bs: Buffer[]) => bs.map((b) => b.toString().replace(/^2024-05-06T07:08:09\.123\d{6}Z /, 'T '));
  assert.deepEqual(text(w.push(Buffer.from('a\nb'))), ['T stdout F a\n']);
  assert.equal(w.pending, 1);
  assert.deepEqual(text(w.push(Buffer.from('c\n\n'))), ['T stdout F bc\n', 'T stdout F \n']);
  assert.deepEqual(text(w.push(Buffer.from('x'.repeat(maxLogLineBytes + 1)))), [`T stdout P ${'x'.repeat(maxLogLineBytes)}\n`]);
  assert.deepEqual(text(w.takeRest(false)), ['T stdout P x\n']);
  w.push(Buffer.from('$ '));
  assert.deepEqual(text(w.takeRest(true)), ['T stdout F $ \n']);
  assert.deepEqual(w.takeRest(true), []);
});

test('RotatingLogFile keeps at most maxFiles files of about maxSize; readLogLines reads them all in order, tail across files', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-rotate-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'c', '0.log');
  const log = new RotatingLogFile(file, { maxSize: 1000, maxFiles: 3 });
  const w = new CriRecordSplitter('stdout');
  for (let i = 0; i < 100; i++) log.write(w.push(Buffer.from(`line ${i}\n`)));
  log.close();
  const files = logFileSet(file);
  assert.equal(files.length, 3);
  for (const f of files) assert.ok(fs.statSync(f).size <= 1100, `${f} ${fs.statSync(f).size}`);
  const lines: string[] = [];
  for await (const batch of readLogLines(file, { from: 'start', follow: false })) lines.push(...batch.map((b) => parseRawCriRecord(b)!.content.toString()));
  // The oldest records went with the removed files; what is kept is contiguous up to the last.
  assert.equal(lines.at(-1), 'line 99');
  const first = Number(lines[0].split(' ')[1]);
  assert.deepEqual(lines, Array.from({ length: 100 - first }, (_, i) => `line ${first + i}`));
  assert.ok(first > 0 && first < 80, String(first));
  const tail: string[] = [];
  const n = 100 - first - 2;
  for await (const batch of readLogLines(file, { from: { tailLines: n }, follow: false })) tail.push(...batch.map((b) => parseRawCriRecord(b)!.content.toString()));
  assert.deepEqual(tail, lines.slice(-n));
});

test('readLogLines follows the current file through a rotation until done', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-follow-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, '0.log');
  const log = new RotatingLogFile(file, { maxSize: 200, maxFiles: 5 });
  const w = new CriRecordSplitter('stderr');
  let done!: () => void;
  const got: string[] = [];
  const reading = (async () => {
    for await (const batch of readLogLines(file, { from: 'end', follow: true, done: new Promise<void>((r) => (done = r)), pollMs: 20 })) got.push(...batch.map((b) => parseRawCriRecord(b)!.content.toString()));
  })();
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 20; i++) {
    log.write(w.push(Buffer.from(`n${i}\n`)));
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(rotatedLogFiles(file).length >= 2);
  done();
  await reading;
  log.close();
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => `n${i}`));
});

test('parseRawCriRecord reads containerd lines, including an empty F line without the space', () => {
  assert.deepEqual(parseRawCriRecord(Buffer.from('2016-10-06T00:17:09.669794202Z stderr F log content 1')), {
    time: '2016-10-06T00:17:09.669794202Z',
    stream: 'stderr',
    partial: false,
    content: Buffer.from('log content 1'),
  });
  assert.equal(parseRawCriRecord(Buffer.from('2016-10-06T00:17:09.669794202Z stdout F'))?.content.length, 0);
  assert.equal(parseRawCriRecord(Buffer.from('2016-10-06T00:17:09.669794202Z stdout P part'))?.partial, true);
  assert.equal(parseRawCriRecord(Buffer.from('not a log line')), undefined);
  assert.equal(parseRawCriRecord(Buffer.from('t stdout Fx')), undefined);
});

test('outputTimestamp pads to nine digits in UTC (kubelet timeFormatOut)', () => {
  assert.equal(outputTimestamp('2016-10-06T00:17:09.6697Z'), '2016-10-06T00:17:09.669700000Z');
  assert.equal(outputTimestamp('2016-10-06T00:17:09Z'), '2016-10-06T00:17:09.000000000Z');
  assert.equal(outputTimestamp('2016-10-06T02:17:09.5+02:00'), '2016-10-06T00:17:09.500000000Z');
});
