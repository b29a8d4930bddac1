// cel-go's has() macro accepts any select expression, `has(self.matches[0].path)` included
// (Gateway API's HTTPRoute CRD relies on it); cel-js's has() only accepts a chain of field
// selections from a variable. kanzen rewrites the presence tests cel-js refuses into a call of
// one library function with the same meaning — `has(X.f)` → `kanzen_has_field(X, 'f')`: true
// when X (a map or object) has the field — before checking and evaluating. A rule without
// such a test is left as written, so error positions stay cel-go's.

export const hasFieldFunction = 'kanzen_has_field';

/** Skips a quoted string starting at i; returns the index after it. */
function skipString(s: string, i: number): number {
  const q = s[i];
  const triple = s.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  let j = i + close.length;
  while (j < s.length && !s.startsWith(close, j)) j += s[j] === '\\' ? 2 : 1;
  return j + close.length;
}

/** The index of the parenthesis closing the one opened just before start. */
function closingParen(s: string, start: number): number {
  let depth = 1;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") i = skipString(s, i) - 1;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && --depth === 0) return i;
  }
  return -1;
}

/** The argument's operand and field when it is a selection cel-js's has() refuses (its operand is not a plain chain). */
function unsupportedSelection(arg: string): { operand: string; field: string } | undefined {
  const m = /^([\s\S]*[^\s.])\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)$/.exec(arg.trim());
  if (!m || /^[A-Za-z_][A-Za-z0-9_]*(\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*$/.test(m[1])) return undefined;
  return { operand: m[1], field: m[2] };
}

export function rewriteHasSelections(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '"' || c === "'") {
      const end = skipString(source, i);
      out += source.slice(i, end);
      i = end;
      continue;
    }
    const m = /^has\s*\(/.exec(source.slice(i, i + 12));
    const wordStart = i === 0 || !/[A-Za-z0-9_.]/.test(source[i - 1]);
    if (m && wordStart) {
      const open = i + m[0].length;
      const close = closingParen(source, open);
      const sel = close < 0 ? undefined : unsupportedSelection(source.slice(open, close));
      if (sel) {
        out += `${hasFieldFunction}(${rewriteHasSelections(sel.operand)}, '${sel.field}')`;
        i = close + 1;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** The library function the rewrite calls: presence of a field in an object value. */
export function hasField(value: unknown, field: string): boolean {
  if (value instanceof Map) return value.has(field);
  return value !== null && typeof value === 'object' && Object.hasOwn(value, field);
}
