import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

// What a path under the document root is, as the static module needs to know it.
export interface FileInfo {
  kind: 'file';
  path: string;
  size: number;
  mtimeMs: number;
  /** The whole content when the file is small enough to keep in memory. */
  body?: Buffer;
}

export interface DirInfo {
  kind: 'dir';
  path: string;
}

export interface LookupError {
  kind: 'error';
  path: string;
  errno: number;
  code: string;
  message: string;
}

export type PathInfo = FileInfo | DirInfo | LookupError;

export interface OpenFileCacheOptions {
  /** Files up to this size are kept in memory (default 256 KiB). */
  maxBodyBytes?: number;
  /**
   * A cached entry older than this is re-checked with one async stat before it is served
   * (default 0: every time). The directory watch alone is not enough: its event and the
   * next request can arrive in the same event-loop turn, request first, and a busy machine
   * then served the old page after `kubectl exec … > index.html` (seen in CI).
   */
  revalidateMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  info: FileInfo | DirInfo;
  checkedAt: number;
}

// Linux errno values nginx prints in its error log ("(2: No such file or directory)").
const ERRNO: Readonly<Record<string, [number, string]>> = {
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  ENOTDIR: [20, 'Not a directory'],
  ENAMETOOLONG: [36, 'File name too long'],
  ELOOP: [40, 'Too many levels of symbolic links'],
};

/**
 * The stat/content cache in front of the document root. Like nginx without
 * `open_file_cache`, a file written into the root is served on the very next request:
 * a hit is re-checked with one stat (size and mtime), as nginx opens and stats the file
 * per request, and entries are also dropped by an inotify watch on their directory; what
 * the cache saves is the open and the read of unchanged files.
 */
export class OpenFileCache {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Map<string, fs.FSWatcher | null>();
  // Bumped by every change event; a read that raced with a change is not cached.
  private generation = 0;
  private readonly maxBodyBytes: number;
  private readonly revalidateMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: OpenFileCacheOptions = {}) {
    this.maxBodyBytes = opts.maxBodyBytes ?? 256 * 1024;
    this.revalidateMs = opts.revalidateMs ?? 0;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  async lookup(p: string): Promise<PathInfo> {
    const hit = this.entries.get(p);
    if (hit) {
      if (this.now() - hit.checkedAt < this.revalidateMs) return hit.info;
      if (await this.stillValid(p, hit)) return hit.info;
      this.entries.delete(p);
    }
    const gen = this.generation;
    const watched = this.watch(path.dirname(p));
    const info = await this.load(p);
    if (info.kind !== 'error' && watched && gen === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(p, { info, checkedAt: this.now() });
    }
    return info;
  }

  /** Forgets everything (nginx -s reload). */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  close(): void {
    for (const w of this.watchers.values()) w?.close();
    this.watchers.clear();
    this.entries.clear();
  }

  private async stillValid(p: string, hit: Entry): Promise<boolean> {
    try {
      const st = await fsp.stat(p);
      const info = hit.info;
      const same = info.kind === 'dir' ? st.isDirectory() : st.isFile() && st.size === info.size && st.mtimeMs === info.mtimeMs;
      if (same) hit.checkedAt = this.now();
      return same;
    } catch {
      return false;
    }
  }

  private async load(p: string): Promise<PathInfo> {
    let fh: fsp.FileHandle | undefined;
    try {
      fh = await fsp.open(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const st = await fh.stat();
      if (st.isDirectory()) return { kind: 'dir', path: p };
      if (!st.isFile()) return lookupError(p, 'EACCES');
      const info: FileInfo = { kind: 'file', path: p, size: st.size, mtimeMs: st.mtimeMs };
      if (st.size <= this.maxBodyBytes) {
        info.body = await fh.readFile();
        info.size = info.body.length;
      }
      return info;
    } catch (err) {
      return lookupError(p, (err as NodeJS.ErrnoException).code ?? 'EIO');
    } finally {
      await fh?.close().catch(() => undefined);
    }
  }

  private watch(dir: string): boolean {
    const existing = this.watchers.get(dir);
    if (existing !== undefined) return existing !== null;
    let watcher: fs.FSWatcher | null = null;
    try {
      watcher = fs.watch(dir, { persistent: false }, (event, filename) => this.onChange(dir, event, filename));
      watcher.on('error', () => {
        watcher?.close();
        this.watchers.delete(dir);
        this.invalidate();
      });
    } catch {
      watcher = null;
    }
    this.watchers.set(dir, watcher);
    return watcher !== null;
  }

  private onChange(dir: string, event: string, filename: string | Buffer | null): void {
    this.generation++;
    if (event === 'rename' || filename === null) {
      // Creations, deletions and moves can change what any path below resolves to.
      this.entries.clear();
      return;
    }
    this.entries.delete(path.join(dir, filename.toString()));
  }
}

function lookupError(p: string, code: string): LookupError {
  const [errno, message] = ERRNO[code] ?? [5, 'Input/output error'];
  return { kind: 'error', path: p, errno, code, message };
}
