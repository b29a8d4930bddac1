// Unpacking one image layer into an empty directory in overlayfs' form, as containerd's
// overlay snapshotter applies a layer into a new snapshot's upper directory:
//   `.wh.<name>`        → a 0:0 character device at <name> (overlayfs' whiteout)
//   `.wh..wh..opq`      → trusted.overlay.opaque=y on its directory
// and every other member with its numeric owner, mode (setuid too), mtime, symlink or
// hardlink, and file capabilities (security.capability). The layer's diffID (sha256 of the
// uncompressed tar) is checked while it streams; a mismatch fails the unpack.
//
// How (and why this way): Node can neither mknod nor setxattr, and per-file process spawns
// would be slow, so the files are written by ONE GNU tar process per layer. GNU tar is fast
// (C, one pass, no helper per file), creates device nodes and xattrs, chowns before it
// chmods (setuid survives) and restores directory metadata at the end. The npm `tar`
// package could do neither whiteouts nor xattrs and writes through async fs calls.
// GNU tar never sees the layer itself, though: this module parses the layer and writes a
// NEW archive for it, header by header (tar-format.ts's canonical headers; only file data
// is passed through), in which
//   - every name is cleaned and resolved inside the layer (`..` stops at the root, `/x` is
//     `x`, a parent that is a symlink the layer made is followed within the layer, as
//     containerd's fs.RootPath does), so no name climbs out or passes through a symlink;
//   - every symlink is written LAST, after every other member and only once the diffID is
//     verified: nothing is ever extracted through one, whatever the layer does (and GNU
//     tar's own protections stay on: no -P);
//   - whiteouts and opaque markers are already overlayfs' device nodes and xattrs;
//   - device nodes other than whiteouts are left out (a layer may not hand a container
//     /dev/sda), and only user.* xattrs and security.capability are kept (trusted.overlay.*
//     would steer overlayfs);
//   - a directory the layer implies without listing it takes its mode, owner and mtime
//     from the lower layers, as containerd's mkparent does.
// GNU tar runs with a clean environment (no TAR_OPTIONS) and LC_ALL=C.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { layerCompression } from './oci.js';
import { END_OF_ARCHIVE, headerBlocks, roundUp, TarFormatError, TarParser, type HeaderFields, type TarEntry } from './tar-format.js';

export class LayerUnpackError extends Error {}

export interface UnpackLayerOptions {
  /** The layer blob as stored (compressed or not). */
  blobPath: string;
  /** The layer's media type: its compression (oci.ts layerCompression). */
  mediaType: string;
  /** The config's rootfs.diff_ids entry for this layer. */
  diffID: string;
  /** An empty directory to unpack into. */
  dest: string;
  /** The unpacked layers below this one, top first: directories the layer implies take their metadata from them. */
  parents?: string[];
}

export interface UnpackLayerResult {
  /** Members written. */
  entries: number;
  /** What was left out and why (device nodes, xattrs of other namespaces). */
  skipped: string[];
}

const OPAQUE_XATTR = 'trusted.overlay.opaque';
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
// Linux's limit on symlinks followed in one lookup (MAXSYMLINKS is 40; fs.RootPath allows 255).
const MAX_SYMLINKS = 255;

interface Meta {
  mode: number;
  uid: number;
  gid: number;
  mtime: string;
  xattrs: Map<string, Buffer>;
}

type LayerNode =
  | { kind: 'dir'; meta: Meta; opaque: boolean }
  | { kind: 'symlink'; target: string; meta: Meta }
  | { kind: 'whiteout' }
  | { kind: 'other' };

/**
 * The layer as it is being written: what each path is, so that names resolve within the
 * layer and whiteouts meet what the layer itself made. Turns parsed members into the
 * canonical archive GNU tar extracts.
 */
class OverlayLayerWriter {
  private readonly nodes = new Map<string, LayerNode>();
  /** Symlinks, written at the end in the order the layer made them. */
  private readonly symlinks = new Map<string, { target: string; meta: Meta }>();
  entries = 0;
  readonly skipped: string[] = [];
  /** Whether the current member's data goes out (a regular file) or is dropped. */
  passData = false;
  private padAfter = 0;
  private dataLeft = 0;

