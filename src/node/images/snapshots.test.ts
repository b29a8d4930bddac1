import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageStore } from './image-store.js';
import { loadImageArchive } from './image-archive.js';
import { ensureSnapshots, snapshotDir } from './snapshots.js';
import { buildLayeredImage, canBuildImages, describeTree } from '../../testing/oci-test-images.js';

const skip = canBuildImages() ? false : 'needs root, umoci and busybox-static';

/** The layered test image, built with umoci and loaded into a fresh store. */
async function layeredImageInStore(t: TestContext) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-snap-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const layout = path.join(dir, 'oci');
  buildLayeredImage(layout, 'layered');
  const store = new ImageStore(path.join(dir, 'store'));
  const [rec] = await loadImageArchive(store, layout);
  return { dir, layout, store, rec };
}

test('the overlay of the snapshots is exactly what umoci unpacks', { skip }, async (t) => {
  const { dir, layout, store, rec } = await layeredImageInStore(t);
  assert.equal(rec.layers.length, 4);
  const lowers = await ensureSnapshots(store, rec);
  assert.equal(lowers.length, 4);
  assert.ok(lowers.every((l) => l.startsWith(store.snapshotsDir) && path.basename(path.dirname(l)).length === 12), 'short snapshot names');
  // Unpacked once: a second call finds every layer in place.
  assert.deepEqual(await ensureSnapshots(store, rec), lowers);

  const merged = path.join(dir, 'merged');
  fs.mkdirSync(merged);
  execFileSync('umoci', ['unpack', '--image', `${layout}:layered`, path.join(dir, 'bundle')]);
  const want = describeTree(path.join(dir, 'bundle', 'rootfs'));
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${lowers.join(':')}`, merged]);
  let got: string[];
  try {
    got = describeTree(merged);
  } finally {
    execFileSync('umount', [merged]);
  }
  assert.deepEqual(got, want);
  // What the comparison covers, spelled out.
  const has = (line: RegExp) => assert.ok(got.some((l) => line.test(l)), `${line} in\n${got.join('\n')}`);
  has(/^d file \S+ 644 0:0$/);
  has(/^file2dir\/inside file/);
  has(/^opq\/new\/n file/);
  has(/^opq2\/fresh file/);
  has(/^usr\/bin\/suid file \S+ 4755 1000:1000$/);
  has(/^nested dir 710 7:8$/);
  has(/^nested\/deep\/after file \S+ 640 3:4$/);
  has(/^abs-link link \/etc\/stays/);
  for (const gone of [/^opq\/keep/, /^opq\/old/, /^opq2\/old/, /^gone /, /^etc\/deleteme/, /^d\/sub/]) assert.ok(!got.some((l) => gone.test(l)), `${gone} is gone`);
});

test('a snapshot directory name grows only on a clash of short IDs', () => {
  const store = new ImageStore(fs.mkdtempSync(path.join(os.tmpdir(), 'kz-snap-')));
  const a = `sha256:${'ab'.repeat(32)}`;
  const b = `sha256:${'ab'.repeat(6)}${'cd'.repeat(26)}`;
  const da = snapshotDir(store, a);
  assert.equal(path.basename(da), 'ab'.repeat(6));
  fs.mkdirSync(da, { recursive: true });
  fs.writeFileSync(path.join(da, 'chainid'), `${a}\n`);
  assert.equal(snapshotDir(store, a), da);
  assert.equal(path.basename(snapshotDir(store, b)), `${'ab'.repeat(6)}cdcd`);
});

test('processes racing to unpack the same image both end with the same whole snapshots', { skip }, async (t) => {
  const { dir, layout, store, rec } = await layeredImageInStore(t);
  const mod = new URL('./snapshots.js', import.meta.url).href;
  const storeMod = new URL('./image-store.js', import.meta.url).href;
  const child = `import { ensureSnapshots } from '${mod}'; import { ImageStore } from '${storeMod}';
    const s = new ImageStore(${JSON.stringify(store.root)});
    process.stdout.write(JSON.stringify(await ensureSnapshots(s, s.getImage(${JSON.stringify(rec.name)}))));`;
  const other = new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
  });
  const [mine, theirs, again] = await Promise.all([ensureSnapshots(store, rec), other, ensureSnapshots(store, rec)]);
  assert.deepEqual(JSON.parse(theirs), mine);
  assert.deepEqual(again, mine);
  assert.deepEqual(fs.readdirSync(store.snapshotsDir).filter((n) => n.startsWith('.')), [], 'no half-unpacked directory left');
  for (const d of mine) assert.ok(fs.existsSync(path.join(path.dirname(d), 'chainid')));
});

test('forty layers of a store in a usual home fit one overlay mount option page with room to spare', () => {
  const store = ImageStore.forHome('/root/.kanzen/kanzen');
  const lowers = Array.from({ length: 40 }, (_, i) => path.join(snapshotDir(store, `sha256:${i.toString(16).padStart(2, '0').repeat(32)}`), 'fs'));
  const upper = '/root/.kanzen/kanzen/nodes/kanzen-worker/pods/0123456789abcdef0123456789abcdef/containers/app';
  const options = `lowerdir=${lowers.join(':')},upperdir=${upper}/upper,workdir=${upper}/work`;
  assert.ok(options.length < 4096 - 512, `${options.length} bytes`);
});
