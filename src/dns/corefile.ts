// The Corefile (Caddyfile syntax, as CoreDNS reads it): server blocks `KEYS { … }` whose
// keys are zones with optional ports (`.:53`, `dns://cluster.local:5353`), lines of
// directives with arguments, nested `{ … }` blocks, `#` comments, quoted arguments and
// `{$ENV}` substitution. Errors name the file and line as CoreDNS does
// ("Corefile:3 - Error during parsing: …").

export interface Directive {
  name: string;
  args: string[];
  /** The nested block's lines (empty when there is none). */
  block: Directive[];
  line: number;
}

export interface ServerKey {
  zone: string;
  port: number;
  scheme: string;
}

export interface ServerBlock {
  keys: ServerKey[];
  directives: Directive[];
  line: number;
}

export class CorefileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    msg: string,
  ) {
    super(`${file}:${line} - Error during parsing: ${msg}`);
  }
}

interface Token {
  text: string;
  line: number;
  quoted: boolean;
}

function tokenize(src: string, file: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
      out.push({ text: '\n', line: line - 1, quoted: false });
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === '`') {
      const start = line;
      let text = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && c === '"' && i + 1 < src.length && (src[i + 1] === '"' || src[i + 1] === '\\')) i++;
        if (src[i] === '\n') line++;
        text += src[i++];
      }
      if (i >= src.length) throw new CorefileError(file, start, 'Unterminated quoted string');
      i++;
      out.push({ text, line: start, quoted: true });
      continue;
    }
    let text = '';
    while (i < src.length && !' \t\r\n'.includes(src[i])) {
      if (src[i] === '#' && text === '') break;
      text += src[i++];
    }
    out.push({ text: substituteEnv(text), line, quoted: false });
  }
  return out;
}

function substituteEnv(s: string): string {
  return s.replace(/\{\$([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => process.env[v] ?? '');
}

/** Lines of tokens, with `{` and `}` kept as their own tokens. */
function lines(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.text === '\n' && !t.quoted) {
      if (cur.length) out.push(cur);
      cur = [];
      continue;
    }
    // A `}` closes the current line too (`forward . 1.1.1.1 }` is not allowed, but `{ }` on one line is).
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

function isOpen(t: Token | undefined): boolean {
  return !!t && !t.quoted && t.text === '{';
}
function isClose(t: Token | undefined): boolean {
  return !!t && !t.quoted && t.text === '}';
}

export function parseServerKey(key: string, file: string, line: number): ServerKey {
  let scheme = 'dns';
  let rest = key;
  const m = rest.match(/^([a-z0-9+]+):\/\/(.*)$/);
  if (m) {
    scheme = m[1];
    rest = m[2];
  }
  let port = 53;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.includes('::') && rest.indexOf(':') === colon) {
    const p = rest.slice(colon + 1);
    if (!/^\d+$/.test(p) || Number(p) > 65535) throw new CorefileError(file, line, `Invalid port '${p}' in server key '${key}'`);
    port = Number(p);
    rest = rest.slice(0, colon);
  }
  if (rest === '') rest = '.';
  return { zone: normalizeZone(rest), port, scheme };
}

/** Lower-case absolute zone name. */
export function normalizeZone(z: string): string {
  const s = z.toLowerCase();
  return s === '.' ? '.' : s.endsWith('.') ? s : s + '.';
}

export function parseCorefile(src: string, file = 'Corefile'): ServerBlock[] {
  const ls = lines(tokenize(src, file));
  const blocks: ServerBlock[] = [];
  let i = 0;

  // Parses directives until the matching `}`; returns the index after it.
  const parseBody = (start: number, openLine: number, into: Directive[]): number => {
    let j = start;
    while (j < ls.length) {
      let toks = ls[j];
      if (isClose(toks[0])) {
        if (toks.length > 1) {
          // `} something` — anything after a closing brace on the same line starts a new line.
          ls.splice(j + 1, 0, toks.slice(1));
        }
        return j + 1;
      }
      const closeAt = toks.findIndex((t, k) => k > 0 && isClose(t) && !isOpen(toks[k - 1]));
      if (closeAt > 0) {
        // `directive args }`: split so the brace closes the block.
        ls.splice(j + 1, 0, toks.slice(closeAt));
        toks = toks.slice(0, closeAt);
      }
      if (isOpen(toks[0])) throw new CorefileError(file, toks[0].line, "Unexpected '{'");
      const d: Directive = { name: toks[0].text, args: [], block: [], line: toks[0].line };
      const last = toks[toks.length - 1];
      const opens = isOpen(last) && toks.length > 1;
      const argToks = opens ? toks.slice(1, -1) : toks.slice(1);
      for (const t of argToks) {
        if (!t.quoted && (t.text === '{' || t.text === '}')) {
          // `{ }` on one line: an empty block.
          if (t.text === '{' && argToks[argToks.length - 1] === t) continue;
          if (t.text === '}' && argToks.length >= 2 && isOpen(argToks[argToks.indexOf(t) - 1])) continue;
          throw new CorefileError(file, t.line, `Unexpected '${t.text}'`);
        }
        d.args.push(t.text);
      }
      into.push(d);
      if (opens) j = parseBody(j + 1, last.line, d.block);
      else j++;
    }
    throw new CorefileError(file, openLine, "Unexpected EOF: missing '}'");
  };

  while (i < ls.length) {
    const toks = ls[i];
    if (isClose(toks[0])) throw new CorefileError(file, toks[0].line, "Unexpected '}'");
    const keyToks: Token[] = [];
    let opened = false;
    let line = toks[0].line;
    for (let k = 0; k < toks.length; k++) {
      if (isOpen(toks[k])) {
        if (k !== toks.length - 1) throw new CorefileError(file, toks[k].line, "Unexpected '{' in server block keys");
        opened = true;
        line = toks[k].line;
        break;
      }
      keyToks.push(toks[k]);
    }
    // Keys may continue on following lines when separated by commas.
    const keys = keyToks
      .flatMap((t) => t.text.split(','))
      .filter(Boolean)
      .map((k) => parseServerKey(k, file, toks[0].line));
    if (!keys.length) throw new CorefileError(file, toks[0].line, 'Expected server block keys');
    const block: ServerBlock = { keys, directives: [], line: toks[0].line };
    if (!opened) {
      // A key line without braces: the rest of the file is its body (Caddyfile allows this
      // for a single server block).
      if (blocks.length > 0) throw new CorefileError(file, toks[0].line, "Expected '{'");
      for (let j = i + 1; j < ls.length; j++) {
        const t = ls[j];
        block.directives.push({ name: t[0].text, args: t.slice(1).map((x) => x.text), block: [], line: t[0].line });
      }
      blocks.push(block);
      break;
    }
    i = parseBody(i + 1, line, block.directives);
    blocks.push(block);
  }
  return blocks;
}

/** The duration syntax CoreDNS accepts (Go's time.ParseDuration): 5s, 1m30s, 250ms. */
export function parseDuration(s: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) return null;
    consumed += m[0].length;
    const v = Number(m[1]);
    const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]]!;
    total += v * unit;
  }
  if (consumed !== s.length || consumed === 0) return null;
  return total;
}
