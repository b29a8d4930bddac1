// SPDY/3.1 framing (SPDY Protocol draft 3.1 §2.2–2.6), the subset kubectl's spdystream
// uses: SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS,
// WINDOW_UPDATE and DATA. Header blocks are zlib-compressed with the SPDY dictionary in
// one compression context per direction for the whole connection.
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { spdyHeaderDictionary } from './spdy-dictionary.js';

export const spdyVersion = 3;

export const frameType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const flagFin = 0x01;

export type SpdyHeaders = Record<string, string[]>;

export type SpdyFrame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'synStream'; streamId: number; flags: number; headers: SpdyHeaders }
  | { kind: 'synReply' | 'headers'; streamId: number; flags: number; headers: SpdyHeaders }
  | { kind: 'rstStream'; streamId: number; status: number }
  | { kind: 'ping'; id: number }
  | { kind: 'goAway'; lastGoodStreamId: number; status: number }
  | { kind: 'other'; type: number };

/** DEFLATE's window: back-references reach at most this far into earlier output (RFC 1951 §2). */
const deflateWindow = 32 * 1024;

/**
 * The receiving zlib context. SPDY/3 §2.6.10.1: one zlib stream per direction, each header
 * block ending on a sync flush, so every block after the first starts on a byte-aligned
 * DEFLATE block boundary and depends on the past only through the last 32 KiB of output.
 * Node's synchronous zlib keeps no state between calls, so each block is inflated raw with
 * that window as its preset dictionary: work per block is its own bytes plus a constant,
 * however long the connection (re-inflating the whole history made it quadratic).
 */
export class HeaderInflater {
  /** The output so far that later blocks may refer to; at first the SPDY dictionary. */
  private window: Buffer = spdyHeaderDictionary;
  private started = false;
  /** Compressed bytes handed to zlib by the last call (the per-block cost; for tests). */
  lastInputBytes = 0;

  inflate(chunk: Buffer): Buffer {
    const deflated = this.started ? chunk : this.skipZlibHeader(chunk);
    this.started = true;
    this.lastInputBytes = deflated.length;
    const dictionary = this.window.length ? this.window : undefined;
    const out = zlib.inflateRawSync(deflated, { dictionary, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const joined = Buffer.concat([this.window, out]);
    this.window = joined.subarray(Math.max(0, joined.length - deflateWindow));
    return out;
  }

  /** RFC 1950 §2.2: CMF, FLG and, with FDICT, the dictionary's Adler-32, which must be SPDY's (as Go's zlib.NewReaderDict checks). */
  private skipZlibHeader(chunk: Buffer): Buffer {
    if (chunk.length < 2 || (chunk[0] & 0x0f) !== 8 || ((chunk[0] << 8) | chunk[1]) % 31 !== 0) throw new Error('zlib: invalid header');
    if ((chunk[1] & 0x20) === 0) {
      this.window = Buffer.alloc(0);
      return chunk.subarray(2);
    }
    if (chunk.length < 6 || chunk.readUInt32BE(2) !== adler32(spdyHeaderDictionary)) throw new Error('zlib: invalid dictionary');
    return chunk.subarray(6);
  }
}

/**
 * The sending zlib context: a zlib stream (preset-dictionary header) whose header blocks
 * are sent as stored deflate blocks. Every inflater accepts them; compression of a few
 * dozen bytes of headers is not worth a stateful deflater.
 */
class HeaderDeflater {
  private started = false;

  deflate(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window); FLG 0x20 = FDICT, FCHECK 0 ((0x7820 % 31) === 0); then the dictionary's Adler-32.
      const dictId = Buffer.alloc(4);
      dictId.writeUInt32BE(adler32(spdyHeaderDictionary));
      parts.push(Buffer.of(0x78, 0x20), dictId);
    }
    for (let i = 0; i === 0 || i < block.length; i += 0xffff) {
      const piece = block.subarray(i, i + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padded to the byte boundary
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(h, piece);
    }
    // What Z_SYNC_FLUSH ends with: an empty stored block. Go's inflater only hands out a
    // stored block's bytes once it has seen the next block header, so it must be there.
    parts.push(Buffer.of(0x00, 0x00, 0x00, 0xff, 0xff));
    return Buffer.concat(parts);
  }
}

export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let p = 0;
  const n = block.readUInt32BE(p);
  p += 4;
  for (let i = 0; i < n; i++) {
    const nameLen = block.readUInt32BE(p);
    const name = block.toString('utf8', p + 4, p + 4 + nameLen);
    p += 4 + nameLen;
    const valueLen = block.readUInt32BE(p);
    const value = block.toString('utf8', p + 4, p + 4 + valueLen);
    p += 4 + valueLen;
    headers[name] = value.split('\0');
  }
  return headers;
}

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(values.join('\0'));
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Reads frames from a byte stream, decompressing header blocks in the connection's context. */
export class SpdyFrameReader {
  private buf: Buffer = Buffer.alloc(0);
  /** The connection's receiving header context (exposed so tests can see the work per block). */
  readonly inflater = new HeaderInflater();

