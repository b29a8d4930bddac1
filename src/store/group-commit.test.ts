import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from './group-commit.js';

/** A GroupCommit whose batches are committed when the test says so, recording each batch. */
function manual(fail?: (items: readonly string[]) => boolean) {
  const batches: string[][] = [];
  let pending: (() => void) | undefined;
  const gc = new GroupCommit<string>(
    (items) => {
      if (fail?.(items)) throw new Error('disk full');
      batches.push([...items]);
    },
    (run) => (pending = run),
  );
  const tick = () => {
    const run = pending;
    pending = undefined;
    run?.();
  };
  return { gc, batches, tick };
}

test('writes added before the batch is committed share one commit, in the order added', async () => {
  const { gc, batches, tick } = manual();
  const acked: string[] = [];
  const writes = ['a', 'b', 'c'].map((k) => gc.add(k, `put ${k}`).then(() => acked.push(k)));
  assert.equal(gc.size, 3);
  await Promise.resolve();
  assert.deepEqual(acked, [], 'nothing is acknowledged before its batch commits');
  tick();
  await Promise.all(writes);
  assert.deepEqual(batches, [['put a', 'put b', 'put c']]);
  assert.deepEqual(acked, ['a', 'b', 'c']);
  assert.equal(gc.size, 0);
});

test('a key is written once per batch: the caller flushes before writing it again', async () => {
  const { gc, batches } = manual();
  const first = gc.add('a', 'put a@1');
  const other = gc.add('b', 'put b');
  assert.equal(gc.busy('a'), true);
  assert.equal(gc.busy('c'), false);
  assert.throws(() => gc.add('a', 'put a@2'), /already written in this batch/);
  gc.flush();
  assert.equal(gc.busy('a'), false);
  const second = gc.add('a', 'put a@2');
  gc.flush();
  await Promise.all([first, other, second]);
  assert.deepEqual(batches, [['put a@1', 'put b'], ['put a@2']]);
});

test('a failed commit fails every write of its batch; the next batch is independent', async () => {
  const { gc, batches, tick } = manual((items) => items.includes('bad'));
  const a = gc.add('a', 'ok');
  const b = gc.add('b', 'bad');
  tick();
  await assert.rejects(a, /disk full/);
  await assert.rejects(b, /disk full/);
  const c = gc.add('a', 'ok again');
  tick();
  await c;
  assert.deepEqual(batches, [['ok again']]);
});

test('flush commits the open batch at once (closing)', async () => {
  const { gc, batches } = manual();
  const a = gc.add('a', 'put a');
  gc.flush();
  await a;
  assert.deepEqual(batches, [['put a']]);
  gc.flush();
  assert.deepEqual(batches, [['put a']], 'flushing with no open batch commits nothing');
});

test('the default schedule commits after the current turn of the event loop', async () => {
  const batches: string[][] = [];
  const gc = new GroupCommit<string>((items) => batches.push([...items]));
  const writes = [gc.add('a', 'a'), gc.add('b', 'b')];
  await new Promise((r) => process.nextTick(r));
  assert.deepEqual(batches, []);
  await Promise.all(writes);
  assert.deepEqual(batches, [['a', 'b']]);
});
