// Go's %#v of an API object as upstream's validation prints it in "Invalid value: …" (a value
// with no String method, such as the core.PodTemplateSpec of "spec.template: Invalid value:
// core.PodTemplateSpec{…}: field is immutable"): the internal type (core., apps., batch.;
// metav1 types as v1.), every field in Go struct order with its zero value, nested pointers as
// their type and an address, times as time.Date(…). Walks the same field tables the protobuf
// decoder and go-typed-json use (messages.ts); the internal PodSpec, whose field order
// differs from v1's and whose host namespace fields live in its (pointer) SecurityContext,
// has its own order below.
import { goQuote } from '../errors.js';
import { messages, type FieldRow } from '../protobuf/messages.js';
import { GoLiteral, goIntOrString, goPointerAddress } from './go-literal.js';

/** Go field names that are not the JSON name with its first letter upper-cased. */
const goFieldNames: Record<string, string> = {
  uid: 'UID',
  apiGroup: 'APIGroup',
  apiGroups: 'APIGroups',
  nonResourceURLs: 'NonResourceURLs',
  tty: 'TTY',
  apiVersion: 'APIVersion',
  hostIP: 'HostIP',
  ip: 'IP',
  dnsPolicy: 'DNSPolicy',
  dnsConfig: 'DNSConfig',
  os: 'OS',
  setHostnameAsFQDN: 'SetHostnameAsFQDN',
};

/** Named string types behind pointers (%#v prints the pointer's type). */
const pointerStringTypes: Record<string, string> = {
  'core.v1.Container.restartPolicy': 'core.ContainerRestartPolicy',
  'core.v1.EphemeralContainerCommon.restartPolicy': 'core.ContainerRestartPolicy',
  'core.v1.VolumeMount.recursiveReadOnly': 'core.RecursiveReadOnlyMode',
  'core.v1.VolumeMount.mountPropagation': 'core.MountPropagationMode',
  'core.v1.PodSpec.preemptionPolicy': 'core.PreemptionPolicy',
  'core.v1.TopologySpreadConstraint.nodeAffinityPolicy': 'core.NodeInclusionPolicy',
  'core.v1.TopologySpreadConstraint.nodeTaintsPolicy': 'core.NodeInclusionPolicy',
  'core.v1.PersistentVolumeClaimSpec.volumeMode': 'core.PersistentVolumeMode',
};

/** The internal core.PodSpec's fields in its Go order (pkg/apis/core/types.go), by JSON name. */
const internalPodSpecOrder = [
  'volumes', 'initContainers', 'containers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds',
  'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'automountServiceAccountToken', 'nodeName',
  'securityContext', 'imagePullSecrets', 'hostname', 'subdomain', 'setHostnameAsFQDN', 'affinity', 'schedulerName',
  'tolerations', 'hostAliases', 'priorityClassName', 'priority', 'preemptionPolicy', 'dnsConfig', 'readinessGates',
  'runtimeClassName', 'overhead', 'enableServiceLinks', 'topologySpreadConstraints', 'os', 'schedulingGates',
  'resourceClaims', 'resources',
];

function rowsOf(message: string): readonly FieldRow[] {
  const rows = messages[message] ?? [];
  if (message !== 'core.v1.PodSpec') return rows;
  return internalPodSpecOrder.map((json) => rows.find((r) => r[1] === json)!).filter(Boolean);
}

const goFieldName = (json: string) => goFieldNames[json] ?? json.charAt(0).toUpperCase() + json.slice(1);

/** core.v1.PodSpec → core.PodSpec (the internal version); meta.v1.ObjectMeta → v1.ObjectMeta. */
function goTypeName(type: string): string {
  switch (type) {
    case 's':
      return 'string';
    case 'i':
      return 'int32';
    case 'l':
      return 'int64';
    case 'b':
      return 'bool';
    case 'y':
      return '[]uint8';
    case 'meta.v1.Time':
      return 'v1.Time';
    case 'api.resource.Quantity':
      return 'resource.Quantity';
    case 'util.intstr.IntOrString':
      return 'intstr.IntOrString';
  }
  const [group, , name] = type.split('.');
  return group === 'meta' ? `v1.${name}` : `${group}.${name}`;
}

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** time.Time's GoString, for a metav1.Time read from JSON (time.Local) or unset (the zero time, UTC). */
function goTime(v: unknown): string {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) return 'time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)';
  const d = new Date(ms);
  return `time.Date(${d.getUTCFullYear()}, time.${months[d.getUTCMonth()]}, ${d.getUTCDate()}, ${d.getUTCHours()}, ${d.getUTCMinutes()}, ${d.getUTCSeconds()}, 0, time.Local)`;
}

const binaryExponents: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalExponents: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * resource.Quantity's fields as ParseQuantity leaves them: the digits as written with their
 * decimal scale (int64Amount), the string kept when it is already canonical, and an inf.Dec
 * (a pointer) for what the int64 fast path does not take (fractional binary amounts).
 */
