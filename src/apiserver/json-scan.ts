// One linear pass over a JSON body before it is parsed, for what JSON.parse cannot tell:
// nesting deeper than the API server's decoder accepts (Go's encoding/json scanner and
// sigs.k8s.io/json stop at 10000 levels), and duplicate keys, which the strict decoder
// reports as `duplicate field "metadata.name"` while JSON.parse silently keeps the last.
// Iterative, so no body can exhaust the stack; syntax errors are left to JSON.parse.
import { ApiError } from '../api/errors.js';

/** encoding/json's maxNestingDepth. */
export const maxJsonDepth = 10000;
/** The strict decoder stops collecting errors after this many. */
const maxDuplicates = 100;

interface Frame {
  object: boolean;
  keys?: Set<string>;
  /** The key being read in an object, or the index in an array (the strict path). */
  key: string;
  index: number;
}

/** Go's quoteChar as the scanner's SyntaxError prints the offending byte. */
function depthError(ch: string): ApiError {
  return ApiError.badRequest(`couldn't get version/kind; json parse error: invalid character '${ch}' exceeded max depth`);
}

function framePath(stack: Frame[], upTo: number): string {
  let path = '';
  for (let i = 0; i < upTo; i++) {
    const f = stack[i];
    if (f.object) path += path === '' ? f.key : `.${f.key}`;
    else path += `[${f.index}]`;
  }
  return path;
}

/** Throws 400 for nesting beyond maxJsonDepth; returns the strict paths of duplicate keys. */
export function scanJson(text: string): string[] {
  const stack: Frame[] = [];
  const duplicates: string[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      let escaped = false;
      for (i = start; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.object) {
        let key = text.slice(start, i);
        if (escaped) {
          try {
            key = JSON.parse(`"${key}"`) as string;
          } catch {
            return duplicates; // not JSON: JSON.parse reports it
          }
        }
        if (top.keys!.has(key)) {
          if (duplicates.length < maxDuplicates) {
            const parent = framePath(stack, stack.length - 1);
            duplicates.push(parent === '' ? key : `${parent}.${key}`);
          }
        } else top.keys!.add(key);
        top.key = key;
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxJsonDepth) throw depthError(text[i]);
      const object = c === 0x7b;
      stack.push({ object, keys: object ? new Set() : undefined, key: '', index: 0 });
      expectKey = object;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.object) expectKey = true;
      else if (top) top.index++;
    }
  }
  return duplicates;
}

/**
 * How deep a YAML body may nest. The API server's YAML decoder allows 10000 levels, but
 * the YAML parser kanzen uses recurses per level and exhausts the stack near 1000 (and
 * grows costly well before), so kanzen refuses deeper YAML up front, in one pass.
 */
export const maxYamlDepth = 512;

/** Columns of a line's nesting: each "- " sequence indicator, then the content. */
function lineColumns(line: string): { cols: number[]; content: string } {
  let i = 0;
  while (i < line.length && line[i] === ' ') i++;
  const cols = [i];
  while (line[i] === '-' && (i + 1 === line.length || line[i + 1] === ' ')) {
    i++;
    while (i < line.length && line[i] === ' ') i++;
    cols.push(i);
  }
  return { cols, content: line.slice(i) };
}

/**
 * Throws 400 when a YAML body nests deeper than maxYamlDepth: block nesting by indentation
 * (and sequence indicators) plus flow nesting ({ and [ outside quotes and comments). Block
 * scalars (| and >) are skipped. An estimate for a guard, linear in the text.
 */
export function checkYamlDepth(text: string, limit = maxYamlDepth): void {
  const levels: number[] = [];
  let flow = 0;
  let scalarParent = -1; // inside a block scalar: lines indented deeper than this
  for (const line of text.split('\n')) {
    const { cols, content } = lineColumns(line);
    if (content.trim() === '' || content.startsWith('#')) continue;
    if (scalarParent >= 0) {
      if (cols[0] > scalarParent) continue;
      scalarParent = -1;
    }
    if (flow === 0) {
      while (levels.length > 0 && levels[levels.length - 1] > cols[0]) levels.pop();
      for (const c of cols) if (levels.length === 0 || levels[levels.length - 1] < c) levels.push(c);
    }
    let quote = '';
    let end = content.length;
    for (let i = 0; i < content.length; i++) {
      const ch = content[i];
      if (quote) {
        if (quote === '"' && ch === '\\') i++;
        else if (ch === quote) quote = '';
        continue;
      }
      if (ch === '#' && (i === 0 || content[i - 1] === ' ')) {
        end = i;
        break;
      }
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '{' || ch === '[') flow++;
      else if ((ch === '}' || ch === ']') && flow > 0) flow--;
      if (levels.length + flow > limit) throw ApiError.badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${limit}`);
    }
    // "key: |", "- >-": the lines below, indented deeper, are text.
    if (flow === 0 && /(^|[\s:])[|>][-+0-9]*$/.test(content.slice(0, end).trimEnd())) {
      scalarParent = cols[0];
    }
    if (levels.length + flow > limit) throw ApiError.badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${limit}`);
  }
}
