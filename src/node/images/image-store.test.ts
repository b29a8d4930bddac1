import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DigestMismatchError, ImageStore } from './image-store.js';
import { chainIDs, MediaType, selectPlatformManifest, sha256Digest } from './oci.js';

function tmpStore(): ImageStore {
  return new ImageStore(fs.mkdtempSync(path.join(os.tmpdir(), 'kz-store-')));
}

test('a blob is stored under its digest only when digest and size match', async () => {
  const s = tmpStore();
  const data = Buffer.from('hello layer');
  const d = sha256Digest(data);
  await assert.rejects(s.writeBlob(Readable.from([data]), { digest: sha256Digest('other'), size: data.length }), DigestMismatchError);
  await assert.rejects(s.writeBlob(Readable.from([data]), { digest: d, size: data.length - 1 }), DigestMismatchError);
  assert.equal(s.hasBlob(d), false);
  assert.deepEqual(fs.readdirSync(s.ingestDir), [], 'a rejected blob leaves nothing behind');
  assert.deepEqual(await s.writeBlob(Readable.from([data.subarray(0, 3), data.subarray(3)]), { digest: d, size: data.length }), { digest: d, size: data.length });
  assert.equal(s.readBlob(d).toString(), 'hello layer');
});

test('an image record points only at blobs the store holds', async () => {
  const s = tmpStore();
  const layer = await s.writeBlob(Buffer.from('layer'));
  const config = await s.writeBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, ...config },
      layers: [{ mediaType: MediaType.ociLayer, ...layer }],
    }),
  );
  const manifest = { mediaType: MediaType.ociManifest, ...(await s.writeBlob(manifestBytes)) };
  const rec = s.recordImage('docker.io/library/x:1', manifest, manifest, 'load');
  assert.equal(rec.size, config.size + layer.size);
  assert.deepEqual(s.getImage('docker.io/library/x:1'), rec);
  assert.deepEqual(s.listImages().map((r) => r.name), ['docker.io/library/x:1']);
  assert.equal(s.removeImage('docker.io/library/x:1'), true);
  assert.equal(s.getImage('docker.io/library/x:1'), undefined);
});

test('platform selection and chain IDs follow containerd', () => {
  const m = (arch: string, os = 'linux') => ({ mediaType: MediaType.ociManifest, digest: sha256Digest(arch + os), size: 1, platform: { architecture: arch, os } });
  const index = { schemaVersion: 2 as const, manifests: [m('unknown', 'unknown'), m('arm64'), m('amd64')] };
  assert.equal(selectPlatformManifest(index, { os: 'linux', architecture: 'amd64' })?.platform?.architecture, 'amd64');
  assert.equal(selectPlatformManifest(index, { os: 'linux', architecture: 's390x' }), undefined);
  const [a, b] = [sha256Digest('a'), sha256Digest('b')];
  assert.deepEqual(chainIDs([a, b]), [a, sha256Digest(`${a} ${b}`)]);
});
