// The estimator against upstream's published figures (apiextensions-apiserver
// pkg/apiserver/schema/cel/compilation_test.go TestCostEstimation): each rule's estimated cost
// over a schema without bounds, and with maxItems/maxProperties/maxLength set. Left out: the
// cases on durations, dates and bytes (kanzen's rules see such strings as strings) and
// `self[0] == null` on an object (cel-js does not type-check it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../types.js';
import { ruleMaxCosts } from './custom-resource-cel.js';

type Gen = (max?: number) => JSONSchemaProps;
const withRule = (s: JSONSchemaProps, rule: string): JSONSchemaProps => ({ ...s, 'x-kubernetes-validations': [{ rule }] });
const item = (type: string): JSONSchemaProps => (type === 'int-or-string' ? { 'x-kubernetes-int-or-string': true } : { type });
const array = (type: string, rule: string): Gen => (max) => withRule({ type: 'array', items: item(type), maxItems: max }, rule);
const arrayOfArrays = (type: string, rule: string): Gen => (max) => withRule({ type: 'array', items: { type: 'array', items: { type } }, maxItems: max }, rule);
const objectWithRequired: JSONSchemaProps = { type: 'object', required: ['required'], properties: { required: { type: 'string' }, optional: { type: 'string' } } };
const objectArray = (rule: string): Gen => (max) => withRule({ type: 'array', items: objectWithRequired, maxItems: max }, rule);
const mapArray = (type: string, rule: string): Gen => (max) => withRule({ type: 'array', items: { type: 'object', additionalProperties: { type } }, maxItems: max }, rule);
const map = (type: string, rule: string): Gen => (max) => withRule({ type: 'object', additionalProperties: item(type), maxProperties: max }, rule);
const mapOf = (value: JSONSchemaProps, rule: string): Gen => (max) => withRule({ type: 'object', additionalProperties: value, maxProperties: max }, rule);
const string = (rule: string): Gen => (max) => withRule({ type: 'string', maxLength: max }, rule);
const nestedSpec = (rule: string): Gen => (max) => withRule({ type: 'object', additionalProperties: { type: 'string', maxLength: max }, maxProperties: max }, rule);
const allMaxNested = (rule: string): Gen => (max) =>
  withRule({ type: 'array', maxItems: max, items: { type: 'object', maxProperties: max, additionalProperties: { ...objectWithRequired, maxProperties: max } } }, rule);
const oneMaxNested = (rule: string): Gen => (max) => withRule({ type: 'array', items: { type: 'object', maxProperties: max, additionalProperties: objectWithRequired } }, rule);
const strings = (max?: number): JSONSchemaProps => ({ type: 'string', maxLength: max });

