// Reading the protobuf wire format (https://protobuf.dev/programming-guides/encoding/):
// a message is a sequence of (tag varint, value) pairs; the tag is field<<3 | wire type.
// Every read is bounds-checked and advances, so malformed input ends in an ApiError and
// never in a crash or an endless loop. Error texts follow gogo-protobuf's generated
// Unmarshal methods, which is what kube-apiserver answers with.
import { ApiError } from '../errors.js';

export const wireVarint = 0;
export const wireFixed64 = 1;
export const wireBytes = 2;
export const wireStartGroup = 3;
export const wireEndGroup = 4;
export const wireFixed32 = 5;

export interface WireField {
  field: number;
  wireType: number;
  /** The value of a varint field (two's complement, 64 bits). */
  varint: bigint;
  /** The payload of a length-delimited field, a view into the input. */
  bytes: Buffer;
}

export const unexpectedEOF = 'unexpected EOF';

function fail(message: string): never {
  throw ApiError.badRequest(message);
}

/** Reads a varint at pos; returns the value and the position after it. */
export function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  for (let shift = 0n, i = pos; ; shift += 7n, i++) {
    if (shift >= 64n) fail('proto: integer overflow');
    if (i >= buf.length) fail(unexpectedEOF);
    const b = buf[i];
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [BigInt.asUintN(64, result), i + 1];
  }
}

/** A varint used as a length or tag: must fit a safe JS number. */
function readSmall(buf: Buffer, pos: number): [number, number] {
  const [v, next] = readVarint(buf, pos);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('proto: negative length found during unmarshaling');
  return [Number(v), next];
}

/** Splits one message into its fields, in wire order. Unknown wire types are errors; groups are skipped as gogo does. */
export function readFields(buf: Buffer, messageName: string): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readSmall(buf, pos);
    pos = afterTag;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === wireEndGroup) fail(`proto: ${messageName}: wiretype end group for non-group`);
    if (field <= 0) fail(`proto: ${messageName}: illegal tag ${field} (wire type ${wireType})`);
    switch (wireType) {
      case wireVarint: {
        const [v, next] = readVarint(buf, pos);
        out.push({ field, wireType, varint: v, bytes: Buffer.alloc(0) });
        pos = next;
        break;
      }
      case wireFixed64:
      case wireFixed32: {
        const size = wireType === wireFixed64 ? 8 : 4;
        if (pos + size > buf.length) fail(unexpectedEOF);
        const bytes = buf.subarray(pos, pos + size);
        const varint = size === 8 ? bytes.readBigUInt64LE(0) : BigInt(bytes.readUInt32LE(0));
        out.push({ field, wireType, varint, bytes });
        pos += size;
        break;
      }
      case wireBytes: {
        const [len, start] = readSmall(buf, pos);
        if (start + len > buf.length) fail(unexpectedEOF);
        out.push({ field, wireType, varint: 0n, bytes: buf.subarray(start, start + len) });
        pos = start + len;
        break;
      }
      case wireStartGroup:
        pos = skipGroup(buf, pos);
        break;
      default:
        fail(`proto: illegal wireType ${wireType}`);
    }
  }
  return out;
}

/** Skips a (deprecated) group up to its matching end tag; nested groups are bounded by the input. */
function skipGroup(buf: Buffer, start: number): number {
  let pos = start;
  let depth = 1;
  while (depth > 0) {
    const [tag, afterTag] = readSmall(buf, pos);
    pos = afterTag;
    const wireType = tag % 8;
    if (wireType === wireStartGroup) depth++;
    else if (wireType === wireEndGroup) depth--;
    else if (wireType === wireVarint) pos = readVarint(buf, pos)[1];
    else if (wireType === wireFixed64) pos += 8;
    else if (wireType === wireFixed32) pos += 4;
    else if (wireType === wireBytes) {
      const [len, next] = readSmall(buf, pos);
      pos = next + len;
    } else fail(`proto: illegal wireType ${wireType}`);
    if (pos > buf.length) fail(unexpectedEOF);
  }
  return pos;
}

/** The varints of a packed repeated scalar field. */
export function readPacked(buf: Buffer): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [v, next] = readVarint(buf, pos);
    out.push(v);
    pos = next;
  }
  return out;
}
