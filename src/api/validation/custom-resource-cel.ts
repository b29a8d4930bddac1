// CEL validation rules of a custom resource schema (x-kubernetes-validations), as the
// apiextensions-apiserver runs them (apiserver/schema/cel/validation.go): each rule is compiled
// against the type the schema gives `self` (and `oldSelf`) at its node, and evaluated on create
// and update wherever the value is present; transition rules (those using oldSelf) only where
// an old value correlates (same property or map key, same key in a list-type=map list).
// A failing rule is reported at the node (or its fieldPath) as upstream words it:
// `spec: Invalid value: "object": <message>`, the message being message, messageExpression's
// result or `failed rule: <rule>`. The CRD's own validation rejects rules that do not compile.
//
// Cost (apiextensions validation.go and cel/validation.go, limits of apiserver/pkg/apis/cel):
// a CRD is refused when a rule's estimated cost (cel-cost.ts over the schema's bounds, times how
// often the rule's node can repeat) exceeds StaticEstimatedCostLimit, or the schema's total
// exceeds StaticEstimatedCRDCostLimit; an unchanged version's schema keeps its per-rule costs
// (ratcheting). At runtime each call is held to PerCallLimit and one object's rules to
// RuntimeCELCostBudget. cel-js has no cost tracking, so the runtime cost is a bound computed by
// the same estimator from the value's actual sizes before the rule runs (never below the cost
// cel-go would count; a rule that short-circuits is charged its bound), and the expensive
// evaluations run off the event loop (cel-evaluation.ts).
//
// The CEL implementation is @marcbachmann/cel-js: type checking uses the schema's types, and
// evaluation runs on the same values untyped (the library's typed objects do not reach into
// list items and map values). Rules ratchet: a value unchanged from the stored object passes
// (upstream warns). Not modelled: ratcheting of the schema's value validations (only rules
// ratchet), optionalOldSelf (refused in the CRD), the
// compiler's exact wording of type errors (the library's own text follows "ERROR: <input>:L:C:"),
// and the libraries cel-libraries.ts lists as not provided.
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { field, goQuote, type FieldError } from '../errors.js';
import type { JSONSchemaProps, ValidationRule } from '../types.js';
import { registerKubernetesLibraries } from './cel-libraries.js';
import { schemaFieldPath } from './schema-field-path.js';
import { estimateCost, maxCost, type Range, type SizeOracle } from './cel-cost.js';
import { declTypeSizes, maxCardinality, schemaDeclType } from './cel-decl-type.js';
import { CelDeadlineExceeded, CelEvaluationWorker, celEvaluation } from './cel-evaluation.js';
import { escapeCelPropertyName } from './cel-escaping.js';
import { rewriteHasSelections } from './cel-has-field.js';

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const subSchema = (s: JSONSchemaProps['items'] | JSONSchemaProps['additionalProperties']): JSONSchemaProps | undefined =>
  isObj(s) ? (s as JSONSchemaProps) : undefined;

const environmentOptions = { enableOptionalTypes: true, homogeneousAggregateLiterals: false } as const;

// apiserver/pkg/apis/cel/config.go and apiextensions validation.go
/** The cost one evaluation of a rule may reach ("roughly 0.1 second"). */
export const perCallLimit = 1_000_000;
/** The cost all rules of one object may reach together. */
export const runtimeCELCostBudget = 10_000_000;
/** The largest estimated cost of one rule (times its node's cardinality). */
export const staticEstimatedCostLimit = 10_000_000;
/** The largest estimated cost of all rules of one schema. */
export const staticEstimatedCRDCostLimit = 100_000_000;

/**
 * A bound above which a rule runs on the worker thread (about a millisecond of cel-js), and the
 * inline cost after which validation yields to the event loop.
 */
const offLoopCost = 50_000;
/** A worker evaluation still running after this long is stopped (PerCallLimit is about 0.1 s). */
const evaluationDeadlineMs = 2_000;
const worker = new CelEvaluationWorker(evaluationDeadlineMs);

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
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        const celName = escapeCelPropertyName(k);
        if (celName) fields[celName] = celType(env, p, `${name}_${k.replace(/[^A-Za-z0-9]/g, '_')}`, false);
      }
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
  /** rule.rule and rule.messageExpression as checked and run (cel-has-field.ts) */
  expression: string;
  messageExpression: string;
  /** upstream's compile error detail ("compilation failed: ERROR: …"), when the rule does not compile. */
  error?: string;
  messageError?: string;
  usesOldSelf: boolean;
  /** the checked expressions, for their cost */
  ast?: ASTNode;
  messageAst?: ASTNode;
  /** the estimated cost of one evaluation over the schema's bounds (CompilationResult.MaxCost) */
  maxCost: number;
  messageExpressionMaxCost: number;
  /** JavaScript regular expressions backtrack: such rules always run off the event loop */
  usesRegex: boolean;
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

