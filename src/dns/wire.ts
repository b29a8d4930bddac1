// The DNS wire format (RFC 1035, EDNS0 RFC 6891), hand-written for speed: a query is read
// without building objects beyond one small struct, and answers are packed once into
// bytes that assume the question sits at offset 12, so a precomputed answer is reused for
// every query by copying the client's question (its case preserved) in front of it.
import net from 'node:net';

export const Type = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const rcodeNames = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
export function rcodeName(rcode: number): string {
  return rcodeNames[rcode] ?? `RCODE${rcode}`;
}

const typeNames = new Map<number, string>(Object.entries(Type).map(([k, v]) => [v, k]));
export function typeName(t: number): string {
  return typeNames.get(t) ?? `TYPE${t}`;
}

export const ClassIN = 1;

export type RData =
  | { type: 1 | 28; address: string }
  | { type: 2 | 5 | 12; target: string }
  | { type: 15; preference: number; exchange: string }
  | { type: 16; text: string[] }
  | { type: 33; priority: number; weight: number; port: number; target: string }
  | { type: 6; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: number; raw: Buffer };

/** A resource record; name is absolute, with or without the trailing dot. */
export interface RR {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: RData;
}

export interface Edns {
  udpSize: number;
  do: boolean;
  version: number;
}

/** What the server needs of a query, read in one pass. */
export interface Query {
  id: number;
  /** Header flags word as received (RD and CD are copied into the reply). */
  flags: number;
  opcode: number;
  /** The question name as sent (case preserved), absolute with a trailing dot. */
  qname: string;
  /** Lower-cased qname, the key of every lookup. */
  key: string;
  qtype: number;
  qclass: number;
  /** Offset just after the question (12 + name + 4). */
  questionEnd: number;
  edns: Edns | null;
}

export class WireError extends Error {}

/** Reads a name with compression pointers (loop-safe); returns the name and the offset after it. */
export function readName(buf: Buffer, offset: number): { name: string; end: number } {
  let name = '';
  let off = offset;
  let end = -1;
  let jumps = 0;
  let len = 0;
  for (;;) {
    if (off >= buf.length) throw new WireError('name overflows the message');
    const b = buf[off];
    if (b === 0) {
      if (end < 0) end = off + 1;
      break;
    }
    if ((b & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) throw new WireError('truncated pointer');
      if (++jumps > 64) throw new WireError('compression loop');
      if (end < 0) end = off + 2;
      off = ((b & 0x3f) << 8) | buf[off + 1];
      continue;
    }
    if (b & 0xc0) throw new WireError('bad label type');
    if (off + 1 + b > buf.length) throw new WireError('label overflows the message');
    len += b + 1;
    if (len > 255) throw new WireError('name too long');
    name += buf.toString('latin1', off + 1, off + 1 + b) + '.';
    off += 1 + b;
  }
  return { name: name || '.', end };
}

/**
 * Parses a query. Returns null when the packet must be dropped (too short for a header,
 * or a response); throws WireError (header readable) when the answer is FORMERR.
 */
