import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { LayerUnpackError, unpackLayer } from './layer-unpack.js';
import { MediaType, sha256Digest } from './oci.js';
import { makeTar, type TarSpec } from '../../testing/oci-test-images.js';

const skip = process.getuid?.() === 0 ? false : 'needs root';
const now = String(Math.floor(Date.now() / 1000));
const f = (name: string, data = '', extra: Partial<TarSpec> = {}): TarSpec => ({ type: 'file', name, mode: 0o644, uid: 0, gid: 0, mtime: now, data, ...extra });

async function unpack(entries: TarSpec[], opts: { gzip?: boolean; parents?: string[] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-layer-'));
  const tar = makeTar(entries);
  const blob = path.join(dir, 'blob');
  fs.writeFileSync(blob, opts.gzip ? zlib.gzipSync(tar) : tar);
  const dest = path.join(dir, 'fs');
  fs.mkdirSync(dest);
  const result = await unpackLayer({ blobPath: blob, mediaType: opts.gzip ? MediaType.ociLayerGzip : MediaType.ociLayer, diffID: sha256Digest(tar), dest, parents: opts.parents });
  return { dir, dest, result };
}

test('names climbing out of the layer stay inside it', { skip }, async () => {
  const outside = path.join(os.tmpdir(), `kz-escape-${process.pid}`);
  const { dir, dest } = await unpack([f('../../../../../../../tmp/kz-escape-x', 'up'), f(`/${outside.slice(1)}`, 'absolute'), f('./a/../../b', 'dotdot')]);
  assert.equal(fs.existsSync('/tmp/kz-escape-x'), false);
  assert.equal(fs.existsSync(outside), false);
  assert.equal(fs.readFileSync(path.join(dest, 'tmp/kz-escape-x'), 'utf8'), 'up');
  assert.equal(fs.readFileSync(path.join(dest, outside), 'utf8'), 'absolute');
  assert.equal(fs.readFileSync(path.join(dest, 'b'), 'utf8'), 'dotdot');
  fs.rmSync(dir, { recursive: true });
});

test('a symlink the layer made is never written through: the path resolves inside the layer', { skip }, async () => {
  const victim = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-victim-'));
  const { dir, dest, result } = await unpack([
    { type: 'symlink', name: 'evil', linkname: victim, mode: 0o777, uid: 0, gid: 0, mtime: now },
    f('evil/pwned', 'through the link'),
    { type: 'symlink', name: 'up', linkname: '../../../../..', mode: 0o777, uid: 0, gid: 0, mtime: now },
    f(`up${victim}/pwned2`, 'through a relative link'),
    { type: 'hardlink', name: 'hl', linkname: `up${victim}/pwned2`, mode: 0o644, uid: 0, gid: 0, mtime: now },
  ]);
  assert.deepEqual(fs.readdirSync(victim), [], 'nothing written outside');
  assert.equal(fs.readlinkSync(path.join(dest, 'evil')), victim, 'the symlink itself is kept');
  assert.equal(fs.readFileSync(path.join(dest, victim, 'pwned'), 'utf8'), 'through the link');
  assert.equal(fs.readFileSync(path.join(dest, victim, 'pwned2'), 'utf8'), 'through a relative link');
  assert.equal(fs.statSync(path.join(dest, 'hl')).ino, fs.statSync(path.join(dest, victim, 'pwned2')).ino);
  assert.equal(result.entries > 0, true);
  fs.rmSync(dir, { recursive: true });
  fs.rmSync(victim, { recursive: true });
});

test('device nodes are left out except whiteouts; foreign xattrs are dropped, capabilities kept', { skip }, async () => {
  // security.capability v2 granting cap_net_bind_service (bit 10), effective.
  const cap = Buffer.from([0x01, 0, 0, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const { dir, dest, result } = await unpack(
    [
      { type: 'block', name: 'dev/sda', mode: 0o660, uid: 0, gid: 6, mtime: now, devmajor: 8, devminor: 0 },
      { type: 'char', name: 'dev/mem', mode: 0o640, uid: 0, gid: 0, mtime: now, devmajor: 1, devminor: 1 },
      { type: 'char', name: 'wh', mode: 0, uid: 0, gid: 0, mtime: now, devmajor: 0, devminor: 0 },
      { type: 'fifo', name: 'pipe', mode: 0o600, uid: 0, gid: 0, mtime: now },
      f('bin/ping', 'elf', { mode: 0o755, xattrs: new Map([['security.capability', cap], ['trusted.overlay.redirect', Buffer.from('/etc')], ['user.note', Buffer.from('kept')]]) }),
      f('usr/bin/passwd', 'suid', { mode: 0o4755, uid: 0, gid: 0 }),
      f('home/u/file', 'owned', { uid: 1234, gid: 5678, mode: 0o600, mtime: '1600000000.5' }),
    ],
    { gzip: true },
  );
  assert.equal(fs.existsSync(path.join(dest, 'dev/sda')), false);
  assert.equal(fs.existsSync(path.join(dest, 'dev/mem')), false);
  assert.ok(result.skipped.some((s) => s.includes('/dev/sda')) && result.skipped.some((s) => s.includes('trusted.overlay.redirect')));
  const wh = fs.lstatSync(path.join(dest, 'wh'));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
  assert.ok(fs.lstatSync(path.join(dest, 'pipe')).isFIFO());
  const xattrs = execFileSync('getfattr', ['-d', '-m', '-', '-e', 'hex', path.join(dest, 'bin/ping')], { encoding: 'utf8' });
  assert.match(xattrs, /security\.capability=0x0100000200040000/);
  assert.match(xattrs, /user\.note=0x6b657074/);
  assert.doesNotMatch(xattrs, /trusted/);
  assert.equal(fs.statSync(path.join(dest, 'usr/bin/passwd')).mode & 0o7777, 0o4755);
  const owned = fs.statSync(path.join(dest, 'home/u/file'));
  assert.deepEqual([owned.uid, owned.gid, owned.mode & 0o7777, owned.mtimeMs], [1234, 5678, 0o600, 1600000000500]);
  fs.rmSync(dir, { recursive: true });
});

test('whiteouts become overlayfs device nodes and opaque markers an xattr, also when the layer recreates what it whites out', { skip }, async () => {
  const { dir, dest } = await unpack([
    f('a/.wh.b'),
    f('.wh..wh..opq'),
    { type: 'dir', name: 'c/', mode: 0o750, uid: 2, gid: 3, mtime: now },
    f('c/x', 'x'),
    f('c/.wh..wh..opq'),
    f('.wh.e'),
    { type: 'dir', name: 'e/', mode: 0o755, uid: 0, gid: 0, mtime: now },
    f('e/y', 'y'),
    f('file'),
    f('file/.wh.below'),
  ]);
  const opaque = (p: string) => execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', path.join(dest, p)], { encoding: 'utf8' });
  assert.ok(fs.lstatSync(path.join(dest, 'a/b')).isCharacterDevice());
  assert.equal(opaque('c'), 'y');
  assert.equal(opaque('e'), 'y', 'a directory recreated after its whiteout hides the lower one');
  assert.equal(opaque(''), 'y', 'the root can be opaque');
  assert.equal(fs.statSync(path.join(dest, 'c')).mode & 0o7777, 0o750);
  assert.equal(fs.readFileSync(path.join(dest, 'e/y'), 'utf8'), 'y');
  assert.ok(fs.statSync(path.join(dest, 'file')).isFile(), 'a whiteout below a file the layer made is moot');
  fs.rmSync(dir, { recursive: true });
});

test('a layer whose bytes do not match its diffID is refused', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-layer-'));
  const blob = path.join(dir, 'blob');
  fs.writeFileSync(blob, makeTar([f('x', 'x')]));
  fs.mkdirSync(path.join(dir, 'fs'));
  await assert.rejects(unpackLayer({ blobPath: blob, mediaType: MediaType.ociLayer, diffID: sha256Digest('other'), dest: path.join(dir, 'fs') }), LayerUnpackError);
  fs.writeFileSync(blob, makeTar([f('x', 'x')]).subarray(0, 600));
  await assert.rejects(unpackLayer({ blobPath: blob, mediaType: MediaType.ociLayer, diffID: sha256Digest('other'), dest: path.join(dir, 'fs') }), /unexpected end|diffID/);
  fs.rmSync(dir, { recursive: true });
});

test('zstd layers unpack too', { skip: skip || (execFileSyncOk('zstd') ? false : 'needs zstd') }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-layer-'));
  const tar = makeTar([f('z', 'zstd!')]);
  fs.writeFileSync(path.join(dir, 'layer.tar'), tar);
  execFileSync('zstd', ['-q', path.join(dir, 'layer.tar'), '-o', path.join(dir, 'blob')]);
  fs.mkdirSync(path.join(dir, 'fs'));
  await unpackLayer({ blobPath: path.join(dir, 'blob'), mediaType: MediaType.ociLayerZstd, diffID: sha256Digest(tar), dest: path.join(dir, 'fs') });
  assert.equal(fs.readFileSync(path.join(dir, 'fs/z'), 'utf8'), 'zstd!');
  fs.rmSync(dir, { recursive: true });
});

function execFileSyncOk(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('GNU and pax long names, and names that are not UTF-8, come through byte for byte', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-layer-'));
  const src = path.join(dir, 'src');
  const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
  const latin1 = Buffer.from([0x6e, 0xe9, 0x65]); // "née" in Latin-1: not valid UTF-8
  fs.mkdirSync(path.join(src, 'd'.repeat(120)), { recursive: true });
  fs.writeFileSync(path.join(src, long), 'long');
  fs.writeFileSync(Buffer.concat([Buffer.from(`${src}/`), latin1]), 'bytes');
  fs.symlinkSync(long, path.join(src, 'l'.repeat(130)));
  for (const format of ['gnu', 'posix']) {
    const blob = path.join(dir, `${format}.tar`);
    execFileSync('tar', ['--create', `--format=${format}`, `--file=${blob}`, '--directory', src, '.']);
    const dest = path.join(dir, format);
    fs.mkdirSync(dest);
    await unpackLayer({ blobPath: blob, mediaType: MediaType.ociLayer, diffID: sha256Digest(fs.readFileSync(blob)), dest });
    assert.equal(fs.readFileSync(path.join(dest, long), 'utf8'), 'long', format);
    assert.equal(fs.readFileSync(Buffer.concat([Buffer.from(`${dest}/`), latin1]), 'utf8'), 'bytes', format);
    assert.equal(fs.readlinkSync(path.join(dest, 'l'.repeat(130))), long, format);
  }
  fs.rmSync(dir, { recursive: true });
});
