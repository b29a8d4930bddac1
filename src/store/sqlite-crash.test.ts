// Durability: a writer killed with SIGKILL at an arbitrary moment must not lose any write
// whose promise had resolved (synchronous=FULL commits are fsynced before that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from './sqlite-store.js';

const storeModule = fileURLToPath(new URL('./sqlite-store.js', import.meta.url));

// Writes creates and updates in a tight loop and prints each key once its write resolved.
const writerScript = `
import { SqliteStore } from ${JSON.stringify(storeModule)};
const store = SqliteStore.open(process.argv[2]);
let prev;
for (let i = 0; ; i++) {
  const key = '/crash/' + String(i).padStart(8, '0');
  await store.create(key, JSON.stringify({ i }));
  if (prev) await store.update(prev.key, JSON.stringify({ i, updated: true }), prev.modRevision);
  prev = await store.get(key);
  process.stdout.write(key + '\\n');
}
`;

test('sqlite store: kill -9 loses no acknowledged write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kanzen-crash-test-'));
  try {
    const script = join(dir, 'writer.mjs');
    const dbPath = join(dir, 'crash.db');
    writeFileSync(script, writerScript);
    const child = spawn(process.execPath, [script, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    // Start the clock at the first acknowledged write, so a slow start cannot make the
    // test vacuous.
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', () => reject(new Error(`writer exited early: ${err}`)));
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', err);

    // Only complete lines were acknowledged (a line cut by the kill is not).
    const acked = out.split('\n').slice(0, -1);
    assert.ok(acked.length > 0, 'the writer acknowledged no write');

    const store = SqliteStore.open(dbPath);
    try {
      const { items } = await store.list('/crash/');
      const present = new Set(items.map((kv) => kv.key));
      const missing = acked.filter((k) => !present.has(k));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes lost`);
      // Every acknowledged key but the last was also updated before the next was printed.
      const byKey = new Map(items.map((kv) => [kv.key, kv]));
      for (const key of acked.slice(0, -1)) {
        assert.match(byKey.get(key)?.value ?? '', /"updated":true/, `update of ${key} lost`);
      }
      // The revision recovered on open continues the log.
      const rev = await store.currentRevision();
      assert.ok(rev >= acked.length * 2 - 1);
      assert.equal((await store.create('/crash/after', 'x')).modRevision, rev + 1);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