export function parseQuery(buf: Buffer): Query | null {
  if (buf.length < 12) return null;
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) return null;
  const id = buf.readUInt16BE(0);
  const qd = buf.readUInt16BE(4);
  if (qd !== 1) throw new WireError('expected one question');
  // The question, read by hand: no pointers allowed (nothing precedes it).
  let off = 12;
  let key = '';
  let qname = '';
  let total = 0;
  for (;;) {
    if (off >= buf.length) throw new WireError('truncated question');
    const l = buf[off];
    if (l === 0) {
      off++;
      break;
    }
    if (l > 63) throw new WireError('bad label');
    if (off + 1 + l > buf.length) throw new WireError('truncated label');
    total += l + 1;
    if (total > 254) throw new WireError('name too long');
    // A dot inside a label cannot be told apart in text form: refuse it.
    if (buf.indexOf(0x2e, off + 1) >= 0 && buf.indexOf(0x2e, off + 1) < off + 1 + l) throw new WireError('dot inside a label');
    const label = buf.toString('latin1', off + 1, off + 1 + l);
    qname += label + '.';
    off += 1 + l;
  }
  if (off + 4 > buf.length) throw new WireError('truncated question');
  if (!qname) qname = '.';
  key = qname.toLowerCase();
  const qtype = buf.readUInt16BE(off);
  const qclass = buf.readUInt16BE(off + 2);
  const questionEnd = off + 4;
  const q: Query = { id, flags, opcode: (flags >> 11) & 0xf, qname, key, qtype, qclass, questionEnd, edns: null };
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (ar === 0) return q;
  off = questionEnd;
  for (let i = 0; i < an + ns + ar; i++) {
    const n = readName(buf, off);
    off = n.end;
    if (off + 10 > buf.length) throw new WireError('truncated record');
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    if (off + 10 + rdlen > buf.length) throw new WireError('truncated rdata');
    if (type === Type.OPT && i >= an + ns) {
      if (q.edns) throw new WireError('more than one OPT');
      const ttl = buf.readUInt32BE(off + 4);
      q.edns = { udpSize: buf.readUInt16BE(off + 2), version: (ttl >>> 16) & 0xff, do: (ttl & 0x8000) !== 0 };
    }
    off += 10 + rdlen;
  }
  return q;
}

/** Encodes a name without compression (labels as given). */
function nameBytes(name: string): Buffer {
  const labels = name === '.' || name === '' ? [] : name.replace(/\.$/, '').split('.');
  const out = Buffer.alloc(labels.reduce((n, l) => n + l.length + 1, 1));
  let off = 0;
  for (const l of labels) {
    if (l.length > 63 || l.length === 0) throw new WireError(`bad label in ${name}`);
    out[off++] = l.length;
    off += out.write(l, off, 'latin1');
  }
  return out;
}

/** A growing byte writer with RFC 1035 §4.1.4 compression (case-insensitive suffix match). */
class Packer {
  buf = Buffer.alloc(512);
  len = 0;
  private readonly names = new Map<string, number>();

  constructor(readonly base: number) {}

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
  /** Registers a name already present at absolute offset abs (e.g. the question). */
  known(name: string, abs: number): void {
    const labels = splitName(name);
    let off = abs;
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      if (!this.names.has(suffix) && off < 0x4000) this.names.set(suffix, off);
      off += labels[i].length + 1;
    }
  }
  name(name: string, compress: boolean): void {
    const labels = splitName(name);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const ptr = compress ? this.names.get(suffix) : undefined;
      if (ptr !== undefined) {
        this.u16(0xc000 | ptr);
        return;
      }
      const abs = this.base + this.len;
      if (abs < 0x4000 && !this.names.has(suffix)) this.names.set(suffix, abs);
      const l = labels[i];
      if (l.length > 63 || l.length === 0) throw new WireError(`bad label in ${name}`);
      this.u8(l.length);
      this.ensure(l.length);
      this.len += this.buf.write(l, this.len, 'latin1');
    }
    this.u8(0);
  }
}

export function splitName(name: string): string[] {
  if (name === '.' || name === '') return [];
  return (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
}

/** Absolute form with a trailing dot. */
export function fqdn(name: string): string {
  return name.endsWith('.') ? name : name + '.';
}

function packRData(p: Packer, d: RData): void {
  switch (d.type) {
    case Type.A:
    case Type.AAAA: {
      const a = (d as { address: string }).address;
      p.bytes(ipBytes(a));
      return;
    }
    case Type.NS:
    case Type.CNAME:
    case Type.PTR:
      p.name((d as { target: string }).target, true);
      return;
    case Type.MX: {
      const m = d as { preference: number; exchange: string };
      p.u16(m.preference);
      p.name(m.exchange, true);
      return;
    }
    case Type.TXT:
      for (const s of (d as { text: string[] }).text) {
        const b = Buffer.from(s, 'utf8');
        p.u8(Math.min(b.length, 255));
        p.bytes(b.subarray(0, 255));
      }
      return;
    case Type.SRV: {
      const s = d as { priority: number; weight: number; port: number; target: string };
      p.u16(s.priority);
      p.u16(s.weight);
      p.u16(s.port);
      // RFC 2782: the SRV target is never compressed.
      p.name(s.target, false);
      return;
    }
    case Type.SOA: {
      const s = d as Extract<RData, { type: 6 }>;
      p.name(s.mname, true);
      p.name(s.rname, true);
      p.u32(s.serial);
      p.u32(s.refresh);
      p.u32(s.retry);
      p.u32(s.expire);
      p.u32(s.minimum);
      return;
    }
    default:
      p.bytes((d as { raw: Buffer }).raw);
  }
}

export function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const out = Buffer.alloc(16);
  const full = expandIPv6(ip);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(parseInt(full[i], 16), i * 2);
  return out;
}