  constructor(
    private readonly emit: (b: Buffer) => void,
    private readonly parents: string[],
    private readonly now = String(Math.floor(Date.now() / 1000)),
  ) {}

  entry(e: TarEntry): void {
    this.passData = false;
    const comps = cleanPath(e.name);
    if (comps.length === 0) return; // the root itself: containerd ignores it too
    const base = comps[comps.length - 1];
    const parent = this.resolve(comps.slice(0, -1));
    if (base.startsWith(WHITEOUT_PREFIX)) return this.whiteout(parent, base, e);
    const p = [...parent, base].join('/');
    this.ensureDirs(parent);
    if ((e.type === 'char' || e.type === 'block') && !(e.type === 'char' && e.devmajor === 0 && e.devminor === 0)) {
      this.skipped.push(`/${p}: ${e.type} device ${e.devmajor}:${e.devminor} not created`);
      return;
    }
    const existing = this.nodes.get(p);
    if (existing?.kind === 'dir' && e.type !== 'dir') throw new LayerUnpackError(`layer replaces its own directory /${p} by a ${e.type}`);
    if (existing?.kind === 'symlink') this.symlinks.delete(p);
    const meta = this.meta(e, p);
    switch (e.type) {
      case 'dir': {
        const opaque = existing?.kind === 'whiteout' || (existing?.kind === 'dir' && existing.opaque);
        this.nodes.set(p, { kind: 'dir', meta, opaque });
        this.writeDir(p, meta, opaque);
        return;
      }
      case 'file':
        this.nodes.set(p, { kind: 'other' });
        this.write({ type: 'file', name: p, size: e.size, ...meta });
        this.passData = true;
        this.dataLeft = e.size;
        this.padAfter = roundUp(e.size) - e.size;
        if (e.size === 0) this.passData = false;
        return;
      case 'fifo':
        this.nodes.set(p, { kind: 'other' });
        this.write({ type: 'fifo', name: p, ...meta });
        return;
      case 'char':
        // Only 0:0 character devices get here: overlayfs' whiteouts, written as such.
        this.nodes.set(p, { kind: 'whiteout' });
        this.write({ type: 'char', name: p, ...meta });
        return;
      case 'symlink':
        this.setSymlink(p, e.linkname, meta);
        return;
      case 'hardlink':
        return this.hardlink(p, e, meta);
    }
  }

  data(chunk: Buffer): void {
    if (!this.passData) return;
    this.emit(chunk);
    this.dataLeft -= chunk.length;
    if (this.dataLeft === 0) {
      if (this.padAfter) this.emit(END_OF_ARCHIVE.subarray(0, this.padAfter));
      this.passData = false;
    }
  }

  /** The symlinks, then the end-of-archive marker. */
  end(): void {
    for (const [p, s] of this.symlinks) this.write({ type: 'symlink', name: p, linkname: s.target, ...s.meta });
    this.emit(END_OF_ARCHIVE);
  }

  private write(h: HeaderFields): void {
    this.entries++;
    this.emit(headerBlocks(h));
  }

  private writeDir(p: string, meta: Meta, opaque: boolean): void {
    const xattrs = opaque ? new Map([...meta.xattrs, [OPAQUE_XATTR, Buffer.from('y')]]) : meta.xattrs;
    this.write({ type: 'dir', name: p === '' ? './' : `${p}/`, ...meta, xattrs });
  }

  private setSymlink(p: string, target: string, meta: Meta): void {
    if (target === '') throw new LayerUnpackError(`symlink /${p} has an empty target`);
    this.nodes.set(p, { kind: 'symlink', target, meta });
    this.symlinks.set(p, { target, meta });
  }

  private hardlink(p: string, e: TarEntry, meta: Meta): void {
    const tcomps = cleanPath(e.linkname);
    const tpath = [...this.resolve(tcomps.slice(0, -1)), ...tcomps.slice(-1)].join('/');
    const target = this.nodes.get(tpath);
    if (!target || tpath === '') throw new LayerUnpackError(`hardlink /${p} points at /${tpath}, which this layer does not have`);
    if (target.kind === 'dir') throw new LayerUnpackError(`hardlink /${p} points at the directory /${tpath}`);
    // A hard link to a symlink is one more symlink with the same target (written last like all).
    if (target.kind === 'symlink') return this.setSymlink(p, target.target, target.meta);
    if (tpath === p) return;
    this.nodes.set(p, target.kind === 'whiteout' ? { kind: 'whiteout' } : { kind: 'other' });
    this.write({ type: 'hardlink', name: p, linkname: tpath, ...meta });
  }

