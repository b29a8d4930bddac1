// String validators with apimachinery's exact messages
// (k8s.io/apimachinery/pkg/util/validation at v0.33: validation.go, ip.go), plus the
// FieldError-returning wrappers pkg/apis/core/validation builds on them.
import { isIP } from 'node:net';
import { field, type FieldError } from '../errors.js';

// ---- message builders (validation.MaxLenError, RegexError, …) ----

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

// ---- DNS names ----

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123LabelMaxLength = 63;
const dns1123LabelRegexp = new RegExp(`^${dns1123LabelFmt}$`);

const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrorMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const DNS1123SubdomainMaxLength = 253;
const dns1123SubdomainRegexp = new RegExp(`^${dns1123SubdomainFmt}$`);

const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelErrMsg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
export const DNS1035LabelMaxLength = 63;
const dns1035LabelRegexp = new RegExp(`^${dns1035LabelFmt}$`);

/** validation.IsDNS1123Label (1.33 says "must not contain dots" for a valid subdomain). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123LabelMaxLength) errs.push(maxLenError(DNS1123LabelMaxLength));
  if (!dns1123LabelRegexp.test(value)) {
    if (dns1123SubdomainRegexp.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRegexp.test(value)) errs.push(regexError(dns1123SubdomainErrorMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1035LabelMaxLength) errs.push(maxLenError(DNS1035LabelMaxLength));
  if (!dns1035LabelRegexp.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

const wildcardDNS1123SubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardDNS1123SubdomainErrMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const wildcardDNS1123SubdomainRegexp = new RegExp(`^${wildcardDNS1123SubdomainFmt}$`);

/** validation.IsWildcardDNS1123Subdomain: "*." and a DNS subdomain (Ingress hosts, TLS hosts). */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!wildcardDNS1123SubdomainRegexp.test(value)) errs.push(regexError(wildcardDNS1123SubdomainErrMsg, wildcardDNS1123SubdomainFmt, '*.example.com'));
  return errs;
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRegexp = new RegExp(`^${httpPathFmt}$`);

/** validation.IsDomainPrefixedPath: a DNS subdomain, "/", and an RFC 3986 path (IngressClass controllers). */
export function isDomainPrefixedPath(path: string, value: string): FieldError[] {
  if (value.length === 0) return [field.required(path, '')];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || rest.length === 0) return [field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => field.invalid(path, host, m));
  if (!httpPathRegexp.test(rest)) errs.push(field.invalid(path, rest, regexError('Invalid path', httpPathFmt)));
  return errs;
}

// ---- qualified names (label keys, annotation keys, finalizers) and label values ----

const qnameCharFmt = '[A-Za-z0-9]';
const qnameExtCharFmt = '[-A-Za-z0-9_.]';
const qualifiedNameFmt = `(${qnameCharFmt}${qnameExtCharFmt}*)?${qnameCharFmt}`;
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRegexp = new RegExp(`^${qualifiedNameFmt}$`);

