import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CriLogWriter, maxLogLineBytes, outputTimestamp, parseCriLogLine } from './cri-log.js';

const at = () => new Date('2024-05-06T07:08:09.123Z');

test('CriLogWriter writes F lines, cuts long lines into P entries and flushes the rest as P', () => {
  const out: string[] = [];
  const w = new CriLogWriter('stdout', (l) => out.push(l), at);
  w.push('a\nb');
  w.push('c\n\n');
  w.push('x'.repeat(maxLogLineBytes + 1));
  w.flush();
  assert.deepEqual(out, [
    '2024-05-06T07:08:09.123000000Z stdout F a\n',
    '2024-05-06T07:08:09.123000000Z stdout F bc\n',
    '2024-05-06T07:08:09.123000000Z stdout F \n',
    `2024-05-06T07:08:09.123000000Z stdout P ${'x'.repeat(maxLogLineBytes)}\n`,
    '2024-05-06T07:08:09.123000000Z stdout P x\n',
  ]);
});

test('parseCriLogLine reads containerd lines, including an empty F line without the space', () => {
  assert.deepEqual(parseCriLogLine('2016-10-06T00:17:09.669794202Z stderr F log content 1'), {
    time: '2016-10-06T00:17:09.669794202Z',
    stream: 'stderr',
    partial: false,
    text: 'log content 1',
  });
  assert.equal(parseCriLogLine('2016-10-06T00:17:09.669794202Z stdout F')?.text, '');
  assert.equal(parseCriLogLine('not a log line'), undefined);
});

test('outputTimestamp pads to nine digits in UTC (kubelet timeFormatOut)', () => {
  assert.equal(outputTimestamp('2016-10-06T00:17:09.6697Z'), '2016-10-06T00:17:09.669700000Z');
  assert.equal(outputTimestamp('2016-10-06T00:17:09Z'), '2016-10-06T00:17:09.000000000Z');
  assert.equal(outputTimestamp('2016-10-06T02:17:09.5+02:00'), '2016-10-06T00:17:09.500000000Z');
});