  private whiteout(parent: string[], base: string, e: TarEntry): void {
    // Below something this layer made a non-directory, a whiteout has nothing to hide
    // (umoci writes such ones when a directory became a file).
    for (let i = 1; i <= parent.length; i++) {
      const n = this.nodes.get(parent.slice(0, i).join('/'));
      if (n && n.kind !== 'dir') return;
    }
    this.ensureDirs(parent);
    const dir = parent.join('/');
    if (base === OPAQUE_MARKER) {
      const node = dir === '' ? undefined : this.nodes.get(dir);
      const meta = node?.kind === 'dir' ? node.meta : this.defaultMeta();
      if (node?.kind === 'dir') node.opaque = true;
      this.writeDir(dir, meta, true);
      return;
    }
    const name = base.slice(WHITEOUT_PREFIX.length);
    // Other `.wh..wh.*` names are aufs' bookkeeping, not whiteouts.
    if (name === '' || name === '.' || name === '..' || base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return;
    const p = dir === '' ? name : `${dir}/${name}`;
    const existing = this.nodes.get(p);
    if (existing?.kind === 'dir') {
      // The layer whites out a lower <name> and has its own: it must not merge with the lower one.
      existing.opaque = true;
      this.writeDir(p, existing.meta, true);
      return;
    }
    if (existing) return; // the layer's own non-directory already hides the lower one
    this.nodes.set(p, { kind: 'whiteout' });
    this.write({ type: 'char', name: p, mode: 0, uid: 0, gid: 0, mtime: e.mtime, xattrs: new Map() });
  }

  /** Creates the directories a path needs that the layer did not list (their metadata from the lower layers). */
  private ensureDirs(comps: string[]): void {
    for (let i = 1; i <= comps.length; i++) {
      const p = comps.slice(0, i).join('/');
      const n = this.nodes.get(p);
      if (n?.kind === 'dir') continue;
      if (n && n.kind !== 'whiteout') throw new LayerUnpackError(`layer has entries below /${p}, which is not a directory`);
      // Below a whited-out name the directory replaces the lower one: opaque.
      const opaque = n?.kind === 'whiteout';
      const meta = (!opaque && lowerDirMeta(this.parents, comps.slice(0, i))) || this.defaultMeta();
      this.nodes.set(p, { kind: 'dir', meta, opaque });
      this.writeDir(p, meta, opaque);
    }
  }

  /** A directory path resolved within the layer: symlinks the layer made are followed, `..` stops at the root. */
  private resolve(comps: string[]): string[] {
    const out: string[] = [];
    const queue = [...comps];
    let hops = 0;
    while (queue.length) {
      const c = queue.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        out.pop();
        continue;
      }
      const node = this.nodes.get([...out, c].join('/'));
      if (node?.kind === 'symlink') {
        if (++hops > MAX_SYMLINKS) throw new LayerUnpackError(`too many levels of symbolic links resolving /${comps.join('/')}`);
        if (node.target.startsWith('/')) out.length = 0;
        queue.unshift(...node.target.split('/'));
        continue;
      }
      out.push(c);
    }
    return out;
  }

  private meta(e: TarEntry, p: string): Meta {
    const xattrs = new Map<string, Buffer>();
    for (const [k, v] of e.xattrs) {
      if (k.startsWith('user.') || k === 'security.capability') xattrs.set(k, v);
      else this.skipped.push(`/${p}: xattr ${k} not set`);
    }
    return { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, xattrs };
  }

  private defaultMeta(): Meta {
    return { mode: 0o755, uid: 0, gid: 0, mtime: this.now, xattrs: new Map() };
  }
}