/** The eight hextets of an IPv6 address (with an embedded IPv4 tail converted). */
export function expandIPv6(ip: string): string[] {
  let s = ip;
  const v4 = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const p = v4[1].split('.').map(Number);
    s = s.slice(0, -v4[1].length) + ((p[0] << 8) | p[1]).toString(16) + ':' + ((p[2] << 8) | p[3]).toString(16);
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => x.padStart(4, '0'));
}

/** Answers packed once: the sections after the question, for a question of a given name. */
export interface Packed {
  body: Buffer;
  an: number;
  ns: number;
  ar: number;
  /** Offsets (within body) of every TTL, so a cache can count them down. */
  ttlOffsets: number[];
  /** A run of same-size A/AAAA answer records that loadbalance may permute in place. */
  shuffle?: { offset: number; count: number; size: number };
}

/**
 * Packs answer, authority and additional records assuming the question for qname is at
 * offset 12, so names equal to (or under) qname compress to it.
 */
export function packSections(qname: string, answer: RR[], authority: RR[], additional: RR[]): Packed {
  const qlen = qname === '.' ? 1 : Buffer.byteLength(fqdn(qname), 'latin1') + 1;
  const base = 12 + qlen + 4;
  const p = new Packer(base);
  p.known(qname, 12);
  const ttlOffsets: number[] = [];
  let shuffle: Packed['shuffle'];
  let runStart = -1;
  let runType = 0;
  let runCount = 0;
  let runSize = 0;
  const closeRun = () => {
    if (runCount > 1 && (!shuffle || runCount > shuffle.count)) shuffle = { offset: runStart, count: runCount, size: runSize };
    runCount = 0;
    runType = 0;
  };
  const write = (rr: RR, inAnswer: boolean) => {
    const start = p.len;
    p.name(rr.name, true);
    p.u16(rr.type);
    p.u16(rr.class);
    ttlOffsets.push(p.len);
    p.u32(rr.ttl);
    const lenAt = p.len;
    p.u16(0);
    packRData(p, rr.data);
    p.buf.writeUInt16BE(p.len - lenAt - 2, lenAt);
    if (!inAnswer) return;
    const size = p.len - start;
    if ((rr.type === Type.A || rr.type === Type.AAAA) && rr.type === runType && size === runSize) runCount++;
    else {
      closeRun();
      if (rr.type === Type.A || rr.type === Type.AAAA) {
        runStart = start;
        runType = rr.type;
        runSize = size;
        runCount = 1;
      }
    }
  };
  for (const rr of answer) write(rr, true);
  closeRun();
  for (const rr of authority) write(rr, false);
  for (const rr of additional) if (rr.type !== Type.OPT) write(rr, false);
  return { body: Buffer.from(p.buf.subarray(0, p.len)), an: answer.length, ns: authority.length, ar: additional.filter((r) => r.type !== Type.OPT).length, ttlOffsets, shuffle };
}

export interface ReplyOptions {
  rcode: number;
  aa: boolean;
  ra: boolean;
  /** The UDP size limit; 0 means no limit (TCP). */
  maxSize: number;
  /** Subtracted from every TTL (cache age), floored at 0. */
  ttlDelta?: number;
  /** Permute the answer's A/AAAA run (loadbalance). */
  shuffle?: boolean;
}

