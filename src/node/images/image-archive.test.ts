import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DigestMismatchError, ImageStore } from './image-store.js';
import { loadImageArchive } from './image-archive.js';
import { MediaType } from './oci.js';
import { buildLayeredImage, canBuildImages, haveSkopeo, makeTar } from '../../testing/oci-test-images.js';
import { buildBusyboxImage } from '../../testing/test-images.js';

const skip = canBuildImages() && haveSkopeo() ? false : 'needs root, umoci, skopeo and busybox-static';

function skopeo(...args: string[]): void {
  execFileSync('skopeo', ['--insecure-policy', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Two images in one docker-save archive and in one OCI archive, as skopeo writes them. */
function archives(dir: string) {
  const layout = path.join(dir, 'oci');
  buildBusyboxImage(layout, { tag: 'bb', cmd: ['sh'] });
  buildLayeredImage(layout, 'layered');
  const docker = path.join(dir, 'docker.tar');
  skopeo('copy', `oci:${layout}:bb`, `docker-archive:${docker}:myapp:dev`);
  const ociArchive = path.join(dir, 'oci.tar');
  skopeo('copy', `oci:${layout}:layered`, `oci-archive:${ociArchive}:example.com/team/layered:1.0`);
  return { layout, docker, ociArchive };
}

test('docker save and OCI archives load from a file and from a stream, named as ctr import names them, idempotently', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-archive-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { docker, ociArchive } = archives(dir);
  const store = new ImageStore(path.join(dir, 'store'));

  const [app] = await loadImageArchive(store, docker);
  assert.equal(app.name, 'docker.io/library/myapp:dev');
  assert.equal(app.source, 'load');
  assert.equal(app.manifest.mediaType, MediaType.dockerManifest);
  assert.equal(app.target.digest, app.manifest.digest);
  const m = store.manifestOf(app);
  // The schema 2 manifest containerd's importer writes: uncompressed docker layers, docker config.
  assert.deepEqual(Object.keys(m), ['schemaVersion', 'mediaType', 'config', 'layers']);
  assert.equal(m.config.mediaType, MediaType.dockerConfig);
  assert.deepEqual(m.layers.map((l) => l.mediaType), ['application/vnd.docker.image.rootfs.diff.tar']);
  assert.deepEqual(app.diffIDs, m.layers.map((l) => l.digest), 'an uncompressed layer is its own diffID');
  assert.deepEqual(store.configOf(app).config?.Cmd, ['sh']);

  const [layered] = await loadImageArchive(store, fs.createReadStream(ociArchive));
  assert.equal(layered.name, 'example.com/team/layered:1.0');
  assert.equal(layered.manifest.mediaType, MediaType.ociManifest);
  assert.equal(layered.layers.length, 4);
  for (const l of layered.layers) assert.ok(store.hasBlob(l.digest));

  // Again, through a child's stdout (as `docker save x | kanzen image load -`): the same records.
  const cat = spawn('cat', [docker], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [again] = await loadImageArchive(store, cat.stdout);
  assert.deepEqual({ ...again, createdAt: '' }, { ...app, createdAt: '' });
  const [again2] = await loadImageArchive(store, ociArchive);
  assert.deepEqual({ ...again2, createdAt: '' }, { ...layered, createdAt: '' });
  assert.deepEqual(store.listImages().map((r) => r.name), ['docker.io/library/myapp:dev', 'example.com/team/layered:1.0']);
  assert.deepEqual(fs.readdirSync(store.ingestDir), [], 'nothing left half-written');
});

test('an OCI layout directory loads; an image named only by a tag gets ctr --digests\' name', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-archive-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const layout = path.join(dir, 'oci');
  buildBusyboxImage(layout, { tag: 'latest', cmd: ['sh'] });
  const store = new ImageStore(path.join(dir, 'store'));
  const [rec] = await loadImageArchive(store, layout);
  assert.match(rec.name, /^docker\.io\/library\/import-\d{4}-\d{2}-\d{2}@sha256:[0-9a-f]{64}$/);
  assert.ok(rec.name.endsWith(rec.target.digest));
});

test('a Docker 25+ archive (an OCI layout with manifest.json and layer symlinks) loads by its OCI index', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-archive-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { sha256Digest } = await import('./oci.js');
  const layer = makeTar([{ type: 'file', name: 'hello', mode: 0o644, uid: 0, gid: 0, mtime: '0', data: 'hi\n' }]);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] }, rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] } }));
  const hex = (b: Buffer) => sha256Digest(b).slice(7);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, digest: sha256Digest(config), size: config.length }, layers: [{ mediaType: MediaType.ociLayer, digest: sha256Digest(layer), size: layer.length }] }),
  );
  const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: sha256Digest(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': 'docker.io/library/hello:v1', 'org.opencontainers.image.ref.name': 'v1' } }] };
  const f = (name: string, data: Buffer | string) => ({ type: 'file' as const, name, mode: 0o644, uid: 0, gid: 0, mtime: '0', data });
  const archive = makeTar([
    f(`blobs/sha256/${hex(layer)}`, layer),
    f(`blobs/sha256/${hex(config)}`, config),
    f(`blobs/sha256/${hex(manifest)}`, manifest),
    { type: 'symlink', name: `${hex(layer)}/layer.tar`, linkname: `../blobs/sha256/${hex(layer)}`, mode: 0o777, uid: 0, gid: 0, mtime: '0' },
    f('index.json', JSON.stringify(index)),
    f('manifest.json', JSON.stringify([{ Config: `blobs/sha256/${hex(config)}`, RepoTags: ['hello:v1'], Layers: [`${hex(layer)}/layer.tar`] }])),
    f('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
  ]);
  fs.writeFileSync(path.join(dir, 'd25.tar'), archive);
  const store = new ImageStore(path.join(dir, 'store'));
  const [rec] = await loadImageArchive(store, path.join(dir, 'd25.tar'));
  assert.equal(rec.name, 'docker.io/library/hello:v1');
  assert.equal(rec.manifest.digest, sha256Digest(manifest));
  // A blob whose bytes do not match its name is refused.
  const bad = makeTar([f(`blobs/sha256/${hex(manifest)}`, 'not the manifest'), f('index.json', JSON.stringify(index)), f('oci-layout', '{"imageLayoutVersion":"1.0.0"}')]);
  await assert.rejects(loadImageArchive(new ImageStore(path.join(dir, 'store2')), (await import('node:stream')).Readable.from([bad])), DigestMismatchError);
});