  /** Appends bytes; returns the frames now complete. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + length) break;
      const frame = this.buf.subarray(0, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      frames.push(this.parse(frame));
    }
    return frames;
  }

  private parse(f: Buffer): SpdyFrame {
    const flags = f[4];
    if ((f[0] & 0x80) === 0) return { kind: 'data', streamId: f.readUInt32BE(0) & 0x7fffffff, flags, data: f.subarray(8) };
    const type = f.readUInt16BE(2);
    switch (type) {
      case frameType.synStream:
        return { kind: 'synStream', streamId: f.readUInt32BE(8) & 0x7fffffff, flags, headers: this.headers(f.subarray(18)) };
      case frameType.synReply:
        return { kind: 'synReply', streamId: f.readUInt32BE(8) & 0x7fffffff, flags, headers: this.headers(f.subarray(12)) };
      case frameType.headers:
        return { kind: 'headers', streamId: f.readUInt32BE(8) & 0x7fffffff, flags, headers: this.headers(f.subarray(12)) };
      case frameType.rstStream:
        return { kind: 'rstStream', streamId: f.readUInt32BE(8) & 0x7fffffff, status: f.readUInt32BE(12) };
      case frameType.ping:
        return { kind: 'ping', id: f.readUInt32BE(8) };
      case frameType.goAway:
        return { kind: 'goAway', lastGoodStreamId: f.readUInt32BE(8) & 0x7fffffff, status: f.length >= 16 ? f.readUInt32BE(12) : 0 };
      default:
        return { kind: 'other', type };
    }
  }

  private headers(compressed: Buffer): SpdyHeaders {
    return decodeHeaderBlock(this.inflater.inflate(compressed));
  }
}

/** Builds frames, compressing header blocks in the connection's context. */
export class SpdyFrameWriter {
  private readonly deflater = new HeaderDeflater();
  private readonly deflate = (b: Buffer) => this.deflater.deflate(b);

  private control(type: number, flags: number, payload: Buffer): Buffer {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8000 | spdyVersion, 0);
    h.writeUInt16BE(type, 2);
    h.writeUInt32BE(payload.length, 4);
    h[4] = flags;
    return Buffer.concat([h, payload]);
  }

  private streamIdAnd(streamId: number, rest: Buffer): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(streamId & 0x7fffffff);
    return Buffer.concat([b, rest]);
  }

  synStream(streamId: number, headers: SpdyHeaders, flags = 0): Buffer {
    const fixed = Buffer.alloc(10); // associated-to stream id, priority, slot
    fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
    return this.control(frameType.synStream, flags, Buffer.concat([fixed, this.deflate(encodeHeaderBlock(headers))]));
  }

  synReply(streamId: number, headers: SpdyHeaders = {}, flags = 0): Buffer {
    return this.control(frameType.synReply, flags, this.streamIdAnd(streamId, this.deflate(encodeHeaderBlock(headers))));
  }

  rstStream(streamId: number, status: number): Buffer {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(streamId & 0x7fffffff, 0);
    b.writeUInt32BE(status, 4);
    return this.control(frameType.rstStream, 0, b);
  }

  ping(id: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    return this.control(frameType.ping, 0, b);
  }

  goAway(lastGoodStreamId: number, status = 0): Buffer {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
    b.writeUInt32BE(status, 4);
    return this.control(frameType.goAway, 0, b);
  }

  data(streamId: number, data: Buffer, fin = false): Buffer {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(streamId & 0x7fffffff, 0);
    h.writeUInt32BE(data.length, 4);
    h[4] = fin ? flagFin : 0;
    return Buffer.concat([h, data]);
  }
}

/**
 * Feeds an upgraded connection's bytes (`head`, what came with the upgrade, first) to
 * `handle` frame by frame. A framing or header-compression error ends the connection, as
 * spdystream does.
 */
export function readSpdyFrames(conn: Duplex, head: Buffer, handle: (f: SpdyFrame) => void): void {
  const reader = new SpdyFrameReader();
  const onBytes = (chunk: Buffer) => {
    try {
      for (const f of reader.push(chunk)) handle(f);
    } catch {
      conn.destroy();
    }
  };
  conn.on('data', onBytes);
  conn.on('error', () => conn.destroy());
  if (head.length) onBytes(head);
}