const optLen = 11;

/**
 * Writes a reply: the client's header and question bytes, then packed sections, then an
 * OPT echoing the client's (RFC 6891 §6.1.1). Over the limit: header + question with TC.
 */
export function writeReply(req: Buffer, q: Query, packed: Packed | null, o: ReplyOptions): Buffer {
  const qend = q.questionEnd;
  const body = packed ? packed.body : null;
  const withOpt = q.edns !== null;
  let size = qend + (body ? body.length : 0) + (withOpt ? optLen : 0);
  let truncated = false;
  if (o.maxSize && size > o.maxSize) {
    truncated = true;
    size = qend + (withOpt ? optLen : 0);
  }
  const out = Buffer.allocUnsafe(size);
  req.copy(out, 0, 0, qend);
  // QR, opcode copied, AA, TC, RD copied, RA, CD copied, rcode.
  let flags = 0x8000 | (q.flags & 0x7800) | (q.flags & 0x0100) | (q.flags & 0x0010) | (o.rcode & 0xf);
  if (o.aa) flags |= 0x0400;
  if (truncated) flags |= 0x0200;
  if (o.ra) flags |= 0x0080;
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(1, 4);
  let off = qend;
  if (body && !truncated && packed) {
    body.copy(out, off);
    out.writeUInt16BE(packed.an, 6);
    out.writeUInt16BE(packed.ns, 8);
    out.writeUInt16BE(packed.ar + (withOpt ? 1 : 0), 10);
    if (o.ttlDelta && o.ttlDelta > 0) {
      for (const t of packed.ttlOffsets) {
        const at = off + t;
        const v = out.readUInt32BE(at);
        out.writeUInt32BE(v > o.ttlDelta ? v - o.ttlDelta : 0, at);
      }
    }
    if (o.shuffle && packed.shuffle) shuffleRecords(out, off + packed.shuffle.offset, packed.shuffle.count, packed.shuffle.size);
    off += body.length;
  } else {
    out.writeUInt16BE(0, 6);
    out.writeUInt16BE(0, 8);
    out.writeUInt16BE(withOpt ? 1 : 0, 10);
  }
  if (withOpt && q.edns) {
    out[off] = 0;
    out.writeUInt16BE(Type.OPT, off + 1);
    out.writeUInt16BE(Math.max(512, q.edns.udpSize), off + 3);
    out.writeUInt32BE(q.edns.do ? 0x8000 : 0, off + 5);
    out.writeUInt16BE(0, off + 9);
  }
  return out;
}

/** Fisher–Yates over fixed-size records in place (their owner names are pointers). */
function shuffleRecords(buf: Buffer, start: number, count: number, size: number): void {
  const tmp = Buffer.allocUnsafe(size);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    if (j === i) continue;
    const a = start + i * size;
    const b = start + j * size;
    buf.copy(tmp, 0, a, a + size);
    buf.copy(buf, a, b, b + size);
    tmp.copy(buf, b);
  }
}

/** A FORMERR/NOTIMP reply to a packet whose header is readable but whose body is not. */
export function headerOnlyReply(req: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  req.copy(out, 0, 0, 12);
  const flags = req.readUInt16BE(2);
  out.writeUInt16BE(0x8000 | (flags & 0x7900) | (flags & 0x0010) | rcode, 2);
  out.fill(0, 4, 12);
  return out;
}

// ---- Full decoding (upstream replies, tests) ----

export interface Message {
  id: number;
  flags: number;
  rcode: number;
  question: { name: string; type: number; class: number }[];
  answer: RR[];
  authority: RR[];
  additional: RR[];
}

