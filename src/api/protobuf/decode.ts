// Decoding `application/vnd.kubernetes.protobuf` request bodies into the JSON object a
// client would have sent as `application/json` (k8s.io/apimachinery/pkg/runtime/serializer/
// protobuf). kubectl 1.33's typed clients send protobuf and do not fall back on 415.
//
// The result is what Go's json.Marshal writes for the struct gogo-protobuf's Unmarshal
// fills in, so the JSON code paths see the same shapes either way:
// * a field absent from the wire keeps its Go zero value: nil pointers, slices and maps
//   are omitted (`omitempty`) or null; a non-pointer struct is written out (encoding/json
//   never omits structs: metadata.creationTimestamp: null, resources: {}); a non-pointer
//   scalar is its zero value unless `omitempty` drops it;
// * a pointer field present on the wire is written even when its value is zero (replicas: 0);
// * a non-repeated message field seen twice is merged, a scalar's last value wins, repeated
//   fields append, map entries overwrite — the proto2 rules gogo's Unmarshal follows;
// * unknown fields are skipped, as gogo's skipGenerated does.
import { ApiError } from '../errors.js';
import { messages, packageOfGroup, type FieldRow } from './messages.js';
import { wellKnown } from './well-known.js';
import { readFields, readPacked, wireBytes, wireVarint, type WireField } from './wire.js';

/** The 4-byte prefix of every Kubernetes protobuf body ("k8s\0"). */
export const protobufMagic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export const protobufContentType = 'application/vnd.kubernetes.protobuf';

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}


/** Kinds metav1.AddToGroupVersion registers in every group version. */
const metaKinds = new Set(['DeleteOptions']);

// Proto messages nest only as deep as the Go types do; this bounds hostile input anyway.
const maxDepth = 100;

function fail(message: string): never {
  throw ApiError.badRequest(message);
}

/** The table name of the message for apiVersion/kind, or undefined when kanzen does not serve it. */
export function messageNameFor(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = metaKinds.has(kind) ? 'meta' : packageOfGroup[group];
  const name = `${pkg}.${metaKinds.has(kind) ? 'v1' : version}.${kind}`;
  return pkg !== undefined && Object.hasOwn(messages, name) ? name : undefined;
}

function goFieldName(json: string): string {
  return json.charAt(0).toUpperCase() + json.slice(1);
}

function expectWire(f: WireField, wireType: number, json: string): void {
  if (f.wireType !== wireType) fail(`proto: wrong wireType = ${f.wireType} for field ${goFieldName(json)}`);
}

const isScalar = (type: string): boolean => type.length === 1;

function scalarValue(type: string, f: WireField | undefined): unknown {
  switch (type) {
    case 's':
      return f ? f.bytes.toString('utf8') : '';
    case 'y':
      return f ? f.bytes.toString('base64') : '';
    case 'b':
      return f ? f.varint !== 0n : false;
    case 'i':
      return f ? Number(BigInt.asIntN(32, f.varint)) : 0;
    default: // 'l': int64; beyond 2^53 JSON.parse would round the same way
      return f ? Number(BigInt.asIntN(64, f.varint)) : 0;
  }
}

const wireTypeOf = (type: string): number => (type === 's' || type === 'y' || !isScalar(type) ? wireBytes : wireVarint);

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** A repeated field's elements: one per occurrence, or several per packed varint run. */
function repeatedValues(type: string, json: string, occ: WireField[], depth: number): unknown[] {
  const items: unknown[] = [];
  for (const f of occ) {
    if (isScalar(type) && wireTypeOf(type) === wireVarint && f.wireType === wireBytes) {
      for (const v of readPacked(f.bytes)) items.push(scalarValue(type, { ...f, varint: v }));
      continue;
    }
    expectWire(f, wireTypeOf(type), json);
    items.push(isScalar(type) ? scalarValue(type, f) : decodeMessage(type, f.bytes, depth + 1));
  }
  return items;
}

/** A map field: repeated entry messages {key=1, value=2}; a missing key or value is its zero value. */
function mapValue(type: string, json: string, occ: WireField[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of occ) {
    expectWire(f, wireBytes, json);
    let key: WireField | undefined;
    let value: WireField | undefined;
    for (const e of readFields(f.bytes, `${goFieldName(json)}Entry`)) {
      if (e.field === 1) {
        expectWire(e, wireBytes, 'key');
        key = e;
      } else if (e.field === 2) {
        expectWire(e, wireTypeOf(type), 'value');
        value = e;
      }
    }
    const k = key ? key.bytes.toString('utf8') : '';
    out[k] = isScalar(type) ? scalarValue(type, value) : decodeMessage(type, value?.bytes ?? Buffer.alloc(0), depth + 1);
  }
  return out;
}