interface Checked {
  /** the error detail, when the expression does not compile */
  error?: string;
  ast?: ASTNode;
}

/** Type checks an expression; want is the type it must have. */
function checkExpression(env: Environment, source: string, want: 'bool' | 'string'): Checked {
  let result: { valid: boolean; type?: string; error?: CelError };
  let ast: ASTNode | undefined;
  try {
    const parsed = env.parse(source);
    ast = parsed.ast;
    result = parsed.check() as typeof result;
  } catch (e) {
    result = { valid: false, error: e as CelError };
  }
  if (!result.valid) return { error: `compilation failed: ${issueText(source, result.error ?? { message: 'invalid expression' })}` };
  if (result.type && result.type !== want && result.type !== 'dyn') return { error: want === 'bool' ? 'cel expression must evaluate to a bool' : 'must evaluate to string' };
  return { ast };
}

const regexFunctions = /\b(matches|find|findAll)\s*\(/;

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
  let sizes: SizeOracle | undefined;
  const out = rules.map((rule): CompiledRule => {
    env ??= typedEnvironment(s, root);
    sizes ??= declTypeSizes(schemaDeclType(s, root || !!s['x-kubernetes-embedded-resource']));
    // A rule with optionalOldSelf is refused as a whole (validateSchemaRules), not compiled.
    const expression = rewriteHasSelections(rule.rule ?? '');
    const messageExpression = rewriteHasSelections(rule.messageExpression ?? '');
    const checked = rule.rule?.trim() && rule.optionalOldSelf === undefined ? checkExpression(env, expression, 'bool') : {};
    const message = rule.messageExpression?.trim() ? checkExpression(env, messageExpression, 'string') : {};
    return {
      rule,
      expression,
      messageExpression,
      error: checked.error,
      messageError: message.error,
      usesOldSelf: refersToOldSelf(rule.rule ?? ''),
      ast: checked.ast,
      messageAst: message.ast,
      maxCost: checked.ast ? estimateCost(checked.ast, sizes) : 0,
      messageExpressionMaxCost: message.ast ? estimateCost(message.ast, sizes) : 0,
      usesRegex: regexFunctions.test(rule.rule ?? '') || regexFunctions.test(rule.messageExpression ?? ''),
    };
  });
  compiledRules.set(s, out);
  return out;
}

