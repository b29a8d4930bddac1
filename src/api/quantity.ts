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