export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (name.length > qualifiedNameMaxLength) errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  if (!qualifiedNameRegexp.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LabelValueMaxLength = 63;
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`);

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LabelValueMaxLength) errs.push(maxLenError(LabelValueMaxLength));
  if (!labelValueRegexp.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- ports ----

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** IANA_SVC_NAME (RFC 6335): port names and named targetPorts. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

// ---- keys, env names, percents, headers ----

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return [`must not be '.'`];
  if (value === '..') return [`must not be '..'`];
  if (value.startsWith('..')) return [`must not start with '..'`];
  return [];
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const configMapKeyErrMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!new RegExp(`^${configMapKeyFmt}$`).test(value)) errs.push(regexError(configMapKeyErrMsg, configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const envVarNameFmtErrMsg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";

export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${envVarNameFmt}$`).test(value)) errs.push(regexError(envVarNameFmtErrMsg, envVarNameFmt, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/** RelaxedEnvironmentVariableValidation is beta and on by default in 1.32+, so pods use this one. */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c > 0x7e || c < 0x20 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

const percentFmt = '[0-9]+%';
export function isValidPercent(percent: string): string[] {
  if (!new RegExp(`^${percentFmt}$`).test(percent)) {
    return [regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%')];
  }
  return [];
}

const httpHeaderNameFmt = '[-A-Za-z0-9]+';
export function isHTTPHeaderName(value: string): string[] {
  if (!new RegExp(`^${httpHeaderNameFmt}$`).test(value)) {
    return [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", httpHeaderNameFmt, 'X-Header-Name')];
  }
  return [];
}

// ---- object names (apimachinery/pkg/api/validation/generic.go) ----

export type NameValidator = (name: string, prefix: boolean) => string[];

/** A generateName prefix may end in '-': mask it so the rest is checked. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

// ---- IP addresses and CIDRs (ip.go) ----

export type IPFamily = 'IPv4' | 'IPv6';

/** netutils.ParseIPSloppy: IPv4 may carry leading zeros (read as decimal). Returns canonical text. */
export function parseIPSloppy(value: string): { family: IPFamily; canonical: string; bytes: number[] } | undefined {
  if (/^[0-9]+(\.[0-9]+){3}$/.test(value)) {
    const parts = value.split('.').map((p) => Number.parseInt(p, 10));
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 'IPv4', canonical: parts.join('.'), bytes: parts };
  }
  if (!value.includes(':') || value.includes('%')) return undefined;
  const normalized = normalizeEmbeddedIPv4(value);
  if (normalized === undefined || isIP(normalized) !== 6) return undefined;
  const bytes = ipv6Bytes(normalized);
  if (!bytes) return undefined;
  if (isV4Mapped(bytes)) return { family: 'IPv4', canonical: bytes.slice(12).join('.'), bytes: bytes.slice(12) };
  return { family: 'IPv6', canonical: formatIPv6(bytes), bytes };
}

function normalizeEmbeddedIPv4(value: string): string | undefined {
  const m = /^(.*:)([0-9]+(?:\.[0-9]+){3})$/.exec(value);
  if (!m) return value;
  const parts = m[2].split('.').map((p) => Number.parseInt(p, 10));
  if (parts.some((p) => p > 255)) return undefined;
  return m[1] + parts.join('.');
}

function ipv6Bytes(value: string): number[] | undefined {
  let text = value;
  const v4 = /([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(text);
  if (v4) {
    const b = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail !== undefined ? [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups] : headGroups;
  if (groups.length !== 8) return undefined;
  const bytes: number[] = [];
  for (const g of groups) {
    const n = Number.parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

function isV4Mapped(bytes: number[]): boolean {
  return bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** RFC 5952 text, as Go's net.IP.String() prints IPv6. */
function formatIPv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function ipFamilyOf(value: string): IPFamily | undefined {
  return parseIPSloppy(value)?.family;
}

function parseIPErrors(path: string, value: string, strict: boolean): FieldError[] {
  const ip = parseIPSloppy(value);
  if (!ip) return [field.invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  if (!strict) return [];
  const errs: FieldError[] = [];
  // netip.ParseAddr refuses leading zeros in IPv4 octets; IPv4-mapped IPv6 is refused explicitly.
  const v4part = /([0-9]+(?:\.[0-9]+){3})$/.exec(value)?.[1];
  if (v4part && v4part.split('.').some((p) => p.length > 1 && p.startsWith('0'))) errs.push(field.invalid(path, value, 'must not have leading 0s'));
  if (value.includes(':') && ip.family === 'IPv4') errs.push(field.invalid(path, value, 'must not be an IPv4-mapped IPv6 address'));
  return errs;
}

/** validation.IsValidIP: strict and canonical. */
export function isValidIP(path: string, value: string): FieldError[] {
  const errs = parseIPErrors(path, value, true);
  if (errs.length) return errs;
  const canonical = parseIPSloppy(value)?.canonical ?? value;
  if (canonical !== value) return [field.invalid(path, value, `must be in canonical form (${JSON.stringify(canonical)})`)];
  return [];
}

/** validation.IsValidIPForLegacyField (non-strict: the StrictIPCIDRValidation gate is off in 1.33). */
export function isValidIPForLegacyField(path: string, value: string): FieldError[] {
  return parseIPErrors(path, value, false);
}

/** ValidateNonSpecialIP: addresses that cannot name a real endpoint or external IP. */
export function validateNonSpecialIP(path: string, value: string): FieldError[] {
  const ip = parseIPSloppy(value);
  if (!ip) return [field.invalid(path, value, 'must be a valid IP address')];
  const b = ip.bytes;
  const errs: FieldError[] = [];
  const v4 = ip.family === 'IPv4';
  if (b.every((x) => x === 0)) errs.push(field.invalid(path, value, `may not be unspecified (${value})`));
  if ((v4 && b[0] === 127) || (!v4 && b.slice(0, 15).every((x) => x === 0) && b[15] === 1)) {
    errs.push(field.invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  }
  if ((v4 && b[0] === 169 && b[1] === 254) || (!v4 && b[0] === 0xfe && (b[1] & 0xc0) === 0x80)) {
    errs.push(field.invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  }
  if ((v4 && b[0] === 224 && b[1] === 0 && b[2] === 0) || (!v4 && b[0] === 0xff && (b[1] & 0x0f) === 0x02)) {
    errs.push(field.invalid(path, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

interface ParsedCIDR {
  family: IPFamily;
  canonical: string;
  hostBitsSet: boolean;
  /** The network address's bytes (4 for IPv4, 16 for IPv6) and its prefix length in that family. */
  network: number[];
  prefixLen: number;
}

function parseCIDRSloppy(value: string): ParsedCIDR | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPSloppy(value.slice(0, slash));
  const lenText = value.slice(slash + 1);
  if (!ip || !/^[0-9]+$/.test(lenText)) return undefined;
  const bits = Number.parseInt(lenText, 10);
  const isV6Text = value.slice(0, slash).includes(':');
  const max = isV6Text ? 128 : 32;
  if (bits > max) return undefined;
  const bytes = isV6Text && ip.family === 'IPv4' ? [...Array<number>(10).fill(0), 0xff, 0xff, ...ip.bytes] : ip.bytes;
  const masked = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  const hostBitsSet = masked.some((m, i) => m !== bytes[i]);
  const family: IPFamily = ip.family === 'IPv4' && !isV6Text ? 'IPv4' : ip.family;
  const text = family === 'IPv4' ? masked.slice(-4).join('.') : formatIPv6(masked);
  const prefixLen = family === 'IPv4' && isV6Text ? bits - 96 : bits;
  const network = family === 'IPv4' ? masked.slice(-4) : masked;
  return { family, canonical: `${text}/${prefixLen}`, hostBitsSet, network, prefixLen };
}

/** validation.IsValidCIDR: strict and canonical. */
export function isValidCIDR(path: string, value: string): FieldError[] {
  const cidr = parseCIDRSloppy(value);
  if (!cidr) return [field.invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
  const slash = value.indexOf('/');
  const addr = value.slice(0, slash);
  const len = value.slice(slash + 1);
  if ((len.length > 1 && len.startsWith('0')) || addr.split('.').some((p) => /^[0-9]+$/.test(p) && p.length > 1 && p.startsWith('0'))) {
    return [field.invalid(path, value, 'must not have leading 0s in IP or prefix length')];
  }
  if (addr.includes(':') && cidr.family === 'IPv4') return [field.invalid(path, value, 'must not have an IPv4-mapped IPv6 address')];
  if (cidr.hostBitsSet) return [field.invalid(path, value, 'must not have bits set beyond the prefix length')];
  if (cidr.canonical !== value) return [field.invalid(path, value, `must be in canonical form (${JSON.stringify(cidr.canonical)})`)];
  return [];
}

/**
 * validation.IsValidCIDRForLegacyField with StrictIPCIDRValidation off (1.33): any CIDR
 * ParseCIDRSloppy reads, host bits and leading zeros allowed; values the old object already
 * held pass unchecked on update.
 */
export function isValidCIDRForLegacyField(path: string, value: string, validOldCIDRs: readonly string[] = []): FieldError[] {
  if (validOldCIDRs.includes(value)) return [];
  return parseCIDRSloppy(value) ? [] : [field.invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * Whether `inner` is a strict subset of `outer` (both as ParseCIDRSloppy reads them): the
 * outer network contains the inner network's address and has the shorter prefix, as
 * NetworkPolicy's ipBlock.except requires.
 */
export function isStrictCIDRSubset(inner: string, outer: string): boolean {
  const a = parseCIDRSloppy(outer);
  const b = parseCIDRSloppy(inner);
  if (!a || !b || a.family !== b.family) return false;
  if (a.prefixLen >= b.prefixLen) return false;
  return a.network.every((byte, i) => {
    const keep = Math.max(0, Math.min(8, a.prefixLen - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    return (b.network[i] & mask) === byte;
  });
}

export function cidrFamilyOf(value: string): IPFamily | undefined {
  return parseCIDRSloppy(value)?.family;
}

// ---- FieldError wrappers used across kinds ----

export function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => field.invalid(path, value, m));
}

export function validateDNS1123Subdomain(value: string, path: string): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => field.invalid(path, value, m));
}

export function validateQualifiedName(value: string, path: string): FieldError[] {
  return isQualifiedName(value).map((m) => field.invalid(path, value, m));
}

export const isNegativeErrorMsg = 'must be greater than or equal to 0';

export function validateNonnegativeField(value: number, path: string): FieldError[] {
  return value < 0 ? [field.invalid(path, value, isNegativeErrorMsg)] : [];
}

/** ValidatePortNumOrName: an IntOrString port (targetPort, probe ports). */
export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => field.invalid(path, port, m));
  return isValidPortNum(0).map((m) => field.invalid(path, 0, m));
}

// ---- path segments (apimachinery/pkg/api/validation/path) ----

/** IsValidPathSegmentName: a name that can stand as one segment of a URL path. */
export function isValidPathSegmentName(name: string): string[] {
  for (const illegal of ['.', '..']) if (name === illegal) return [`may not be '${illegal}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}
