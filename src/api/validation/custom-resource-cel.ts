// CEL validation rules of a custom resource schema (x-kubernetes-validations), as the
// apiextensions-apiserver runs them (apiserver/schema/cel/validation.go): each rule is compiled
// against the type the schema gives `self` (and `oldSelf`) at its node, and evaluated on create
// and update wherever the value is present; transition rules (those using oldSelf) only where
// an old value correlates (same property or map key, same key in a list-type=map list).
// A failing rule is reported at the node (or its fieldPath) as upstream words it:
// `spec: Invalid value: "object": <message>`, the message being message, messageExpression's
// result or `failed rule: <rule>`. The CRD's own validation rejects rules that do not compile.
//
// The CEL implementation is @marcbachmann/cel-js: type checking uses the schema's types, and
// evaluation runs on the same values untyped (the library's typed objects do not reach into
// list items and map values). Rules ratchet: a value unchanged from the stored object passes
// (upstream warns). Not modelled: ratcheting of the schema's value validations (only rules
// ratchet), optionalOldSelf (refused in the CRD), the cost
// budget and estimated-cost limits, the
// compiler's exact wording of type errors (the library's own text follows "ERROR: <input>:L:C:"),
// ratcheting of unchanged values, and the libraries cel-libraries.ts lists as not provided.
import { Environment } from '@marcbachmann/cel-js';
import { field, goQuote, type FieldError } from '../errors.js';
import type { JSONSchemaProps, ValidationRule } from '../types.js';
import { registerKubernetesLibraries } from './cel-libraries.js';
import { schemaFieldPath } from './schema-field-path.js';

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const subSchema = (s: JSONSchemaProps['items'] | JSONSchemaProps['additionalProperties']): JSONSchemaProps | undefined =>
  isObj(s) ? (s as JSONSchemaProps) : undefined;

const environmentOptions = { enableOptionalTypes: true, homogeneousAggregateLiterals: false } as const;

/** Runs rules on untyped values (maps, lists, int as bigint, double as number). */
const evaluation = registerKubernetesLibraries(new Environment({ ...environmentOptions, unlistedVariablesAreDyn: true }));

// ---- types of self ------------------------------------------------------------------

/** The CEL type of a schema node, registering object types on env as it goes. */
function celType(env: Environment, s: JSONSchemaProps, name: string, root: boolean): string {
  if (s['x-kubernetes-int-or-string']) return 'dyn';
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  switch (s.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'array': {
      const items = subSchema(s.items);
      return items ? `list<${celType(env, items, `${name}_items`, false)}>` : 'list<dyn>';
    }
    case 'object': {
      const additional = subSchema(s.additionalProperties);
      if (additional) return `map<string, ${celType(env, additional, `${name}_values`, false)}>`;
      if (!s.properties && !root && !s['x-kubernetes-embedded-resource']) return preserve ? 'dyn' : 'map<string, dyn>';
      if (preserve) return 'dyn';
      const fields: Record<string, string> = {};
      for (const [k, p] of Object.entries(s.properties ?? {})) fields[k] = celType(env, p, `${name}_${k.replace(/[^A-Za-z0-9]/g, '_')}`, false);
      if (root || s['x-kubernetes-embedded-resource']) {
        fields.apiVersion = 'string';
        fields.kind = 'string';
        // Only name and generateName of the metadata are visible to rules (upstream WithTypeAndObjectMeta).
        const meta = `${name}_metadata`;
        env.registerType({ name: meta, schema: { name: 'string', generateName: 'string' } });
        env.registerOperator(`${meta} == ${meta}`, (a: unknown, b: unknown) => sameValue(a, b));
        fields.metadata = meta;
      }
      env.registerType({ name, schema: fields });
      env.registerOperator(`${name} == ${name}`, (a: unknown, b: unknown) => sameValue(a, b));
      return name;
    }
    default:
      return 'dyn';
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  const text = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Map ? Object.fromEntries(x) : x));
  return text(a) === text(b);
}

/** An environment where self and oldSelf have the node's type (for type checking). */
function typedEnvironment(s: JSONSchemaProps, root: boolean): Environment {
  const env = registerKubernetesLibraries(new Environment(environmentOptions));
  const type = celType(env, s, 'Object', root);
  env.registerVariable('self', type);
  env.registerVariable('oldSelf', type);
  return env;
}

// ---- compiling ------------------------------------------------------------------------

interface CompiledRule {
  rule: ValidationRule;
  /** upstream's compile error detail ("compilation failed: ERROR: …"), when the rule does not compile. */
  error?: string;
  messageError?: string;
  usesOldSelf: boolean;
}

const compiledRules = new WeakMap<JSONSchemaProps, CompiledRule[]>();

