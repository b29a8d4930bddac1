// A JSON path into a structural schema (upstream apiserver/schema/cel ValidFieldPath): `.a.b`
// steps into properties (or a map's values), `['key']` does the same with a quoted name. Used
// for the selectable fields of a CRD version (without array notation) and rules' fieldPath.
import type { JSONSchemaProps } from '../types.js';

export type SchemaFieldPath = { path: string; schema: JSONSchemaProps } | { error: string };

const unescape = (s: string): string | undefined => {
  let bad = false;
  const out = s.replace(/\\(.)/g, (_, c: string) => {
    const known: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', "'": "'", '\\': '\\' };
    if (known[c] === undefined) bad = true;
    return known[c] ?? '';
  });
  return bad ? undefined : out;
};

/** Splits the path into '.', '[', ']' and the text between them (a quoted string kept whole). */
function tokens(jsonPath: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < jsonPath.length) {
    const c = jsonPath[i];
    if (c === '.' || c === '[' || c === ']') {
      out.push(c);
      i++;
    } else if (c === "'") {
      let j = i + 1;
      while (j < jsonPath.length && !(jsonPath[j] === "'" && jsonPath[j - 1] !== '\\')) j++;
      out.push(jsonPath.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < jsonPath.length && !'.[]'.includes(jsonPath[j])) j++;
      out.push(jsonPath.slice(i, j));
      i = j;
    }
  }
  return out;
}

export function schemaFieldPath(jsonPath: string, root: JSONSchemaProps, allowArrayNotation = true): SchemaFieldPath {
  let schema: JSONSchemaProps | undefined = root;
  const parts: string[] = [];
  const step = (name: string): string | undefined => {
    if (schema?.properties) {
      schema = schema.properties[name];
      parts.push(parts.length ? `.${name}` : name);
      return schema ? undefined : 'does not refer to a valid field';
    }
    if (schema?.additionalProperties && typeof schema.additionalProperties === 'object') {
      schema = schema.additionalProperties;
      parts.push(`[${name}]`);
      return undefined;
    }
    return 'does not refer to a valid field';
  };
  const toks = tokens(jsonPath);
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok === '[') {
      if (!allowArrayNotation) return { error: 'array notation is not allowed' };
      const quoted = toks[++i];
      if (quoted === undefined) return { error: 'unexpected end of JSON path' };
      if (quoted.length < 2 || !quoted.startsWith("'") || !quoted.endsWith("'")) return { error: `expected single quoted string but got ${quoted}` };
      const name = unescape(quoted.slice(1, -1));
      if (name === undefined) return { error: 'invalid string literal' };
      const err = step(name);
      if (err) return { error: err };
      const close = toks[++i];
      if (close === undefined) return { error: 'unexpected end of JSON path' };
      if (close !== ']') return { error: `expected ] but got ${close}` };
    } else if (tok === '.') {
      const name = toks[++i];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const err = step(name);
      if (err) return { error: err };
    } else return { error: `expected [ or . but got: ${tok}` };
  }
  return { path: parts.join(''), schema: schema! };
}