/** The estimated cost of one evaluation of each of the node's rules (upstream CompilationResult.MaxCost). */
export function ruleMaxCosts(s: JSONSchemaProps, root = true): number[] {
  return compile(s, root).map((c) => c.maxCost);
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

/** The costs of a schema's rules (apiextensions TotalCost): their sum and the most expensive. */
interface TotalCost {
  total: number;
  mostExpensive: { path: string; cost: number }[];
}

function observeExpressionCost(total: TotalCost, path: string, cost: number): void {
  total.total = Math.min(total.total + cost, maxCost);
  // rules under 1% of the limit are not named
  if (cost < staticEstimatedCRDCostLimit / 100) return;
  total.mostExpensive.push({ path, cost });
  total.mostExpensive.sort((a, b) => b.cost - a.cost);
  total.mostExpensive.length = Math.min(total.mostExpensive.length, 4);
}

/** upstream getCostErrorMessage. */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const exceed = cost / limit;
  const factor = exceed > 100 ? 'more than 100x' : exceed < 1.5 ? `${exceed.toFixed(6)}x` : `${exceed.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

/** The most elements a node holds, for its children's cardinality (extractMaxElements); undefined: unbounded. */
function maxElements(s: JSONSchemaProps): number | undefined {
  if (s.type === 'object') return subSchema(s.additionalProperties) ? (s.maxProperties !== undefined ? Math.max(s.maxProperties, 0) : undefined) : 1;
  if (s.type === 'array') return s.maxItems !== undefined ? Math.max(s.maxItems, 0) : undefined;
  return 1;
}

interface CostContext {
  /** how often the node's value can occur in one object (CELSchemaContext.MaxCardinality); undefined: unbounded */
  cardinality: number | undefined;
  total: TotalCost;
  /** the version's schema is unchanged by this update: its rules keep their per-rule costs */
  suppressPerExpressionCost: boolean;
}

const times = (cost: number, n: number) => (cost === 0 ? 0 : Math.min(cost * n, maxCost));

export interface SchemaRulesOptions {
  /** the CRD update leaves this version's schema as it was (upstream versionsWithUnchangedSchemas) */
  unchangedSchema?: boolean;
}

/**
 * Field, compile and estimated-cost errors of every x-kubernetes-validations rule in the schema
 * (upstream's CRD validation); path is the schema's (…schema.openAPIV3Schema).
 */
export function validateSchemaRules(s: JSONSchemaProps, path: string, opts: SchemaRulesOptions = {}): FieldError[] {
  const total: TotalCost = { total: 0, mostExpensive: [] };
  const errs = schemaRuleErrors(s, path, true, { cardinality: 1, total, suppressPerExpressionCost: !!opts.unchangedSchema });
  if (total.total > staticEstimatedCRDCostLimit) {
    for (const e of total.mostExpensive) errs.push(field.forbidden(e.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema'));
    errs.push(field.forbidden(path, costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', total.total, staticEstimatedCRDCostLimit)));
  }
  return errs;
}

function schemaRuleErrors(s: JSONSchemaProps, path: string, root: boolean, ctx: CostContext): FieldError[] {
  const errs: FieldError[] = [];
  const compiled = compile(s, root);
  // Unbounded: as often as the node's smallest value fits in a request.
  const cardinality = () => ctx.cardinality ?? maxCardinality(schemaDeclType(s, root)?.minSerializedSize ?? 0);
  compiled.forEach(({ rule, error, messageError, maxCost: ruleCost, messageAst, messageExpressionMaxCost }, i) => {
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
    const expressionCost = times(ruleCost, cardinality());
    if (!ctx.suppressPerExpressionCost && expressionCost > staticEstimatedCostLimit) {
      errs.push(field.forbidden(`${at}.rule`, costErrorMessage('estimated rule cost', expressionCost, staticEstimatedCostLimit)));
    }
    observeExpressionCost(ctx.total, `${at}.rule`, expressionCost);
    if (error) errs.push(field.invalid(`${at}.rule`, ruleValue(rule), error));
    if (messageError) errs.push(field.invalid(`${at}.messageExpression`, ruleValue(rule), `messageExpression ${messageError}`));
    else if (messageAst) {
      // upstream compares the messageExpression's own cost, not multiplied by the cardinality
      if (!ctx.suppressPerExpressionCost && messageExpressionMaxCost > staticEstimatedCostLimit) {
        errs.push(field.forbidden(`${at}.messageExpression`, costErrorMessage('estimated messageExpression cost', messageExpressionMaxCost, staticEstimatedCostLimit)));
      }
      observeExpressionCost(ctx.total, `${at}.messageExpression`, messageExpressionMaxCost);
    }
  });
  const child = (): CostContext => {
    const n = maxElements(s);
    return { ...ctx, cardinality: ctx.cardinality === undefined || n === undefined ? undefined : times(ctx.cardinality, n) || 0 };
  };
  for (const [name, p] of Object.entries(s.properties ?? {})) errs.push(...schemaRuleErrors(p, `${path}.properties[${name}]`, false, child()));
  const items = subSchema(s.items);
  if (items) errs.push(...schemaRuleErrors(items, `${path}.items`, false, child()));
  const additional = subSchema(s.additionalProperties);
  if (additional) errs.push(...schemaRuleErrors(additional, `${path}.additionalProperties`, false, child()));
  return errs;
}

// ---- evaluating -----------------------------------------------------------------------

/** A JSON value as CEL sees it under the schema: integers as int (bigint), numbers as double. */
function celValue(v: Json, s: JSONSchemaProps | undefined): Json {
  if (typeof v === 'number') return s?.type === 'number' || !Number.isInteger(v) ? v : BigInt(v);
  if (Array.isArray(v)) return v.map((x) => celValue(x, subSchema(s?.items)));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const prop = s?.properties?.[k];
      // declared properties under their CEL spelling (cel-escaping.ts); map keys as they are
      const key = prop ? escapeCelPropertyName(k) : k;
      if (key !== undefined) out[key] = celValue(x, prop ?? subSchema(s?.additionalProperties));
    }
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

/** What one object's rules may still spend, and whether validation has stopped. */
interface Budget {
  remaining: number;
  stopped: boolean;
  /** cost evaluated on the event loop since validation last yielded it */
  inline: number;
}

/** The sizes of the value's data at a path (list items, map entries, string length), the largest of them. */
function valueSizes(activation: Obj): SizeOracle {
  const cache = new Map<string, Range>();
  return (path) => {
    const key = path.join('\u0000');
    if (cache.has(key)) return cache.get(key);
    let values: Json[] = activation[path[0]] === undefined ? [] : [activation[path[0]]];
    for (const name of path.slice(1)) {
      if (name === '@items') values = values.flatMap((v) => (Array.isArray(v) ? v : []));
      else if (name === '@values') values = values.flatMap((v) => (isObj(v) ? Object.values(v) : []));
      else if (name === '@keys') values = values.flatMap((v) => (isObj(v) ? Object.keys(v) : []));
      else values = values.flatMap((v) => (isObj(v) && v[name] !== undefined ? [v[name]] : []));
    }
    const size = (v: Json) => (typeof v === 'string' ? v.length : Array.isArray(v) ? v.length : isObj(v) ? Object.keys(v).length : 1);
    // Nothing there: the rule cannot read anything of it (evaluating it errors).
    const found = { min: 0, max: values.reduce<number>((m, v) => Math.max(m, size(v)), 0) };
    cache.set(key, found);
    return found;
  };
}

/** Evaluates an expression whose cost is bounded by bound: on the worker when expensive, else here (yielding now and then). */
async function evaluate(expression: string, activation: Obj, bound: number, usesRegex: boolean, budget: Budget): Promise<unknown> {
  if (bound > offLoopCost || usesRegex) return worker.evaluate(expression, activation);
  budget.inline += bound;
  if (budget.inline > offLoopCost) {
    budget.inline = 0;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return celEvaluation.evaluate(expression, activation);
}

/** The rule's message: messageExpression's result (within the budget), else message or the default. */
async function messageOf(c: CompiledRule, activation: Obj, sizes: SizeOracle, budget: Budget): Promise<{ message: string } | { error: string }> {
  const r = c.rule;
  if (r.messageExpression?.trim() && !c.messageError && c.messageAst) {
    const bound = estimateCost(c.messageAst, sizes, true);
    if (Math.min(bound, perCallLimit) > budget.remaining) {
      return { error: 'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run' };
    }
    const exceeded = { error: `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(r.messageExpression)}` };
    if (bound > perCallLimit) return exceeded;
    budget.remaining -= bound;
    try {
      const m = await evaluate(c.messageExpression, activation, bound, c.usesRegex, budget);
      if (typeof m === 'string' && m.trim() && !m.includes('\n')) return { message: m.trim() };
    } catch (e) {
      if (e instanceof CelDeadlineExceeded) return exceeded;
      // upstream logs the failure and falls back to message
    }
  }
  return { message: r.message?.trim() ? r.message.trim() : `failed rule: ${r.rule.trim()}` };
}

/** The node's path extended by a rule's fieldPath (relative to the node). */
function withFieldPath(path: string, fieldPath: string, s: JSONSchemaProps): string {
  const found = schemaFieldPath(fieldPath, s);
  if ('error' in found || !found.path) return path || '<nil>';
  if (!path) return found.path;
  return found.path.startsWith('[') ? `${path}${found.path}` : `${path}.${found.path}`;
}

const outOfBudget = 'validation failed due to running out of cost budget, no further validation rules will be run';

async function runRules(v: Json, old: Json, s: JSONSchemaProps, path: string, root: boolean, errs: FieldError[], budget: Budget): Promise<void> {
  const rules = compile(s, root);
  if (rules.length === 0) return;
  const at = path || '<nil>';
  const type = s.type ?? (s['x-kubernetes-int-or-string'] ? 'string' : 'object');
  const stop = (detail: string) => {
    errs.push(field.invalid(at, type, detail));
    budget.stopped = true;
  };
  if (budget.remaining <= 0) return stop(outOfBudget);
  const self = celValue(root && isObj(v) ? rootValue(v) : v, s);
  const oldSelf = old === undefined ? undefined : celValue(root && isObj(old) ? rootValue(old) : old, s);
  const activation: Obj = { self, ...(oldSelf !== undefined ? { oldSelf } : {}) };
  const sizes = valueSizes(activation);
  for (const c of rules) {
    if (c.error) {
      errs.push(field.invalid(at, type, `rule compile error: ${c.error}`));
      continue;
    }
    if (!c.rule.rule?.trim() || !c.ast) continue;
    if (c.usesOldSelf && oldSelf === undefined) continue;
    // The cost cel-go would count is at most this bound; an evaluation over PerCallLimit is
    // cancelled there, having spent the limit.
    const bound = estimateCost(c.ast, sizes, true);
    if (Math.min(bound, perCallLimit) > budget.remaining) return stop(outOfBudget);
    const exceeded = `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(c.rule)}`;
    if (bound > perCallLimit) return stop(exceeded);
    budget.remaining -= bound;
    let result: unknown;
    try {
      result = await evaluate(c.expression, activation, bound, c.usesRegex, budget);
    } catch (e) {
      if (e instanceof CelDeadlineExceeded) return stop(exceeded);
      const text = errorText(e);
      if (text.startsWith('no such overload')) {
        errs.push(field.invalid(at, type, `'${text}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(c.rule)}`));
      } else errs.push(field.invalid(at, type, `${text} evaluating rule: ${ruleErrorString(c.rule)}`));
      continue;
    }
    if (result === true) continue;
    // Ratcheting (CRDValidationRatcheting): a value left as it was stored keeps passing a rule
    // that does not look at oldSelf (upstream turns the error into a warning).
    const ratchets = !c.usesOldSelf && oldSelf !== undefined && sameJson(v, old);
    const where = c.rule.fieldPath ? withFieldPath(path, c.rule.fieldPath, s) : at;
    const message = await messageOf(c, activation, sizes, budget);
    if ('error' in message) {
      if (!ratchets) errs.push(field.invalid(where, type, message.error));
      budget.stopped = true;
      return;
    }
    if (!ratchets) errs.push(failure(where, type, c.rule, message.message));
  }
}

