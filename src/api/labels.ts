// Label selectors as k8s.io/apimachinery/pkg/labels (selector.go) and
// metav1.LabelSelectorAsSelector / FormatLabelSelector. Error texts match upstream
// exactly because the API server returns them verbatim in a 400 BadRequest.
import { ApiError, aggregateMessage, field, fieldErrorString, type FieldError } from './errors.js';
import type { LabelSelector } from './types.js';
import { isQualifiedName, isValidLabelValue } from './validation/names.js';

/** selection.Operator values, spelled as upstream's string constants. */
export type SelectionOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: SelectionOperator;
  values: string[];
}

// binaryOperators + unaryOperators in upstream order: used in parse errors.
const binaryOperators: SelectionOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

// The parser has no field path (field.ToPath() of no options is nil), which Go
// prints as "<nil>"; value errors hang off a fresh "values" path.
const nilPath = '<nil>';

function validateLabelKey(key: string): FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? field.invalid(nilPath, key, errs.join('; ')) : undefined;
}

const isInt64 = (s: string): boolean => /^[+-]?[0-9]+$/.test(s) && BigInt(s) <= 9223372036854775807n && BigInt(s) >= -9223372036854775808n;

/** labels.NewRequirement: validates and builds; the error text is the aggregate of field errors. */
export function newRequirement(key: string, operator: SelectionOperator, values: string[]): LabelRequirement {
  const errs: FieldError[] = [];
  const keyErr = validateLabelKey(key);
  if (keyErr) errs.push(keyErr);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(field.invalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(field.invalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(field.invalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(field.invalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isInt64(v)) errs.push(field.invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const vErrs = isValidLabelValue(v);
    if (vErrs.length) errs.push(field.invalid(`values[${i}][${key}]`, v, vErrs.join('; ')));
  });
  if (errs.length) throw ApiError.badRequest(aggregateMessage(errs.map(fieldErrorString)));
  return { key, operator, values };
}

// ---- lexer (labels.Lexer) ----

type Token =
  | 'Error'
  | 'EndOfString'
  | 'ClosedPar'
  | 'Comma'
  | 'DoesNotExist'
  | 'DoubleEquals'
  | 'Equals'
  | 'GreaterThan'
  | 'Identifier'
  | 'In'
  | 'LessThan'
  | 'NotEquals'
  | 'NotIn'
  | 'OpenPar';

const string2token: Record<string, Token> = {
  ')': 'ClosedPar',
  ',': 'Comma',
  '!': 'DoesNotExist',
  '==': 'DoubleEquals',
  '=': 'Equals',
  '>': 'GreaterThan',
  in: 'In',
  '<': 'LessThan',
  '!=': 'NotEquals',
  notin: 'NotIn',
  '(': 'OpenPar',
};

interface ScannedItem {
  tok: Token;
  literal: string;
}

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => '=!(),><'.includes(ch) && ch !== '';

function lex(s: string): ScannedItem[] {
  const items: ScannedItem[] = [];
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++] : '');
  for (;;) {
    let ch = read();
    while (ch !== '' && isWhitespace(ch)) ch = read();
    if (ch === '') {
      items.push({ tok: 'EndOfString', literal: '' });
      return items;
    }
    pos--;
    if (isSpecialSymbol(ch)) {
      // Longest known operator prefix; "error expected: keyword found" otherwise.
      let buffer = '';
      let last: ScannedItem | undefined;
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecialSymbol(c)) {
          buffer += c;
          const t = string2token[buffer];
          if (t) last = { tok: t, literal: buffer };
          else if (last) {
            pos--;
            break;
          }
        } else {
          pos--;
          break;
        }
      }
      items.push(last ?? { tok: 'Error', literal: `error expected: keyword found '${buffer}'` });
    } else {
      let buffer = '';
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecialSymbol(c) || isWhitespace(c)) {
          pos--;
          break;
        }
        buffer += c;
      }
      const t = string2token[buffer];
      items.push({ tok: t ?? 'Identifier', literal: buffer });
    }
  }
}

// ---- parser (labels.Parser) ----

class Parser {
  private position = 0;
  constructor(private readonly items: ScannedItem[]) {}

  // In a Values context "in"/"notin" are plain identifiers ("x in (in)").
  private static inValues(item: ScannedItem, values: boolean): [Token, string] {
    if (values && (item.tok === 'In' || item.tok === 'NotIn')) return ['Identifier', item.literal];
    return [item.tok, item.literal];
  }

