// Kubernetes types whose protobuf form differs from their JSON form. Each renders the
// JSON its Go type's MarshalJSON writes after its custom protobuf Unmarshal has run.
import { ApiError } from '../errors.js';
import { isValidQuantity, quantityFormatError } from '../quantity.js';
import { readFields, wireBytes, wireVarint, type WireField } from './wire.js';

export type WellKnown = (data: Buffer) => unknown;

function last(fields: WireField[], n: number, wireType: number, name: string): WireField | undefined {
  let found: WireField | undefined;
  for (const f of fields) {
    if (f.field !== n) continue;
    if (f.wireType !== wireType) throw ApiError.badRequest(`proto: wrong wireType = ${f.wireType} for field ${name}`);
    found = f;
  }
  return found;
}

const int64 = (f: WireField | undefined): bigint => (f ? BigInt.asIntN(64, f.varint) : 0n);
const int32 = (f: WireField | undefined): number => (f ? Number(BigInt.asIntN(32, f.varint)) : 0);

/** time.Time{}'s Unix seconds: the Go zero time, which MarshalJSON writes as null. */
const goZeroTimeSeconds = -62135596800n;

function rfc3339(seconds: bigint, micros: number | undefined): string | null {
  if (seconds === goZeroTimeSeconds && !micros) return null;
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) throw ApiError.badRequest(`time out of range: ${seconds} seconds`);
  const year = d.getUTCFullYear();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}T${clock}${micros === undefined ? '' : `.${pad(micros, 6)}`}Z`;
}

/**
 * meta.v1.Time {seconds=1, nanos=2}. An empty message is the zero time (JSON null); nanos
 * are dropped (Time.Unmarshal keeps seconds only) and the JSON is RFC3339 in UTC.
 */
export function decodeTime(data: Buffer): string | null {
  if (data.length === 0) return null;
  const fields = readFields(data, 'Timestamp');
  last(fields, 2, wireVarint, 'Nanos');
  return rfc3339(int64(last(fields, 1, wireVarint, 'Seconds')), undefined);
}

/** meta.v1.MicroTime: like Time, but nanos truncated to microseconds and written with 6 fractional digits. */
export function decodeMicroTime(data: Buffer): string | null {
  if (data.length === 0) return null;
  const fields = readFields(data, 'Timestamp');
  let seconds = int64(last(fields, 1, wireVarint, 'Seconds'));
  let micros = Math.trunc(int32(last(fields, 2, wireVarint, 'Nanos')) / 1000);
  // time.Unix normalises nanos outside [0, 1s) into the seconds.
  seconds += BigInt(Math.floor(micros / 1e6));
  micros = ((micros % 1e6) + 1e6) % 1e6;
  return rfc3339(seconds, micros);
}

/** Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function goDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    let digits = '';
    let printed = false;
    let rest = v;
    for (let i = 0; i < prec; i++) {
      const digit = rest % 10n;
      printed = printed || digit !== 0n;
      if (printed) digits = String(digit) + digits;
      rest /= 10n;
    }
    return [printed ? `.${digits}` : '', rest];
  };
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, prec] = u < 1000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    const [f, whole] = frac(u, prec);
    out = `${whole}${f}${unit}`;
  } else {
    const [f, secs] = frac(u, 9);
    out = `${secs % 60n}${f}s`;
    u = secs / 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** meta.v1.Duration {duration=1 (nanoseconds)} → Go duration string. */
export function decodeDuration(data: Buffer): string {
  return goDuration(int64(last(readFields(data, 'Duration'), 1, wireVarint, 'Duration')));
}

/**
 * resource.Quantity {string=1}. Go parses it (rejecting bad syntax with ErrFormatWrong);
 * the string is kept as sent, as the JSON path keeps it, and the zero Quantity is "0".
 */
export function decodeQuantity(data: Buffer): string {
  const f = last(readFields(data, 'Quantity'), 1, wireBytes, 'String_');
  if (!f) return '0';
  const s = f.bytes.toString('utf8');
  if (!isValidQuantity(s)) throw ApiError.badRequest(quantityFormatError);
  return s;
}

/** intstr.IntOrString {type=1 (0 int, 1 string), intVal=2, strVal=3} → number or string. */
export function decodeIntOrString(data: Buffer): number | string {
  const fields = readFields(data, 'IntOrString');
  const type = int64(last(fields, 1, wireVarint, 'Type'));
  const intVal = int32(last(fields, 2, wireVarint, 'IntVal'));
  const strVal = last(fields, 3, wireBytes, 'StrVal')?.bytes.toString('utf8') ?? '';
  if (type === 0n) return intVal;
  if (type === 1n) return strVal;
  throw ApiError.badRequest('impossible IntOrString.Type');
}

/**
 * runtime.RawExtension {raw=1} and meta.v1.FieldsV1 {Raw=1}: the bytes are JSON, which
 * MarshalJSON writes verbatim (nil bytes → null).
 */
export function decodeRawJSON(data: Buffer): unknown {
  const f = last(readFields(data, 'RawExtension'), 1, wireBytes, 'Raw');
  if (!f) return null;
  try {
    return JSON.parse(f.bytes.toString('utf8'));
  } catch (e) {
    throw ApiError.badRequest(`json: error calling MarshalJSON for type: ${(e as Error).message}`);
  }
}

export const wellKnown: Record<string, WellKnown> = {
  'meta.v1.Time': decodeTime,
  'meta.v1.MicroTime': decodeMicroTime,
  'meta.v1.Duration': decodeDuration,
  'api.resource.Quantity': decodeQuantity,
  'util.intstr.IntOrString': decodeIntOrString,
  'runtime.RawExtension': decodeRawJSON,
  'meta.v1.FieldsV1': decodeRawJSON,
};
