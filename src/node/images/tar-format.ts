// The tar format as image layers and image archives use it (POSIX ustar and pax, GNU long
// names): a streaming header parser and a canonical header writer. Names are kept as
// 'latin1' strings — one char per byte — so that any byte sequence round-trips exactly.
// Pure: no I/O.

export const BLOCK = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

/** One member of an archive, with its pax/GNU extensions already applied. */
export interface TarEntry {
  type: TarEntryType;
  /** As written in the archive (latin1), not yet cleaned. */
  name: string;
  linkname: string;
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of data that follow the header (0 for header-only types). */
  size: number;
  /** Seconds since the epoch, as pax writes it (may have a fraction or be negative). */
  mtime: string;
  devmajor: number;
  devminor: number;
  /** SCHILY.xattr.* records: name → raw value bytes. */
  xattrs: Map<string, Buffer>;
}

export class TarFormatError extends Error {}

const TYPES: Record<string, TarEntryType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };

// Types that carry no data whatever their size field says (Go's archive/tar isHeaderOnlyType).
const HEADER_ONLY = new Set<TarEntryType>(['hardlink', 'symlink', 'char', 'block', 'dir', 'fifo']);

/** Longest pax / GNU long-name payload accepted (containerd's importer caps JSON at 20 MiB; names are far smaller). */
const MAX_META = 1 << 20;

function cString(buf: Buffer, off: number, len: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('latin1', off, end < 0 || end > off + len ? off + len : end);
}

/** A numeric field: octal text, or GNU's base-256 when the high bit of the first byte is set. */
function numeric(buf: Buffer, off: number, len: number): number {
  if (buf[off] & 0x80) {
    if (buf[off] === 0xff) throw new TarFormatError('negative base-256 number in tar header');
    let n = buf[off] & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + buf[off + i];
    if (!Number.isSafeInteger(n)) throw new TarFormatError('number too large in tar header');
    return n;
  }
  const s = cString(buf, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`invalid octal number ${JSON.stringify(s)} in tar header`);
  return parseInt(s, 8);
}