function readRData(buf: Buffer, off: number, type: number, rdlen: number): RData {
  const end = off + rdlen;
  switch (type) {
    case Type.A:
      if (rdlen !== 4) throw new WireError('bad A');
      return { type, address: `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}` };
    case Type.AAAA: {
      if (rdlen !== 16) throw new WireError('bad AAAA');
      const parts: string[] = [];
      for (let i = 0; i < 8; i++) parts.push(buf.readUInt16BE(off + i * 2).toString(16));
      return { type, address: compressIPv6(parts) };
    }
    case Type.NS:
    case Type.CNAME:
    case Type.PTR:
      return { type, target: readName(buf, off).name };
    case Type.MX:
      return { type, preference: buf.readUInt16BE(off), exchange: readName(buf, off + 2).name };
    case Type.TXT: {
      const text: string[] = [];
      let o = off;
      while (o < end) {
        const l = buf[o];
        if (o + 1 + l > end) throw new WireError('bad TXT');
        text.push(buf.toString('utf8', o + 1, o + 1 + l));
        o += 1 + l;
      }
      return { type, text };
    }
    case Type.SRV:
      if (rdlen < 7) throw new WireError('bad SRV');
      return { type, priority: buf.readUInt16BE(off), weight: buf.readUInt16BE(off + 2), port: buf.readUInt16BE(off + 4), target: readName(buf, off + 6).name };
    case Type.SOA: {
      const m = readName(buf, off);
      const r = readName(buf, m.end);
      const o = r.end;
      if (o + 20 > end) throw new WireError('bad SOA');
      return {
        type,
        mname: m.name,
        rname: r.name,
        serial: buf.readUInt32BE(o),
        refresh: buf.readUInt32BE(o + 4),
        retry: buf.readUInt32BE(o + 8),
        expire: buf.readUInt32BE(o + 12),
        minimum: buf.readUInt32BE(o + 16),
      };
    }
    default:
      return { type, raw: Buffer.from(buf.subarray(off, end)) };
  }
}

export function compressIPv6(parts: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return parts.slice(0, best).join(':') + '::' + parts.slice(best + bestLen).join(':');
}

/** Decodes a whole message (throws WireError on malformed input). */
export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new WireError('short message');
  const flags = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  let off = 12;
  const question: Message['question'] = [];
  for (let i = 0; i < counts[0]; i++) {
    const n = readName(buf, off);
    if (n.end + 4 > buf.length) throw new WireError('truncated question');
    question.push({ name: n.name, type: buf.readUInt16BE(n.end), class: buf.readUInt16BE(n.end + 2) });
    off = n.end + 4;
  }
  const sections: RR[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const n = readName(buf, off);
      off = n.end;
      if (off + 10 > buf.length) throw new WireError('truncated record');
      const type = buf.readUInt16BE(off);
      const cls = buf.readUInt16BE(off + 2);
      const ttl = buf.readUInt32BE(off + 4);
      const rdlen = buf.readUInt16BE(off + 8);
      off += 10;
      if (off + rdlen > buf.length) throw new WireError('truncated rdata');
      sections[s].push({ name: n.name, type, class: cls, ttl, data: type === Type.OPT ? { type, raw: Buffer.from(buf.subarray(off, off + rdlen)) } : readRData(buf, off, type, rdlen) });
      off += rdlen;
    }
  }
  return { id: buf.readUInt16BE(0), flags, rcode: flags & 0xf, question, answer: sections[0], authority: sections[1], additional: sections[2] };
}

/** Encodes a query (for forward, loop, health checks and tests). */
export function encodeQuery(id: number, name: string, type: number, opts: { rd?: boolean; edns?: number } = {}): Buffer {
  const nb = nameBytes(fqdn(name));
  const out = Buffer.alloc(12 + nb.length + 4 + (opts.edns ? optLen : 0));
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(opts.rd === false ? 0 : 0x0100, 2);
  out.writeUInt16BE(1, 4);
  nb.copy(out, 12);
  out.writeUInt16BE(type, 12 + nb.length);
  out.writeUInt16BE(ClassIN, 14 + nb.length);
  if (opts.edns) {
    out.writeUInt16BE(1, 10);
    const o = 16 + nb.length;
    out[o] = 0;
    out.writeUInt16BE(Type.OPT, o + 1);
    out.writeUInt16BE(opts.edns, o + 3);
  }
  return out;
}
