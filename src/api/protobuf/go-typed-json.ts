// The JSON Go writes for a value after reading it into its API type (json.Unmarshal into the
// struct, then json.Marshal), from the same field tables the protobuf decoder uses: unknown
// fields go, zero scalars and empty slices and maps with `omitempty` go, absent pointers,
// slices and maps without it are null, and a non-pointer struct is always written (an
// absent metadata.creationTimestamp is null, an absent resources is {}). Clients that compare
// bytes of what they re-encode (kubectl rollout undo against a DaemonSet's revision) see the
// same bytes kanzen writes. Fields come out in Go struct order.
import { messages, type FieldRow } from './messages.js';

/** What a non-pointer field of a well-known type writes when absent (its Go zero value). */
const wellKnownZero: Record<string, unknown> = {
  'meta.v1.Time': null,
  'meta.v1.MicroTime': null,
  'meta.v1.Duration': '0s',
  'api.resource.Quantity': '0',
  'util.intstr.IntOrString': 0,
  'runtime.RawExtension': null,
  'meta.v1.FieldsV1': null,
};

const isScalar = (type: string): boolean => type.length === 1;
const scalarZero = (type: string): unknown => (type === 's' || type === 'y' ? '' : type === 'b' ? false : 0);
const isZero = (v: unknown): boolean => v === '' || v === 0 || v === false;
const absent = (v: unknown): boolean => v === undefined || v === null;

/** One element or value of a field's type. */
function element(type: string, v: unknown): unknown {
  if (isScalar(type)) return absent(v) ? scalarZero(type) : v;
  if (!messages[type]) return absent(v) ? (wellKnownZero[type] ?? null) : v;
  return goTypedJSON(type, v);
}

function writeField(row: FieldRow, obj: Record<string, unknown>, out: Record<string, unknown>): void {
  const [, json, type, flags = ''] = row;
  const omitEmpty = flags.includes('o');
  if (flags.includes('i')) {
    Object.assign(out, goTypedJSON(type, obj));
    return;
  }
  const v = obj[json];
  if (flags.includes('m') || flags.includes('r')) {
    const empty = absent(v) || (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0);
    if (absent(v)) {
      if (!omitEmpty) out[json] = null;
    } else if (!(empty && omitEmpty)) {
      out[json] = Array.isArray(v) ? v.map((e) => element(type, e)) : Object.fromEntries(Object.entries(v as object).map(([k, e]) => [k, element(type, e)]));
    }
    return;
  }
  if (flags.includes('p')) {
    if (absent(v)) {
      if (!omitEmpty) out[json] = null;
    } else {
      out[json] = element(type, v);
    }
    return;
  }
  const value = element(type, v);
  // encoding/json never omits a struct; omitempty drops only zero scalars.
  if (omitEmpty && isScalar(type) && isZero(value)) return;
  out[json] = value;
}

/** The value of message type `message` (a table name such as 'core.v1.PodTemplateSpec') as Go re-encodes it. */
export function goTypedJSON(message: string, value: unknown): Record<string, unknown> {
  const obj = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const row of messages[message] ?? []) writeField(row, obj, out);
  return out;
}