  lookahead(values: boolean): [Token, string] {
    return Parser.inValues(this.items[this.position], values);
  }

  consume(values: boolean): [Token, string] {
    return Parser.inValues(this.items[this.position++], values);
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const [tok, lit] = this.lookahead(true);
      switch (tok) {
        case 'Identifier':
        case 'DoesNotExist': {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            throw new Error(`unable to parse requirement: ${(e as Error).message}`);
          }
          reqs.push(r);
          const [t, l] = this.consume(true);
          if (t === 'EndOfString') return reqs;
          if (t === 'Comma') {
            const [t2, l2] = this.lookahead(true);
            if (t2 !== 'Identifier' && t2 !== 'DoesNotExist') throw new Error(`found '${l2}', expected: identifier after ','`);
            break;
          }
          throw new Error(`found '${l}', expected: ',' or 'end of string'`);
        }
        case 'EndOfString':
          return reqs;
        default:
          throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const [key, inferred] = this.parseKeyAndInferOperator();
    if (inferred === 'exists' || inferred === '!') return newRequirementOrError(key, inferred, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    // sets.String.List(): de-duplicated and sorted.
    return newRequirementOrError(key, operator, [...values].sort());
  }

  private parseKeyAndInferOperator(): [string, SelectionOperator | undefined] {
    let operator: SelectionOperator | undefined;
    let [tok, literal] = this.consume(true);
    if (tok === 'DoesNotExist') {
      operator = '!';
      [tok, literal] = this.consume(true);
    }
    if (tok !== 'Identifier') throw new Error(`found '${literal}', expected: identifier`);
    const keyErr = validateLabelKey(literal);
    if (keyErr) throw new Error(fieldErrorString(keyErr));
    const [t] = this.lookahead(true);
    if ((t === 'EndOfString' || t === 'Comma') && operator !== '!') operator = 'exists';
    return [literal, operator];
  }

  private parseOperator(): SelectionOperator {
    const [tok, lit] = this.consume(false);
    const ops: Partial<Record<Token, SelectionOperator>> = {
      In: 'in',
      Equals: '=',
      DoubleEquals: '==',
      GreaterThan: 'gt',
      LessThan: 'lt',
      NotIn: 'notin',
      NotEquals: '!=',
    };
    const op = ops[tok];
    if (!op) throw new Error(`found '${lit}', expected: ${binaryOperators.join(', ')}`);
    return op;
  }

  private parseValues(): Set<string> {
    let [tok, lit] = this.consume(true);
    if (tok !== 'OpenPar') throw new Error(`found '${lit}' expected: '('`);
    [tok, lit] = this.lookahead(true);
    switch (tok) {
      case 'Identifier':
      case 'Comma': {
        const s = this.parseIdentifiersList();
        const [t] = this.consume(true);
        if (t !== 'ClosedPar') throw new Error(`found '${lit}', expected: ')'`);
        return s;
      }
      case 'ClosedPar':
        this.consume(true);
        return new Set(['']);
      default:
        throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const [tok, lit] = this.consume(true);
      if (tok === 'Identifier') {
        s.add(lit);
        const [tok2, lit2] = this.lookahead(true);
        if (tok2 === 'Comma') continue;
        if (tok2 === 'ClosedPar') return s;
        throw new Error(`found '${lit2}', expected: ',' or ')'`);
      } else if (tok === 'Comma') {
        if (s.size === 0) s.add('');
        const [tok2] = this.lookahead(true);
        if (tok2 === 'ClosedPar') {
          s.add('');
          return s;
        }
        if (tok2 === 'Comma') {
          this.consume(true);
          s.add('');
        }
      } else {
        throw new Error(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const [t] = this.lookahead(true);
    if (t === 'EndOfString' || t === 'Comma') return new Set(['']);
    const [tok, lit] = this.consume(true);
    if (tok === 'Identifier') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/** newRequirement for the parser: its errors become plain parse errors to be prefixed. */
function newRequirementOrError(key: string, op: SelectionOperator, values: string[]): LabelRequirement {
  try {
    return newRequirement(key, op, values);
  } catch (e) {
    throw new Error((e as Error).message);
  }
}

const byKey = (a: LabelRequirement, b: LabelRequirement): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * labels.Parse for `?labelSelector=`. Returns requirements sorted by key (upstream
 * sorts "to grant deterministic parsing"); an empty string selects everything.
 * Throws ApiError 400 BadRequest with upstream's message.
 */
export function parseLabelSelector(s: string): LabelRequirement[] {
  try {
    return new Parser(lex(s)).parse().sort(byKey);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw ApiError.badRequest((e as Error).message);
  }
}

const hasKey = (labels: Record<string, string> | undefined, key: string): labels is Record<string, string> =>
  labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key);

/** Requirement.Matches. */
export function requirementMatches(r: LabelRequirement, labels?: Record<string, string>): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return hasKey(labels, r.key) && r.values.includes(labels[r.key]);
    case 'notin':
    case '!=':
      return !hasKey(labels, r.key) || !r.values.includes(labels[r.key]);
    case 'exists':
      return hasKey(labels, r.key);
    case '!':
      return !hasKey(labels, r.key);
    case 'gt':
    case 'lt': {
      if (!hasKey(labels, r.key) || r.values.length !== 1) return false;
      const have = labels[r.key];
      if (!isInt64(have) || !isInt64(r.values[0])) return false;
      const l = BigInt(have);
      const v = BigInt(r.values[0]);
      return r.operator === 'gt' ? l > v : l < v;
    }
  }
}

/**
 * Selector.Matches: every requirement must match. `null` is labels.Nothing() (the
 * result of labelSelectorAsRequirements(null)) and matches no object; `[]` is
 * labels.Everything() and matches every object.
 */
export function matchLabels(reqs: LabelRequirement[] | null, labels?: Record<string, string>): boolean {
  if (reqs === null) return false;
  return reqs.every((r) => requirementMatches(r, labels));
}

const metav1Operators: Record<string, SelectionOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector. A null/undefined selector is labels.Nothing() and
 * returns `null` (matchLabels(null, …) is false); an empty selector (`{}`) is
 * labels.Everything() and returns `[]`. Invalid selectors throw ApiError 400.
 */
/** Converted selectors by their JSON: controllers convert the same few selectors on every sync. */
const convertedSelectors = new Map<string, LabelRequirement[]>();
const maxConvertedSelectors = 10_000;

export function labelSelectorAsRequirements(sel: LabelSelector | null | undefined): LabelRequirement[] | null {
  if (sel === null || sel === undefined) return null;
  const key = JSON.stringify(sel);
  const cached = convertedSelectors.get(key);
  if (cached) return cached;
  const reqs = convertSelector(sel);
  if (convertedSelectors.size >= maxConvertedSelectors) convertedSelectors.clear();
  convertedSelectors.set(key, reqs);
  return reqs;
}

function convertSelector(sel: LabelSelector): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const expr of sel.matchExpressions ?? []) {
    const op = metav1Operators[expr.operator];
    if (!op) throw ApiError.badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return reqs.sort(byKey);
}

const operatorText: Record<SelectionOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

/** Requirement.String(): values sorted on output (safeSort) without mutating. */
export function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${operatorText[r.operator]}${set ? `(${values})` : values}`;
}

/** internalSelector.String(): requirements sorted by key (as Parse/Add keep them), comma-joined. */
export function selectorString(reqs: LabelRequirement[]): string {
  return [...reqs].sort(byKey).map(requirementString).join(',');
}

/** labels.SelectorFromSet: one `=` requirement per entry, sorted by key, unvalidated. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelRequirement[] {
  return Object.entries(set ?? {})
    .map(([key, v]): LabelRequirement => ({ key, operator: '=', values: [v] }))
    .sort(byKey);
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): "" for a null selector (labels.Nothing) and an
 * empty one (labels.Everything) alike. Invalid selectors throw ApiError 400.
 */
export function labelSelectorString(sel?: LabelSelector | null): string {
  const reqs = labelSelectorAsRequirements(sel);
  return reqs === null ? '' : selectorString(reqs);
}

/** metav1.FormatLabelSelector, as kubectl's SELECTOR columns print it: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel?: LabelSelector | null): string {
  let s: string;
  try {
    s = labelSelectorString(sel);
  } catch {
    return '<error>';
  }
  return s.length === 0 ? '<none>' : s;
}

/** labels.FormatLabels: `a=1,b=2` with keys sorted, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const s = selectorString(selectorFromSet(labels ?? undefined));
  return s.length === 0 ? '<none>' : s;
}