const sameJson = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Keys of a list-type=map list item, to find the old item that correlates with a new one. */
function listMapKey(item: Json, keys: string[]): string | undefined {
  return isObj(item) ? JSON.stringify(keys.map((k) => item[k])) : undefined;
}

const hasRulesCache = new WeakMap<JSONSchemaProps, boolean>();

/** Whether the schema has rules at this node or below (walks skip the rest). */
function hasRules(s: JSONSchemaProps): boolean {
  let found = hasRulesCache.get(s);
  if (found === undefined) {
    const children = [...Object.values(s.properties ?? {}), subSchema(s.items), subSchema(s.additionalProperties)];
    found = !!s['x-kubernetes-validations']?.length || children.some((c) => c !== undefined && hasRules(c));
    hasRulesCache.set(s, found);
  }
  return found;
}

/**
 * Errors of the schema's rules over value (old: the stored value on update), within one
 * object's RuntimeCELCostBudget; once a limit is reached no further rule runs.
 */
export async function validateRules(value: Json, old: Json, s: JSONSchemaProps, path = '', root = true): Promise<FieldError[]> {
  const errs: FieldError[] = [];
  await walk(value, old, s, path, root, errs, { remaining: runtimeCELCostBudget, stopped: false, inline: 0 });
  return errs;
}