function renderField(row: FieldRow, occ: WireField[], out: Record<string, unknown>, depth: number): void {
  const [, json, type, flags = ''] = row;
  const omitEmpty = flags.includes('o');
  const pointer = flags.includes('p');
  const absent = (): void => {
    if (!omitEmpty) out[json] = null;
  };
  if (flags.includes('m')) {
    if (occ.length === 0) return absent();
    out[json] = mapValue(type, json, occ, depth);
    return;
  }
  if (flags.includes('r')) {
    const items = repeatedValues(type, json, occ, depth);
    if (items.length === 0) return absent();
    out[json] = items;
    return;
  }
  for (const f of occ) expectWire(f, wireTypeOf(type), json);
  if (occ.length === 0 && (pointer || type === 'y')) return absent();
  if (!isScalar(type)) {
    const value = decodeMessage(type, Buffer.concat(occ.map((f) => f.bytes)), depth + 1);
    if (flags.includes('i')) Object.assign(out, value);
    else out[json] = value;
    return;
  }
  const value = scalarValue(type, occ[occ.length - 1]);
  if (omitEmpty && !pointer && isZero(value)) return;
  out[json] = value;
}

/** Decodes one message of the table (or a well-known type) into its JSON value. */
export function decodeMessage(name: string, data: Buffer, depth = 0): unknown {
  if (depth > maxDepth) fail('proto: max depth exceeded');
  const special = wellKnown[name];
  if (special) return special(data);
  const rows = messages[name];
  if (!rows) fail(`proto: no message ${name}`);
  const byField = new Map<number, WireField[]>();
  for (const f of readFields(data, name.slice(name.lastIndexOf('.') + 1))) {
    const list = byField.get(f.field);
    if (list) list.push(f);
    else byField.set(f.field, [f]);
  }
  const out: Record<string, unknown> = {};
  for (const row of rows) renderField(row, byField.get(row[0]) ?? [], out, depth);
  return out;
}

interface UnknownEnvelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
}

/** runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}. */
function readUnknown(data: Buffer): UnknownEnvelope {
  let apiVersion = '';
  let kind = '';
  const raws: Buffer[] = [];
  for (const f of readFields(data, 'Unknown')) {
    if (f.field === 1) {
      expectWire(f, wireBytes, 'typeMeta');
      for (const t of readFields(f.bytes, 'TypeMeta')) {
        if (t.field === 1) {
          expectWire(t, wireBytes, 'apiVersion');
          apiVersion = t.bytes.toString('utf8');
        } else if (t.field === 2) {
          expectWire(t, wireBytes, 'kind');
          kind = t.bytes.toString('utf8');
        }
      }
    } else if (f.field === 2) {
      expectWire(f, wireBytes, 'raw');
      raws.length = 0; // gogo's Unmarshal replaces a bytes field
      raws.push(f.bytes);
    } else if (f.field === 3 || f.field === 4) {
      expectWire(f, wireBytes, f.field === 3 ? 'contentEncoding' : 'contentType');
    }
  }
  return { apiVersion, kind, raw: raws[0] ?? Buffer.alloc(0) };
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body: the "k8s\0" magic, then a
 * runtime.Unknown whose raw bytes are the object's message. `defaults` fills an empty
 * kind or apiVersion the way the serializer's copyKindDefaults does with the endpoint's
 * kind. The object carries kind and apiVersion like a JSON body. Errors are 400s with
 * the texts kube-apiserver gives.
 */
export function decodeKubernetesProtobuf(body: Buffer, defaults?: { apiVersion?: string; kind?: string }): DecodedProtobuf {
  if (body.length === 0) fail('empty data');
  if (body.length < protobufMagic.length || !body.subarray(0, protobufMagic.length).equals(protobufMagic)) {
    fail('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  if (body.length === protobufMagic.length) fail('empty body');
  const unknown = readUnknown(body.subarray(protobufMagic.length));
  const kind = unknown.kind || defaults?.kind || '';
  const apiVersion = unknown.apiVersion || defaults?.apiVersion || '';
  if (kind === '') {
    fail(`Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:${JSON.stringify(unknown.apiVersion)}, Kind:""}'`);
  }
  const name = messageNameFor(apiVersion, kind);
  if (!name) {
    fail(`no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`);
  }
  const fields = decodeMessage(name, unknown.raw) as Record<string, unknown>;
  return { apiVersion, kind, object: { kind, apiVersion, ...fields } };
}