/** name, schema, cost unbounded (or [over, limit]), elements set, cost bounded */
const cases: [string, Gen, number | 'over', number, number][] = [
  ['number array with all', array('number', 'self.all(x, true)'), 4718591, 10, 32],
  ['string array with all', array('string', 'self.all(x, true)'), 3145727, 20, 62],
  ['boolean array with all', array('boolean', 'self.all(x, true)'), 1887437, 5, 17],
  ['array of number arrays with all', arrayOfArrays('number', 'self.all(x, true)'), 3145727, 100, 302],
  ['array of objects with all', objectArray('self.all(x, true)'), 555128, 50, 152],
  ['map of numbers with all', map('number', 'self.all(x, true)'), 1348169, 10, 32],
  ['map of strings with all', map('string', 'self.all(x, true)'), 1179647, 3, 11],
  ['map of booleans with all', map('boolean', 'self.all(x, true)'), 943718, 100, 302],
  ['string with contains', string("self.contains('test')"), 314574, 10, 5],
  ['string with startsWith', string("self.startsWith('test')"), 2, 15, 2],
  ['string with endsWith', string("self.endsWith('test')"), 2, 30, 2],
  ['concat string', string('size(self + "hello") > size("hello")'), 314578, 4, 7],
  ['index of array with numbers', array('number', 'self[1] == 0.0'), 2, 5000, 2],
  ['index of array with strings', array('string', 'self[1] == self[1]'), 314577, 8, 314577],
  ['O(n^2) loop with numbers', array('number', 'self.all(x, self.all(y, true))'), 'over', 10, 352],
  ['O(n^3) loop with numbers', array('number', 'self.all(x, self.all(y, self.all(z, true)))'), 'over', 10, 3552],
  ['regex matches simple', string('self.matches("x")'), 314574, 50, 22],
  ['regex matches empty string', string('"".matches("(((((((((())))))))))[0-9]")'), 7, 10, 7],
  ['regex matches empty regex', string('self.matches("")'), 1, 100, 1],
  ['map of strings with value length', nestedSpec('self.all(x, x.contains(self[x]))'), 2752507, 10, 72],
  ['set array maxLength to zero', array('number', 'self[3] == 0.0'), 2, 0, 2],
  ['set map maxLength to zero', map('number', 'self["x"] == 0.0'), 2, 0, 2],
  ['set string maxLength to zero', string('self == "x"'), 2, 0, 1],
  ['set maxLength greater than estimated maxLength', array('number', 'self.all(x, x == 0.0)'), 6291454, 3 * 1024 * 2048, 25165826],
  ['nested types with root rule with all supporting maxLength', allMaxNested('self.all(x, x["y"].required == "z")'), 7340027, 10, 72],
  ['nested types with root rule with one supporting maxLength', oneMaxNested('self.all(x, x["y"].required == "z")'), 7340027, 10, 7340027],
  ['int-or-string array with all', array('int-or-string', 'self.all(x, true)'), 4718591, 10, 32],
  ['index of array with int-or-strings', array('int-or-string', 'self[0] == 5'), 3, 10, 3],
  ['index of array with booleans', array('boolean', 'self[0] == false'), 2, 25, 2],
  ['index of array of array of numbers', arrayOfArrays('number', 'self[0][0] == -1.0'), 3, 51, 3],
  ['array of number maps with all', mapArray('number', 'self.all(x, x.y == 25.2)'), 6291452, 12, 74],
  ['index of array of number maps', mapArray('number', 'self[0].x > 2.0'), 4, 3000, 4],
  ['map of int-or-strings with all', map('int-or-string', 'self.all(x, true)'), 1348169, 15, 47],
  ['map of objects with all', mapOf(objectWithRequired, 'self.all(x, true)'), 428963, 20, 62],
  ['map of number maps with all', mapOf({ type: 'object', additionalProperties: { type: 'number' } }, 'self.all(x, true)'), 1179647, 10, 32],
  ['map of number arrays with all', mapOf({ type: 'array', items: { type: 'number' } }, 'self.all(x, true)'), 1179647, 25, 77],
  ['extended library regex find', string("self.find('[0-9]+') == ''"), 629147, 10, 11],
  ['extended library isSorted', (max) => withRule({ type: 'array', items: strings(max), maxItems: max }, 'self.isSorted() == true'), 329854432052, 10, 52],
  [
    'extended library replace',
    (max) => withRule({ type: 'object', properties: { str: strings(max), before: strings(2), after: strings(4) } }, "self.str.replace(self.before, self.after) == 'does not matter'"),
    629154,
    4,
    12,
  ],
  ['extended library lowerAscii', (max) => withRule(strings(max), "self.lowerAscii() == 'lower!'"), 314575, 10, 6],
  ['check cost of size call', map('integer', 'oldSelf.size() == self.size()'), 5, 10, 5],
  ['enums with maxLength equals to the longest possible value', (max) => withRule({ type: 'string', maxLength: max, enum: ['A', 'B', 'C', 'LongValue'] }, "self.contains('A')"), 2, 1000, 401],
  ['IntOrString type with quantity rule', (max) => withRule({ 'x-kubernetes-int-or-string': true, maxLength: max }, 'isQuantity(self)'), 314574, 20, 9],
];

for (const [name, gen, unbounded, n, bounded] of cases) {
  test(`estimated cost as upstream's TestCostEstimation: ${name}`, () => {
    const [calc] = ruleMaxCosts(gen(), false);
    if (unbounded === 'over') assert.ok(calc >= 100_000_000, `${calc}`);
    else assert.equal(calc, unbounded);
    assert.deepEqual(ruleMaxCosts(gen(n), false), [bounded]);
  });
}