async function walk(v: Json, old: Json, s: JSONSchemaProps, path: string, root: boolean, errs: FieldError[], budget: Budget): Promise<void> {
  if (v === undefined || v === null || budget.stopped || !hasRules(s)) return;
  await runRules(v, old, s, path, root, errs, budget);
  const child = (key: string) => (path ? `${path}.${key}` : key);
  if (isObj(v)) {
    const oldObj = isObj(old) ? old : undefined;
    for (const [k, p] of Object.entries(s.properties ?? {})) if (!(root && k === 'metadata')) await walk(v[k], oldObj?.[k], p, child(k), false, errs, budget);
    const additional = subSchema(s.additionalProperties);
    if (additional) for (const [k, x] of Object.entries(v)) await walk(x, oldObj?.[k], additional, `${path}[${k}]`, false, errs, budget);
  } else if (Array.isArray(v)) {
    const items = subSchema(s.items);
    if (!items) return;
    const keys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] ?? [] : undefined;
    const oldByKey = new Map<string, Json>();
    if (keys && Array.isArray(old)) for (const o of old) oldByKey.set(listMapKey(o, keys) ?? '', o);
    for (const [i, x] of v.entries()) await walk(x, keys ? oldByKey.get(listMapKey(x, keys) ?? '') : undefined, items, `${path}[${i}]`, false, errs, budget);
  }
}
