// Command-line flags as Go programs take them: the standard `flag` package (http-echo:
// `-text=hi`, `-listen :5678`) and cobra/pflag (agnhost: `--port=9376`, `--udp`).
// Both accept `-name`, `--name`, `--name=value` and `--name value`; bools take no
// separate value (`--udp=false` to turn one off).

export type FlagKind = 'bool' | 'string' | 'int';

export interface FlagSpec {
  kind: FlagKind;
  default: string | number | boolean;
}

export type FlagValues = Record<string, string | number | boolean>;

export interface ParsedFlags {
  values: FlagValues;
  args: string[];
}

export class FlagError extends Error {}

/**
 * Parses `argv` against `specs`. `style` picks the wording of errors: the Go flag
 * package's ("flag provided but not defined: -x") or pflag's ("unknown flag: --x").
 * Go's flag package stops at the first non-flag; pflag keeps going (interspersed).
 */
export function parseFlags(argv: string[], specs: Record<string, FlagSpec>, style: 'go' | 'pflag'): ParsedFlags {
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.default;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (style === 'go') {
        args.push(...argv.slice(i));
        break;
      }
      args.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = specs[name];
    if (!spec) {
      throw new FlagError(style === 'go' ? `flag provided but not defined: -${name}` : `unknown flag: --${name}`);
    }
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (spec.kind === 'bool') raw = 'true';
    else if (i + 1 < argv.length) raw = argv[++i];
    else throw new FlagError(style === 'go' ? `flag needs an argument: -${name}` : `flag needs an argument: --${name}`);
    values[name] = convert(name, raw, spec.kind, style);
  }
  return { values, args };
}

function convert(name: string, raw: string, kind: FlagKind, style: 'go' | 'pflag'): string | number | boolean {
  const flag = style === 'go' ? `-${name}` : `--${name}`;
  if (kind === 'string') return raw;
  if (kind === 'bool') {
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
    throw new FlagError(`invalid boolean value "${raw}" for ${flag}: parse error`);
  }
  if (!/^[-+]?\d+$/.test(raw)) throw new FlagError(`invalid argument "${raw}" for "${flag}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
  return Number(raw);
}