/** A member name as path components below the root (`..` stops at the root; as filepath.Clean("/"+name)). */
export function cleanPath(name: string): string[] {
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/** The metadata of the directory at comps in the topmost lower layer that has one (none when a layer above made it something else). */
function lowerDirMeta(parents: string[], comps: string[]): Meta | undefined {
  for (const layer of parents) {
    let st: fs.Stats | undefined;
    // Component by component with lstat: a lower layer's symlink is never followed out of it.
    for (let i = 1; i <= comps.length; i++) {
      try {
        st = fs.lstatSync(Buffer.from(`${layer}/${comps.slice(0, i).join('/')}`, 'latin1'));
      } catch {
        st = undefined;
        break;
      }
      if (!st.isDirectory()) break;
    }
    if (!st) continue;
    if (!st.isDirectory()) return undefined;
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: String(Math.floor(st.mtimeMs / 1000)), xattrs: new Map() };
  }
  return undefined;
}

/** Parses the layer, checks its diffID, and hands on the canonical archive. */
class LayerFilter extends Transform {
  private readonly hash = createHash('sha256');
  private readonly parser: TarParser;
  readonly writer: OverlayLayerWriter;
  /** The whole layer went by and matched its diffID. */
  verified = false;

  constructor(private readonly diffID: string, parents: string[]) {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    this.writer = new OverlayLayerWriter((b) => this.push(b), parents);
    this.parser = new TarParser({
      onEntry: (e) => this.writer.entry(e),
      onData: (c) => this.writer.data(c),
      // The symlinks and the end marker go out only once the whole layer is verified (_flush):
      // tar stops reading at the marker, and must not stop before the digest is known.
      onEnd: () => undefined,
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.hash.update(chunk);
      this.parser.push(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.parser.finish();
      const got = `sha256:${this.hash.digest('hex')}`;
      if (got !== this.diffID) throw new LayerUnpackError(`layer diffID mismatch: the image config says ${this.diffID}, the layer is ${got}`);
      this.verified = true;
      this.writer.end();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

/** Unpacks a layer blob into dest (an empty directory). Needs root: device nodes, owners, trusted xattrs. */
export async function unpackLayer(opts: UnpackLayerOptions): Promise<UnpackLayerResult> {
  if (process.getuid?.() !== 0) throw new LayerUnpackError('unpacking image layers needs root (whiteout device nodes, file owners, overlay xattrs)');
  const compression = layerCompression(opts.mediaType);
  const filter = new LayerFilter(opts.diffID, opts.parents ?? []);
  const tar = spawn(
    'tar',
    ['--extract', '--file=-', `--directory=${opts.dest}`, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '--warning=no-timestamp'],
    { stdio: ['pipe', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } },
  );
  let stderr = '';
  tar.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 8192) stderr += s;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => resolve(code));
  });
  let streamErr: unknown;
  try {
    const file = () => fs.createReadStream(opts.blobPath, { highWaterMark: 1 << 20 });
    if (compression === 'zstd') {
      // Node 20's zlib has no zstd: Debian's zstd decompresses (one process per layer).
      const zstd = spawn('zstd', ['-d', '-c', '-q', '--', opts.blobPath], { stdio: ['ignore', 'pipe', 'ignore'] });
      zstd.on('error', (err) => zstd.stdout.destroy(err));
      await pipeline(zstd.stdout, filter, tar.stdin).finally(() => zstd.kill('SIGKILL'));
    } else if (compression === 'gzip') await pipeline(file(), zlib.createGunzip({ chunkSize: 256 << 10 }), filter, tar.stdin);
    else await pipeline(file(), filter, tar.stdin);
  } catch (err) {
    streamErr = err;
    if (!(filter.verified && isPipeError(err))) tar.kill('SIGKILL');
  }
  const code = await exited.catch((err: Error) => {
    throw new LayerUnpackError(`cannot run tar: ${err.message}`);
  });
  if (streamErr instanceof LayerUnpackError || streamErr instanceof TarFormatError) throw streamErr;
  if (code !== 0) throw new LayerUnpackError(`tar could not extract the layer (exit ${code}): ${stderr.trim()}`);
  // tar may exit at the end-of-archive marker before its stdin is closed: fine once the layer was verified.
  if (streamErr && !(filter.verified && isPipeError(streamErr))) throw new LayerUnpackError(`layer ${path.basename(opts.blobPath)}: ${(streamErr as Error).message}`);
  return { entries: filter.writer.entries, skipped: filter.writer.skipped };
}

function isPipeError(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EPIPE' || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}
