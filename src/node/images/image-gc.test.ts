import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageStore, type ImageRecord } from './image-store.js';
import { pruneImages, removeImage } from './image-gc.js';
import { chainIDs, MediaType } from './oci.js';
import { ensureSnapshots, snapshotDir } from './snapshots.js';
import { makeTar } from '../../testing/oci-test-images.js';

const file = (name: string, data: string) => ({ type: 'file' as const, name, mode: 0o644, uid: 0, gid: 0, mtime: '0', data });

async function storeImage(store: ImageStore, name: string, layers: Buffer[]): Promise<ImageRecord> {
  const ls = [];
  for (const l of layers) ls.push({ mediaType: MediaType.ociLayer, ...(await store.writeBlob(l)) });
  const config = await store.writeBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ls.map((l) => l.digest) } })));
  const m = await store.writeBlob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, ...config }, layers: ls })));
  const desc = { mediaType: MediaType.ociManifest, ...m };
  return store.recordImage(name, desc, desc, 'load');
}

const canUnpack = process.getuid?.() === 0;

test('rm drops what only that image held; prune drops every image not in use, then everything unreferenced', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-gc-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = new ImageStore(dir);
  const base = makeTar([file('base', 'shared')]);
  const a = await storeImage(store, 'docker.io/library/a:1', [base, makeTar([file('a', 'only a')])]);
  const b = await storeImage(store, 'docker.io/library/b:1', [base, makeTar([file('b', 'only b')])]);
  if (canUnpack) {
    await ensureSnapshots(store, a);
    await ensureSnapshots(store, b);
  }
  fs.mkdirSync(store.ingestDir, { recursive: true });
  const stale = path.join(store.ingestDir, 'stale');
  const fresh = path.join(store.ingestDir, 'fresh');
  fs.writeFileSync(stale, 'x');
  fs.writeFileSync(fresh, 'y');
  fs.utimesSync(stale, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));

  assert.equal(removeImage(store, 'docker.io/library/nope:1'), undefined);
  const rm = removeImage(store, a.name)!;
  assert.deepEqual(rm.images, [a.name]);
  assert.deepEqual(new Set(rm.blobs), new Set([a.layers[1].digest, a.config.digest, a.manifest.digest]));
  assert.ok(store.hasBlob(a.layers[0].digest), 'the shared layer stays');
  if (canUnpack) {
    assert.deepEqual(rm.snapshots, [chainIDs(a.diffIDs)[1]]);
    assert.ok(fs.existsSync(snapshotDir(store, chainIDs(b.diffIDs)[0])), "the shared layer's snapshot stays");
  }
  assert.equal(fs.existsSync(stale), false, 'a stale ingest leftover goes');
  assert.equal(fs.existsSync(fresh), true, 'a write that may be in flight stays');

  assert.deepEqual(pruneImages(store, new Set([b.name])).images, [], 'in use: kept');
  const pruned = pruneImages(store, new Set());
  assert.deepEqual(pruned.images, [b.name]);
  assert.deepEqual(store.listImages(), []);
  assert.deepEqual(fs.readdirSync(store.blobsDir), []);
  assert.deepEqual(fs.existsSync(store.snapshotsDir) ? fs.readdirSync(store.snapshotsDir) : [], []);
  assert.ok(pruned.bytes > 0);
});