function isZeroBlock(buf: Buffer, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

function checksumOk(buf: Buffer, off: number): boolean {
  const want = numeric(buf, off + 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : buf[off + i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

/** pax records (`<len> <key>=<value>\n`), values as raw bytes. */
export function parsePaxRecords(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < data.length) {
    if (data[off] === 0) break;
    const sp = data.indexOf(0x20, off);
    if (sp < 0) throw new TarFormatError('malformed pax record');
    const len = Number(data.toString('latin1', off, sp));
    if (!Number.isInteger(len) || len <= sp - off + 1 || off + len > data.length || data[off + len - 1] !== 0x0a) throw new TarFormatError('malformed pax record');
    const rec = data.subarray(sp + 1, off + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError('malformed pax record');
    out.set(rec.toString('latin1', 0, eq), Buffer.from(rec.subarray(eq + 1)));
    off += len;
  }
  return out;
}

const MTIME = /^-?\d{1,19}(?:\.\d{1,9})?$/;

/**
 * A push parser: feed it the archive's bytes in any chunking; it calls onEntry for each
 * member (with its pax and GNU long-name extensions applied), onData with the member's data
 * (zero-copy slices of the input) and onEnd at the end-of-archive marker. Bytes after the
 * marker are ignored.
 */
export class TarParser {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Bytes of the current member's data still to hand out, then its padding to skip. */
  private dataLeft = 0;
  private padLeft = 0;
  /** Collecting a pax / GNU long-name payload of this many bytes. */
  private meta: { kind: 'x' | 'g' | 'L' | 'K'; size: number } | undefined;
  private pax = new Map<string, Buffer>();
  private longName: string | undefined;
  private longLink: string | undefined;
  private zeroBlocks = 0;
  ended = false;

  constructor(
    private readonly handlers: {
      onEntry(e: TarEntry): void;
      onData(chunk: Buffer): void;
      onEnd(): void;
    },
  ) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && !this.ended) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - off);
        this.handlers.onData(chunk.subarray(off, off + n));
        this.dataLeft -= n;
        off += n;
        continue;
      }
      if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, chunk.length - off);
        this.padLeft -= n;
        off += n;
        continue;
      }
      const need = this.meta ? roundUp(this.meta.size) : BLOCK;
      const take = Math.min(need - this.pendingLen, chunk.length - off);
      this.pending.push(chunk.subarray(off, off + take));
      this.pendingLen += take;
      off += take;
      if (this.pendingLen < need) continue;
      const block = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
      this.pending = [];
      this.pendingLen = 0;
      if (this.meta) this.finishMeta(block);
      else this.header(block);
    }
  }

  /** The input ended: an archive cut short inside a member is an error; a missing end marker is not (Go's reader accepts it). */
  finish(): void {
    if (this.ended) return;
    if (this.dataLeft > 0 || this.pendingLen > 0 || this.meta) throw new TarFormatError('unexpected end of tar archive');
    this.ended = true;
    this.handlers.onEnd();
  }

  private finishMeta(block: Buffer): void {
    const { kind, size } = this.meta!;
    this.meta = undefined;
    const data = block.subarray(0, size);
    if (kind === 'x') for (const [k, v] of parsePaxRecords(data)) this.pax.set(k, v);
    else if (kind === 'L') this.longName = cString(data, 0, data.length);
    else if (kind === 'K') this.longLink = cString(data, 0, data.length);
    // 'g' (pax global headers): ignored, as containerd's applier does.
  }

  private header(block: Buffer): void {
    if (isZeroBlock(block, 0)) {
      if (++this.zeroBlocks >= 2) {
        this.ended = true;
        this.handlers.onEnd();
      }
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(block, 0)) throw new TarFormatError('invalid tar header checksum');
    const flag = String.fromCharCode(block[156]);
    let size = numeric(block, 124, 12);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_META) throw new TarFormatError(`tar extended header of ${size} bytes is too large`);
      this.meta = { kind: flag, size };
      if (size === 0) this.finishMeta(Buffer.alloc(0));
      return;
    }
    let type = TYPES[flag];
    if (!type) throw new TarFormatError(`unsupported tar entry type ${JSON.stringify(flag)}`);
    const magic = block.toString('latin1', 257, 263);
    let name = cString(block, 0, 100);
    // POSIX ustar splits long names into prefix + name; GNU's format uses that space otherwise.
    if (magic === 'ustar\0') {
      const prefix = cString(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (flag === '\0' && name.endsWith('/')) type = 'dir';
    let linkname = cString(block, 157, 100);
    let uid = numeric(block, 108, 8);
    let gid = numeric(block, 116, 8);
    let mtime = String(numeric(block, 136, 12));
    const xattrs = new Map<string, Buffer>();
    if (this.longName !== undefined) name = this.longName;
    if (this.longLink !== undefined) linkname = this.longLink;
    for (const [k, v] of this.pax) {
      const s = v.toString('latin1');
      if (k === 'path') name = s;
      else if (k === 'linkpath') linkname = s;
      else if (k === 'size') size = paxInt(k, s);
      else if (k === 'uid') uid = paxInt(k, s);
      else if (k === 'gid') gid = paxInt(k, s);
      else if (k === 'mtime') {
        if (!MTIME.test(s)) throw new TarFormatError(`invalid pax mtime ${JSON.stringify(s)}`);
        mtime = s;
      } else if (k.startsWith('SCHILY.xattr.')) xattrs.set(k.slice('SCHILY.xattr.'.length), v);
      else if (k.startsWith('GNU.sparse.')) throw new TarFormatError('sparse files in tar archives are not supported');
    }
    this.pax = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    if (HEADER_ONLY.has(type)) size = 0;
    this.handlers.onEntry({
      type,
      name,
      linkname,
      mode: numeric(block, 100, 8) & 0o7777,
      uid,
      gid,
      size,
      mtime,
      devmajor: type === 'char' || type === 'block' ? numeric(block, 329, 8) : 0,
      devminor: type === 'char' || type === 'block' ? numeric(block, 337, 8) : 0,
      xattrs,
    });
    this.dataLeft = size;
    this.padLeft = roundUp(size) - size;
  }
}

function paxInt(key: string, s: string): number {
  if (!/^\d{1,16}$/.test(s)) throw new TarFormatError(`invalid pax ${key} ${JSON.stringify(s)}`);
  return Number(s);
}

export function roundUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

// ---- writing -----------------------------------------------------------------------

const TYPE_FLAGS: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

