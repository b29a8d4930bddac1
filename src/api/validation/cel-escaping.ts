// How a schema property name is spelled in CEL (upstream apiserver/pkg/cel/escaping.go):
// CEL's reserved words become __word__ (Gateway API's rules read `p.__namespace__`), and
// "__", ".", "-", "/" inside a name become __underscores__, __dot__, __dash__, __slash__.
// A name that still is no identifier (a leading digit, other punctuation) is not accessible
// to rules.

const celReservedSymbols = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

const expansions: Record<string, string> = { __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' };

/** The property's name in CEL, or undefined when rules cannot address it. */
export function escapeCelPropertyName(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (celReservedSymbols.has(name)) return `__${name}__`;
  const escaped = name.replace(/__|[-./]/g, (s) => expansions[s]);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(escaped) ? escaped : undefined;
}
