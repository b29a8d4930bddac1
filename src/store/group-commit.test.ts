import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from './group-commit.js';

/**
 * A GroupCommit over a log the test controls: syncs start when the test runs the scheduled
 * start (tick) and complete when it says so (finishSync).
 */
function controlled() {
  const synced: string[][] = [];
  const acknowledged: string[][] = [];
  let appended: string[] = [];
  let startPending: (() => void) | undefined;
  let inFlight: { covers: string[]; resolve(): void; reject(e: Error): void } | undefined;
  const gc = new GroupCommit<string>(
    () =>
      new Promise<void>((resolve, reject) => {
        // A sync covers what was appended before it began.
        inFlight = { covers: appended, resolve, reject };
        appended = [];
      }),
    (items) => acknowledged.push([...items]),
    (run) => (startPending = run),
  );
  const append = (item: string) => {
    appended.push(item);
    return gc.add(item);
  };
  const tick = () => {
    const run = startPending;
    startPending = undefined;
    run?.();
  };
  const finishSync = async (err?: Error) => {
    const s = inFlight!;
    inFlight = undefined;
    if (err) s.reject(err);
    else {
      synced.push(s.covers);
      s.resolve();
    }
    // Let the acknowledgements run.
    await new Promise((r) => setImmediate(r));
  };
  return { gc, append, tick, finishSync, synced, acknowledged, syncing: () => inFlight !== undefined };
}

test('writes of one turn share one sync and are acknowledged, in order, only after it', async () => {
  const c = controlled();
  const acked: string[] = [];
  const writes = ['a', 'b', 'c'].map((k) => c.append(k).then(() => acked.push(k)));
  assert.equal(c.syncing(), false, 'the sync waits for the end of the turn');
  c.tick();
  assert.equal(c.syncing(), true);
  await Promise.resolve();
  assert.deepEqual(acked, [], 'nothing is acknowledged before its sync completes');
  await c.finishSync();
  await Promise.all(writes);
  assert.deepEqual(c.synced, [['a', 'b', 'c']]);
  assert.deepEqual(c.acknowledged, [['a', 'b', 'c']]);
  assert.deepEqual(acked, ['a', 'b', 'c']);
});

test('writes added while a sync runs wait for the next one, which covers them all', async () => {
  const c = controlled();
  const first = c.append('a');
  c.tick();
  const later = [c.append('b'), c.append('c')];
  let laterDone = false;
  void Promise.all(later).then(() => (laterDone = true));
  await c.finishSync();
  await first;
  assert.equal(laterDone, false, 'b and c were appended after the first sync began');
  c.tick();
  assert.equal(c.syncing(), true);
  await c.finishSync();
  await Promise.all(later);
  assert.deepEqual(c.synced, [['a'], ['b', 'c']]);
  assert.deepEqual(c.acknowledged, [['a'], ['b', 'c']]);
});

test('a failed sync fails its writes, the waiting ones and every later one', async () => {
  const c = controlled();
  const a = c.append('a');
  c.tick();
  const b = c.append('b');
  const failures = [assert.rejects(a, /EIO/), assert.rejects(b, /EIO/)];
  await c.finishSync(new Error('EIO'));
  await Promise.all(failures);
  await assert.rejects(c.gc.add('c'), /EIO/);
  assert.match(String(c.gc.failed), /EIO/);
  assert.deepEqual(c.acknowledged, []);
});

test('drain resolves once everything added is acknowledged', async () => {
  const c = controlled();
  await c.gc.drain();
  const a = c.append('a');
  let drained = false;
  const d = c.gc.drain().then(() => (drained = true));
  c.tick();
  await Promise.resolve();
  assert.equal(drained, false);
  await c.finishSync();
  await Promise.all([a, d]);
  assert.equal(drained, true);
});

test('the default schedule starts the sync after the current turn of the event loop', async () => {
  const synced: number[] = [];
  let appended = 0;
  const gc = new GroupCommit<string>(
    async () => {
      synced.push(appended);
    },
    () => undefined,
  );
  const writes = ['a', 'b'].map((k) => {
    appended++;
    return gc.add(k);
  });
  await new Promise((r) => process.nextTick(r));
  assert.deepEqual(synced, []);
  await Promise.all(writes);
  assert.deepEqual(synced, [2]);
});