export interface HeaderFields {
  type: TarEntryType;
  name: string;
  linkname?: string;
  mode: number;
  uid: number;
  gid: number;
  size?: number;
  mtime: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Map<string, Buffer>;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'latin1'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

function writeOctal(buf: Buffer, off: number, len: number, n: number): void {
  buf.write(n.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

/**
 * One member's header blocks, written fresh (never copied from an input archive): a pax
 * header when a field does not fit ustar, then the ustar header. Pad the data yourself.
 */
export function headerBlocks(h: HeaderFields): Buffer {
  const size = h.size ?? 0;
  const linkname = h.linkname ?? '';
  const records: Buffer[] = [];
  const nameBytes = Buffer.byteLength(h.name, 'latin1');
  if (nameBytes > 100) records.push(paxRecord('path', Buffer.from(h.name, 'latin1')));
  if (Buffer.byteLength(linkname, 'latin1') > 100) records.push(paxRecord('linkpath', Buffer.from(linkname, 'latin1')));
  const whole = /^\d+$/.test(h.mtime) && Number(h.mtime) <= 0o77777777777;
  if (!whole) records.push(paxRecord('mtime', Buffer.from(h.mtime, 'latin1')));
  if (h.uid > 0o7777777) records.push(paxRecord('uid', Buffer.from(String(h.uid))));
  if (h.gid > 0o7777777) records.push(paxRecord('gid', Buffer.from(String(h.gid))));
  if (size > 0o77777777777) records.push(paxRecord('size', Buffer.from(String(size))));
  for (const [k, v] of h.xattrs ?? []) records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  const out: Buffer[] = [];
  if (records.length) {
    const data = Buffer.concat(records);
    out.push(ustar({ type: 'x', name: 'PaxHeader', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0, linkname: '', devmajor: 0, devminor: 0 }));
    out.push(data, Buffer.alloc(roundUp(data.length) - data.length));
  }
  out.push(
    ustar({
      type: TYPE_FLAGS[h.type],
      name: h.name,
      mode: h.mode,
      uid: Math.min(h.uid, 0o7777777),
      gid: Math.min(h.gid, 0o7777777),
      size: Math.min(size, 0o77777777777),
      mtime: whole ? Number(h.mtime) : 0,
      linkname,
      devmajor: h.devmajor ?? 0,
      devminor: h.devminor ?? 0,
    }),
  );
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

function ustar(f: { type: string; name: string; mode: number; uid: number; gid: number; size: number; mtime: number; linkname: string; devmajor: number; devminor: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(f.name.slice(0, 100), 0, 100, 'latin1');
  writeOctal(b, 100, 8, f.mode);
  writeOctal(b, 108, 8, f.uid);
  writeOctal(b, 116, 8, f.gid);
  writeOctal(b, 124, 12, f.size);
  writeOctal(b, 136, 12, f.mtime);
  b.write(f.type, 156, 1, 'latin1');
  b.write(f.linkname.slice(0, 100), 157, 100, 'latin1');
  b.write('ustar\0' + '00', 257, 8, 'latin1');
  writeOctal(b, 329, 8, f.devmajor);
  writeOctal(b, 337, 8, f.devminor);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i];
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

// ---- reading members one by one ----------------------------------------------------

/** A member and its data, which must be read (or left) before asking for the next member. */
export interface TarMember {
  entry: TarEntry;
  data: AsyncIterable<Buffer>;
}

type ParserEvent = { k: 'entry'; e: TarEntry } | { k: 'data'; c: Buffer } | { k: 'end' };

/** The members of an archive streaming in (nothing but the current chunk is held in memory). */
export async function* readTarMembers(input: AsyncIterable<Buffer>): AsyncGenerator<TarMember> {
  let queue: ParserEvent[] = [];
  let head = 0;
  const parser = new TarParser({
    onEntry: (e) => queue.push({ k: 'entry', e }),
    onData: (c) => queue.push({ k: 'data', c }),
    onEnd: () => queue.push({ k: 'end' }),
  });
  const it = input[Symbol.asyncIterator]();
  let done = false;
  const peek = async (): Promise<ParserEvent | undefined> => {
    while (head >= queue.length) {
      queue = [];
      head = 0;
      if (done) return undefined;
      const r = await it.next();
      if (r.done) {
        done = true;
        parser.finish();
      } else parser.push(r.value);
    }
    return queue[head];
  };
  for (;;) {
    const ev = await peek();
    if (!ev) return;
    if (ev.k === 'end') {
      // Read the padding after the end marker too: a writer piping in (docker save) ends cleanly.
      while (!done) done = (await it.next()).done === true;
      return;
    }
    head++;
    if (ev.k !== 'entry') continue; // data nobody read
    async function* data(): AsyncGenerator<Buffer> {
      for (;;) {
        const d = await peek();
        if (!d || d.k !== 'data') return;
        head++;
        yield d.c;
      }
    }
    yield { entry: ev.e, data: data() };
  }
}
