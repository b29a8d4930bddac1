// The protobuf wire format, just enough to write messages by hand: varints and
// length-delimited fields (https://protobuf.dev/programming-guides/encoding/).
// A message is the concatenation of its fields; proto3 omits default values.

const wireVarint = 0;
const wireFixed64 = 1;
const wireLengthDelimited = 2;

export function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function key(field: number, wireType: number): Buffer {
  return varint(field * 8 + wireType);
}

export function bytesField(field: number, data: Buffer): Buffer {
  return Buffer.concat([key(field, wireLengthDelimited), varint(data.length), data]);
}

export function stringField(field: number, s: string | undefined): Buffer {
  return s ? bytesField(field, Buffer.from(s, 'utf8')) : Buffer.alloc(0);
}

export function repeatedStringField(field: number, values: readonly string[] | undefined): Buffer {
  return Buffer.concat((values ?? []).map((v) => bytesField(field, Buffer.from(v, 'utf8'))));
}

export function boolField(field: number, b: boolean | undefined): Buffer {
  return b ? Buffer.concat([key(field, wireVarint), varint(1)]) : Buffer.alloc(0);
}

/** A non-negative int64 (proto3 omits 0). */
export function int64Field(field: number, n: number | undefined): Buffer {
  return n ? Buffer.concat([key(field, wireVarint), varint(n)]) : Buffer.alloc(0);
}

/** A double, little-endian fixed64 (proto3 omits 0). */
export function doubleField(field: number, n: number | undefined): Buffer {
  if (!n) return Buffer.alloc(0);
  const b = Buffer.alloc(8);
  b.writeDoubleLE(n);
  return Buffer.concat([key(field, wireFixed64), b]);
}

/** An embedded message; written even when empty, because presence matters for oneofs. */
export function messageField(field: number, ...parts: Buffer[]): Buffer {
  return bytesField(field, Buffer.concat(parts));
}
