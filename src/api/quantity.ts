// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): "50m", "32Mi",
// "1e3", "1.5Gi". Parsed to a plain number of base units (cores, bytes), which is
// precise enough for comparisons and scheduling arithmetic in kanzen.

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalSuffixes: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

// Sign, digits with an optional fraction, then a binary/decimal suffix or an exponent.
const quantityRegexp = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

/** The message apimachinery gives when a quantity does not parse (resource.ErrFormatWrong). */
export const quantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export function isValidQuantity(s: string | number): boolean {
  if (typeof s === 'number') return Number.isFinite(s);
  return quantityRegexp.test(s.trim() === s ? s : '');
}

/** Value in base units of a quantity field; an unset (or unparsable) one is the zero Quantity. */
export function quantityOrZero(q: string | number | undefined | null): number {
  return q !== undefined && q !== null && isValidQuantity(q) ? parseQuantity(q) : 0;
}

/** Value in base units; throws on a malformed quantity. */
export function parseQuantity(s: string | number): number {
  if (typeof s === 'number') {
    if (!Number.isFinite(s)) throw new Error(quantityFormatError);
    return s;
  }
  const m = quantityRegexp.exec(s);
  if (!m) throw new Error(quantityFormatError);
  const num = Number.parseFloat(m[1]);
  const suffix = m[2] ?? '';
  if (suffix in binarySuffixes) return num * binarySuffixes[suffix];
  if (suffix in decimalSuffixes) return num * decimalSuffixes[suffix];
  return num * 10 ** Number.parseInt(suffix.slice(1), 10);
}

/**
 * Quantity.MilliValue(): the value in thousandths, rounded up (the HPA's metrics and requests
 * are compared in milli-units: millicores, milli-bytes). A value that is whole up to float
 * noise stays whole, so "300m" is 300 and not 301.
 */
export function milliValue(q: string | number): number {
  const m = parseQuantity(q) * 1000;
  const whole = Math.round(m);
  return Math.abs(m - whole) <= Math.abs(m) * 1e-12 + 1e-9 ? whole : Math.ceil(m);
}

const binaryUnits: [string, number][] = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
const decimalUnits: [string, number][] = [['E', 18], ['P', 15], ['T', 12], ['G', 9], ['M', 6], ['k', 3], ['', 0], ['m', -3], ['u', -6], ['n', -9]];

/** Whether a quantity is written in binary SI (Ki, Mi, ...), the format its sums keep. */
export function isBinaryQuantity(q: string | number): boolean {
  return typeof q === 'string' && /(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(q);
}

/**
 * A value in base units as apimachinery's Quantity.String() writes it: the largest unit that
 * keeps the number whole (1500m, 2, 1k; 256Mi in binary SI, a plain whole number when no binary
 * unit divides it, decimal when it is not whole), rounded up to nanounits.
 */
export function formatQuantity(value: number, binary = false): string {
  if (value === 0) return '0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (binary && Number.isInteger(abs)) {
    for (const [suffix, unit] of binaryUnits) if (abs >= unit && abs % unit === 0) return `${sign}${abs / unit}${suffix}`;
    // A whole number no binary unit divides stays whole in binary SI (1000000, not 1M).
    return `${sign}${abs}`;
  }
  const nanos = BigInt(Math.ceil(Math.round(abs * 1e9 * 1000) / 1000));
  for (const [suffix, exp] of decimalUnits) {
    const unit = 10n ** BigInt(exp + 9);
    if (nanos % unit === 0n) return `${sign}${nanos / unit}${suffix}`;
  }
  return `${sign}${nanos}n`;
}

/** A quantity in its canonical form ("1000m" → "1", "1024Ki" → "1Mi"). */
export function canonicalQuantity(q: string | number): string {
  return formatQuantity(parseQuantity(q), isBinaryQuantity(q));
}
