// Images for the image store's tests, made here with Debian's umoci (no registry, no Docker):
// OCI layouts whose layers are real umoci output, plus hand-made layer tars for what umoci
// never writes (docker-style opaque markers, hostile names).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildBusyboxImage } from './test-images.js';
import { BUSYBOX_PATH } from '../images/shell-rootfs.js';
import { headerBlocks, END_OF_ARCHIVE, roundUp, type HeaderFields } from '../node/images/tar-format.js';


/** umoci and busybox-static are here and we are root: the tests that build images can run. */
export function canBuildImages(): boolean {
  return process.getuid?.() === 0 && spawnSync('umoci', ['--version']).status === 0 && fs.existsSync(BUSYBOX_PATH);
}

export function haveSkopeo(): boolean {
  return spawnSync('skopeo', ['--version']).status === 0;
}

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A three-layer image at <layout>:<tag> whose upper layers delete files, replace a directory
 * by a file and a file by a directory, delete and recreate a directory (umoci's way: a
 * whiteout per old child), make a docker-style opaque directory, and add below directories
 * they do not list.
 */
export function buildLayeredImage(layout: string, tag: string): void {
  buildBusyboxImage(layout, { tag, cmd: ['sh'] });
  const bundle = `${layout}.bundle-${tag}`;
  run('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle]);
  const r = (p: string) => path.join(bundle, 'rootfs', p);
  const write = (p: string, s: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(r(p)), { recursive: true });
    fs.writeFileSync(r(p), s);
    fs.chmodSync(r(p), mode);
  };
  write('d/sub/a', 'in d\n');
  write('file2dir', 'a file first\n');
  write('opq/old/o', 'old\n');
  write('opq/keep', 'keep?\n');
  write('opq2/old', 'hidden by an opaque marker\n');
  write('opq2/also', 'hidden too\n');
  write('etc/deleteme', 'bye\n');
  write('etc/stays', 'stays\n');
  write('gone', 'whited out by hand\n');
  write('usr/bin/suid', '#!/bin/sh\n', 0o4755);
  fs.chownSync(r('usr/bin/suid'), 1000, 1000);
  fs.chmodSync(r('usr/bin/suid'), 0o4755);
  fs.linkSync(r('etc/stays'), r('etc/hardlink'));
  fs.symlinkSync('/etc/stays', r('abs-link'));
  fs.mkdirSync(r('nested/deep'), { recursive: true });
  fs.chmodSync(r('nested'), 0o710);
  fs.chownSync(r('nested'), 7, 8);
  write('nested/deep/before', 'before\n');
  fs.mkdirSync(r('private'), { mode: 0o700 });
  fs.chownSync(r('private'), 5, 5);
  run('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
  fs.rmSync(bundle, { recursive: true, force: true });

  run('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle]);
  fs.rmSync(r('d'), { recursive: true });
  write('d', 'd is a file now\n');
  fs.rmSync(r('file2dir'));
  write('file2dir/inside', 'a directory now\n');
  fs.rmSync(r('opq'), { recursive: true });
  write('opq/new/n', 'new\n');
  fs.rmSync(r('etc/deleteme'));
  write('private/secret', 'in a 0700 dir\n', 0o600);
  run('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
  fs.rmSync(bundle, { recursive: true, force: true });

  // Docker's way, which umoci never writes: an opaque marker, a whiteout, and files under
  // directories the layer does not list (they keep the lower layer's mode and owner).
  const now = String(Math.floor(Date.now() / 1000));
  const layer = path.join(path.dirname(layout), `${tag}-layer3.tar`);
  fs.writeFileSync(
    layer,
    makeTar([
      { type: 'file', name: 'opq2/.wh..wh..opq', mode: 0o644, uid: 0, gid: 0, mtime: now, data: '' },
      { type: 'file', name: 'opq2/fresh', mode: 0o644, uid: 0, gid: 0, mtime: now, data: 'fresh\n' },
      { type: 'file', name: '.wh.gone', mode: 0o644, uid: 0, gid: 0, mtime: now, data: '' },
      { type: 'file', name: 'nested/deep/after', mode: 0o640, uid: 3, gid: 4, mtime: now, data: 'after\n' },
    ]),
  );
  run('umoci', ['raw', 'add-layer', '--image', `${layout}:${tag}`, layer]);
}

export interface TarSpec extends HeaderFields {
  data?: string | Buffer;
}

/** A tar archive written member by member, exactly as given (hostile names included). */
export function makeTar(entries: TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data ?? Buffer.alloc(0);
    parts.push(headerBlocks({ ...e, size: data.length }), data, Buffer.alloc(roundUp(data.length) - data.length));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

/**
 * A tree as comparable lines: path, type, mode, owner, and the symlink target or the
 * content's hash (root's own metadata left out: containerd ignores a layer's root entry).
 */
export function describeTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const full = path.join(root, p);
      const st = fs.lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8);
      let what: string;
      if (st.isSymbolicLink()) what = `link ${fs.readlinkSync(full)}`;
      else if (st.isDirectory()) what = 'dir';
      else if (st.isFile()) what = `file ${createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16)}`;
      else what = `special ${st.mode >> 12}`;
      out.push(`${p} ${what} ${mode} ${st.uid}:${st.gid}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}