interface CelError {
  summary?: string;
  message: string;
  range?: { start: number };
}

const operatorNames: Record<string, string> = {
  '<': '_<_', '<=': '_<=_', '>': '_>_', '>=': '_>=_', '==': '_==_', '!=': '_!=_', '+': '_+_', '-': '_-_',
  '*': '_*_', '/': '_/_', '%': '_%_', '&&': '_&&_', '||': '_||_', in: '@in',
};

/** The library's type-check message in cel-go's words, for the errors rules commonly have. */
function celGoWording(summary: string): string {
  let m = /^no such overload: (.+) (<=|>=|==|!=|&&|\|\||in|<|>|\+|-|\*|\/|%) (.+)$/.exec(summary);
  if (m) return `found no matching overload for '${operatorNames[m[2]]}' applied to '(${m[1]}, ${m[3]})'`;
  m = /^No such key: (.+)$/.exec(summary);
  if (m) return `undefined field '${m[1]}'`;
  m = /^Unknown variable: (.+)$/.exec(summary);
  if (m) return `undeclared reference to '${m[1]}' (in container '')`;
  m = /^found no matching overload for '([\w.<>, ]+)\.(\w+)\((.*)\)'$/.exec(summary);
  if (m) return `found no matching overload for '${m[2]}' applied to '${m[1]}.(${m[3]})'`;
  m = /^found no matching overload for '(\w+)\((.*)\)'$/.exec(summary);
  if (m) return `undeclared reference to '${m[1]}' (in container '')`;
  return summary;
}

/** cel-go's issue text: ERROR: <input>:line:column: message, then the source line and a caret. */
function issueText(source: string, e: CelError): string {
  let offset = Math.min(e.range?.start ?? 0, source.length);
  // cel-go points at a binary operator, the library at the expression's start.
  const op = /^no such overload: .+ (<=|>=|==|!=|&&|\|\||in|<|>|\+|-|\*|\/|%) .+$/.exec(e.summary ?? '')?.[1];
  if (op && source.indexOf(` ${op} `, offset) >= 0) offset = source.indexOf(` ${op} `, offset) + 1;
  const before = source.slice(0, offset).split('\n');
  const line = before.length;
  const column = before[before.length - 1].length;
  const text = source.split('\n')[line - 1];
  return `ERROR: <input>:${line}:${column + 1}: ${celGoWording(e.summary ?? e.message.split('\n')[0])}\n | ${text}\n | ${'.'.repeat(column)}^`;
}

/** The result of type checking an expression: undefined when fine, else the error detail. */
function checkExpression(env: Environment, source: string, want: 'bool' | 'string'): string | undefined {
  let result: { valid: boolean; type?: string; error?: CelError };
  try {
    result = env.check(source) as typeof result;
  } catch (e) {
    result = { valid: false, error: e as CelError };
  }
  if (!result.valid) return `compilation failed: ${issueText(source, result.error ?? { message: 'invalid expression' })}`;
  if (result.type && result.type !== want && result.type !== 'dyn') return want === 'bool' ? 'cel expression must evaluate to a bool' : 'must evaluate to string';
  return undefined;
}