function goQuantity(v: unknown, slots: PointerSlots): string {
  const str = v === undefined || v === null ? '' : String(v);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(str);
  const quantity = (value: number | string, scale: number, dec: string, s: string, format: string) =>
    `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:${dec}}, s:${goQuote(s)}, Format:${goQuote(format)}}`;
  if (!str || str === '0' || !m) return quantity(0, 0, '(*inf.Dec)(nil)', str === '0' ? '0' : '', 'DecimalSI');
  const [, sign, num, denom = '', suffix = ''] = m;
  const negative = sign === '-';
  if (suffix in binaryExponents) {
    const exponent = binaryExponents[suffix];
    if (denom) return quantity(0, 0, `(*inf.Dec)(${slots.address()})`, '', 'BinarySI');
    const value = BigInt(num) << BigInt(exponent);
    const canonical = exponent % 10 === 0 && (BigInt(num) & 7n) !== 0n;
    return quantity(`${negative ? '-' : ''}${value}`, 0, '(*inf.Dec)(nil)', canonical ? str : '', 'BinarySI');
  }
  const exponential = /^[eE]/.test(suffix);
  const scale = (exponential ? Number(suffix.slice(1)) : decimalExponents[suffix]) - denom.length;
  const shifted = num + denom;
  const value = BigInt(shifted || '0');
  const canonical = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  return quantity(`${negative ? '-' : ''}${value}`, scale, '(*inf.Dec)(nil)', canonical ? str : '', exponential ? 'DecimalExponent' : 'DecimalSI');
}

/** Allocates the plausible, deterministic addresses of one printed value's pointers. */
class PointerSlots {
  private next = 0;
  address(): string {
    return goPointerAddress(this.next++);
  }
}

function scalar(type: string, v: unknown): string {
  switch (type) {
    case 's':
      return goQuote(typeof v === 'string' ? v : '');
    case 'b':
      return v === true ? 'true' : 'false';
    case 'y':
      return typeof v === 'string' && v ? `[]byte{${[...Buffer.from(v, 'base64')].map((b) => `0x${b.toString(16)}`).join(', ')}}` : '[]byte(nil)';
    default:
      return String(typeof v === 'number' ? v : 0);
  }
}

function element(type: string, v: unknown, slots: PointerSlots): string {
  if (type.length === 1) return scalar(type, v);
  if (type === 'meta.v1.Time') return goTime(v);
  if (type === 'api.resource.Quantity') return goQuantity(v, slots);
  if (type === 'util.intstr.IntOrString') return goIntOrString(v as number | string | undefined);
  return struct(type, (v ?? {}) as Record<string, unknown>, slots);
}

function field(message: string, row: FieldRow, obj: Record<string, unknown>, slots: PointerSlots): string {
  const [, json, type, flags = ''] = row;
  if (flags.includes('i')) return `${type.slice(type.lastIndexOf('.') + 1)}:${struct(type, obj, slots)}`;
  const v = obj[json];
  // ObjectMeta (and ListMeta) are embedded: Go names the field after its type.
  const name = type === 'meta.v1.ObjectMeta' || type === 'meta.v1.ListMeta' ? type.slice('meta.v1.'.length) : goFieldName(json);
  const absent = v === undefined || v === null;
  if (flags.includes('m')) {
    const mapType = type === 'api.resource.Quantity' ? 'core.ResourceList' : `map[string]${goTypeName(type)}`;
    if (absent) return `${name}:${mapType}(nil)`;
    const entries = Object.keys(v as object)
      .sort()
      .map((k) => `${goQuote(k)}:${element(type, (v as Record<string, unknown>)[k], slots)}`);
    return `${name}:${mapType}{${entries.join(', ')}}`;
  }
  if (flags.includes('r')) {
    const sliceType = `[]${goTypeName(type)}`;
    if (absent) return `${name}:${sliceType}(nil)`;
    return `${name}:${sliceType}{${(v as unknown[]).map((x) => element(type, x, slots)).join(', ')}}`;
  }
  if (flags.includes('p')) {
    // A *metav1.Time prints through its GoString: <nil> when unset (fmt's nil receiver).
    if (type === 'meta.v1.Time') return `${name}:${absent ? '<nil>' : goTime(v)}`;
    const pointee = pointerStringTypes[`${message}.${json}`] ?? goTypeName(type);
    return `${name}:(*${pointee})(${absent ? 'nil' : slots.address()})`;
  }
  return `${name}:${element(type, v, slots)}`;
}

function struct(message: string, obj: Record<string, unknown>, slots: PointerSlots): string {
  return `${goTypeName(message)}{${rowsOf(message)
    .map((row) => field(message, row, obj, slots))
    .join(', ')}}`;
}

/** A resource.Quantity as %#v prints it (a bad value of a quantity field: Quantity is no fmt.Stringer, its String has a pointer receiver). */
export function goQuantityLiteral(value: string | number): GoLiteral {
  return new GoLiteral(goQuantity(value, new PointerSlots()));
}

/** The value of type `message` (e.g. 'core.v1.PodTemplateSpec') as %#v prints its internal form. */
export function goStructLiteral(message: string, value: unknown): GoLiteral {
  return new GoLiteral(struct(message, (value ?? {}) as Record<string, unknown>, new PointerSlots()));
}