/** Whether an expression refers to oldSelf (outside string literals). */
function refersToOldSelf(source: string): boolean {
  return /\boldSelf\b/.test(source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'));
}

/** The node's rules, compiled once per schema object. */
function compile(s: JSONSchemaProps, root: boolean): CompiledRule[] {
  const cached = compiledRules.get(s);
  if (cached) return cached;
  const rules = s['x-kubernetes-validations'] ?? [];
  let env: Environment | undefined;
  const out = rules.map((rule): CompiledRule => {
    env ??= typedEnvironment(s, root);
    // A rule with optionalOldSelf is refused as a whole (validateSchemaRules), not compiled.
    const error = rule.rule?.trim() && rule.optionalOldSelf === undefined ? checkExpression(env, rule.rule, 'bool') : undefined;
    const messageError = rule.messageExpression?.trim() ? checkExpression(env, rule.messageExpression, 'string') : undefined;
    return { rule, error, messageError, usesOldSelf: refersToOldSelf(rule.rule ?? '') };
  });
  compiledRules.set(s, out);
  return out;
}

// ---- the CRD's validation of its rules ----------------------------------------------

const supportedReasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/** The rule as Go's %#v prints the internal apiextensions.ValidationRule. */
function ruleValue(r: ValidationRule): { goString(): string } {
  const pointer = (set: boolean, type: string) => (set ? `(${type})(0xc000000000)` : `(${type})(nil)`);
  return {
    goString: () =>
      `apiextensions.ValidationRule{Rule:${goQuote(r.rule ?? '')}, Message:${goQuote(r.message ?? '')}, MessageExpression:${goQuote(r.messageExpression ?? '')}, ` +
      `Reason:${pointer(r.reason !== undefined, '*apiextensions.FieldValueErrorReason')}, FieldPath:${goQuote(r.fieldPath ?? '')}, ` +
      `OptionalOldSelf:${pointer(r.optionalOldSelf !== undefined, '*bool')}}`,
  };
}

/** Field and compile errors of every x-kubernetes-validations rule in the schema (upstream's CRD validation). */
export function validateSchemaRules(s: JSONSchemaProps, path: string, root = true): FieldError[] {
  const errs: FieldError[] = [];
  const compiled = compile(s, root);
  compiled.forEach(({ rule, error, messageError }, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    if (!rule.rule?.trim()) errs.push(field.required(`${at}.rule`, 'rule is not specified'));
    if (rule.message !== undefined && !rule.message.trim()) errs.push(field.invalid(`${at}.message`, rule.message, 'must be non-empty if specified'));
    else if (rule.message?.includes('\n')) errs.push(field.invalid(`${at}.message`, rule.message, 'must not contain line breaks'));
    if (rule.rule?.includes('\n') && !rule.message) errs.push(field.required(`${at}.message`, 'message must be specified if rule contains line breaks'));
    if (rule.messageExpression !== undefined && !rule.messageExpression.trim()) errs.push(field.required(`${at}.messageExpression`, 'messageExpression must be non-empty if specified'));
    if (rule.reason !== undefined && !supportedReasons.includes(rule.reason)) errs.push(field.notSupported(`${at}.reason`, rule.reason, supportedReasons));
    if (rule.fieldPath !== undefined && !rule.fieldPath.trim()) errs.push(field.invalid(`${at}.fieldPath`, rule.fieldPath, 'must be non-empty if specified'));
    else if (rule.fieldPath && 'error' in schemaFieldPath(rule.fieldPath, s)) errs.push(field.invalid(`${at}.fieldPath`, rule.fieldPath, 'must be a valid path'));
    if (rule.optionalOldSelf !== undefined) {
      // upstream evaluates such rules on create with oldSelf an empty optional; the library's
      // optional values do not compare, so kanzen refuses the field rather than run it wrongly.
      if (!refersToOldSelf(rule.rule ?? '')) errs.push(field.invalid(`${at}.optionalOldSelf`, rule.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
      else errs.push(field.forbidden(`${at}.optionalOldSelf`, 'not supported by kanzen: its CEL library cannot evaluate optional oldSelf values'));
    }
    if (error) errs.push(field.invalid(`${at}.rule`, ruleValue(rule), error));
    if (messageError) errs.push(field.invalid(`${at}.messageExpression`, ruleValue(rule), `messageExpression ${messageError}`));
  });
  for (const [name, p] of Object.entries(s.properties ?? {})) errs.push(...validateSchemaRules(p, `${path}.properties[${name}]`, false));
  const items = subSchema(s.items);
  if (items) errs.push(...validateSchemaRules(items, `${path}.items`, false));
  const additional = subSchema(s.additionalProperties);
  if (additional) errs.push(...validateSchemaRules(additional, `${path}.additionalProperties`, false));
  return errs;
}

// ---- evaluating -----------------------------------------------------------------------

/** A JSON value as CEL sees it under the schema: integers as int (bigint), numbers as double. */
function celValue(v: Json, s: JSONSchemaProps | undefined): Json {
  if (typeof v === 'number') return s?.type === 'number' || !Number.isInteger(v) ? v : BigInt(v);
  if (Array.isArray(v)) return v.map((x) => celValue(x, subSchema(s?.items)));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = celValue(x, s?.properties?.[k] ?? subSchema(s?.additionalProperties));
    return out;
  }
  return v;
}

/** The root object as rules see it: metadata narrowed to name and generateName. */
function rootValue(v: Obj): Obj {
  const meta = isObj(v.metadata) ? v.metadata : {};
  const narrowed: Obj = {};
  if (meta.name !== undefined) narrowed.name = meta.name;
  if (meta.generateName !== undefined) narrowed.generateName = meta.generateName;
  return { ...v, metadata: narrowed };
}

const ruleErrorString = (r: ValidationRule) => (r.message?.trim() ? r.message.trim() : r.rule.trim());

function failure(path: string, type: string, r: ValidationRule, detail: string): FieldError {
  switch (r.reason) {
    case 'FieldValueForbidden':
      return field.forbidden(path, detail);
    case 'FieldValueRequired':
      return field.required(path, detail);
    case 'FieldValueDuplicate':
      return field.duplicate(path, type);
    default:
      return field.invalid(path, type, detail);
  }
}

/** The evaluation error as cel-go words the common ones ("no such key: x"). */
function errorText(e: unknown): string {
  const text = (e as CelError).summary ?? String((e as Error).message ?? e).split('\n')[0];
  return text.replace(/^No such key: /, 'no such key: ');
}

function messageOf(c: CompiledRule, activation: Obj): string {
  const r = c.rule;
  if (r.messageExpression?.trim() && !c.messageError) {
    try {
      const m = evaluation.evaluate(r.messageExpression, activation);
      if (typeof m === 'string' && m.trim() && !m.includes('\n')) return m.trim();
    } catch {
      // upstream logs the failure and falls back to message
    }
  }
  return r.message?.trim() ? r.message.trim() : `failed rule: ${r.rule.trim()}`;
}

/** The node's path extended by a rule's fieldPath (relative to the node). */
function withFieldPath(path: string, fieldPath: string, s: JSONSchemaProps): string {
  const found = schemaFieldPath(fieldPath, s);
  if ('error' in found || !found.path) return path || '<nil>';
  if (!path) return found.path;
  return found.path.startsWith('[') ? `${path}${found.path}` : `${path}.${found.path}`;
}

function runRules(v: Json, old: Json, s: JSONSchemaProps, path: string, root: boolean, errs: FieldError[]): void {
  const rules = compile(s, root);
  if (rules.length === 0) return;
  const at = path || '<nil>';
  const type = s.type ?? (s['x-kubernetes-int-or-string'] ? 'string' : 'object');
  const self = celValue(root && isObj(v) ? rootValue(v) : v, s);
  const oldSelf = old === undefined ? undefined : celValue(root && isObj(old) ? rootValue(old) : old, s);
  for (const c of rules) {
    if (c.error) {
      errs.push(field.invalid(at, type, `rule compile error: ${c.error}`));
      continue;
    }
    if (!c.rule.rule?.trim()) continue;
    if (c.usesOldSelf && oldSelf === undefined) continue;
    const activation: Obj = { self, ...(oldSelf !== undefined ? { oldSelf } : {}) };
    let result: unknown;
    try {
      result = evaluation.evaluate(c.rule.rule, activation);
    } catch (e) {
      const text = errorText(e);
      if (text.startsWith('no such overload')) {
        errs.push(field.invalid(at, type, `'${text}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(c.rule)}`));
      } else errs.push(field.invalid(at, type, `${text} evaluating rule: ${ruleErrorString(c.rule)}`));
      continue;
    }
    if (result === true) continue;
    // Ratcheting (CRDValidationRatcheting): a value left as it was stored keeps passing a rule
    // that does not look at oldSelf (upstream turns the error into a warning).
    if (!c.usesOldSelf && oldSelf !== undefined && sameJson(v, old)) continue;
    const where = c.rule.fieldPath ? withFieldPath(path, c.rule.fieldPath, s) : at;
    errs.push(failure(where, type, c.rule, messageOf(c, activation)));
  }
}

const sameJson = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Keys of a list-type=map list item, to find the old item that correlates with a new one. */
function listMapKey(item: Json, keys: string[]): string | undefined {
  return isObj(item) ? JSON.stringify(keys.map((k) => item[k])) : undefined;
}

/** Errors of the schema's rules over value (old: the stored value on update). */
export function validateRules(value: Json, old: Json, s: JSONSchemaProps, path = '', root = true): FieldError[] {
  const errs: FieldError[] = [];
  walk(value, old, s, path, root, errs);
  return errs;
}

function walk(v: Json, old: Json, s: JSONSchemaProps, path: string, root: boolean, errs: FieldError[]): void {
  if (v === undefined || v === null) return;
  runRules(v, old, s, path, root, errs);
  const child = (key: string) => (path ? `${path}.${key}` : key);
  if (isObj(v)) {
    const oldObj = isObj(old) ? old : undefined;
    for (const [k, p] of Object.entries(s.properties ?? {})) if (!(root && k === 'metadata')) walk(v[k], oldObj?.[k], p, child(k), false, errs);
    const additional = subSchema(s.additionalProperties);
    if (additional) for (const [k, x] of Object.entries(v)) walk(x, oldObj?.[k], additional, `${path}[${k}]`, false, errs);
  } else if (Array.isArray(v)) {
    const items = subSchema(s.items);
    if (!items) return;
    const keys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] ?? [] : undefined;
    const oldByKey = new Map<string, Json>();
    if (keys && Array.isArray(old)) for (const o of old) oldByKey.set(listMapKey(o, keys) ?? '', o);
    v.forEach((x, i) => walk(x, keys ? oldByKey.get(listMapKey(x, keys) ?? '') : undefined, items, `${path}[${i}]`, false, errs));
  }
}
