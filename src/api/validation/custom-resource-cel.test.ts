import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costErrorMessage, validateRules, validateSchemaRules } from './custom-resource-cel.js';
import { fieldErrorString } from '../errors.js';
import type { JSONSchemaProps } from '../types.js';
import { ruleSchema } from '../../testing/custom-resource-objects.js';

const schema = (rules: JSONSchemaProps['x-kubernetes-validations']): JSONSchemaProps =>
  ruleSchema(rules, {
    replicas: { type: 'integer' },
    maxReplicas: { type: 'integer' },
    ratio: { type: 'number' },
    name: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    ports: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, port: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'port is immutable' }] } },
      },
    },
    memory: { type: 'string' },
  });

const obj = (spec: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec });
const messages = async (s: JSONSchemaProps, v: unknown, old?: unknown) => (await validateRules(v, old, s)).map(fieldErrorString);

test('a rule that holds passes; one that fails reports the node with the default message', async () => {
  const s = schema([{ rule: 'self.replicas <= self.maxReplicas' }]);
  assert.deepEqual(await messages(s, obj({ replicas: 1, maxReplicas: 2 })), []);
  assert.deepEqual(await messages(s, obj({ replicas: 3, maxReplicas: 2 })), ['spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas']);
});

test('message, messageExpression, reason and fieldPath shape the error as upstream', async () => {
  const s = schema([
    { rule: 'self.replicas <= self.maxReplicas', message: 'replicas must not exceed maxReplicas' },
    { rule: 'self.replicas > 0', messageExpression: '"replicas is " + string(self.replicas)', fieldPath: '.replicas', reason: 'FieldValueForbidden' },
    { rule: 'has(self.name)', reason: 'FieldValueRequired', fieldPath: '.name', message: 'a name is required' },
  ]);
  assert.deepEqual(await messages(s, obj({ replicas: 0, maxReplicas: -1 })), [
    'spec: Invalid value: "object": replicas must not exceed maxReplicas',
    'spec.replicas: Forbidden: replicas is 0',
    'spec.name: Required value: a name is required',
  ]);
});

test('rules see integers as int, numbers as double, lists, maps and the Kubernetes libraries', async () => {
  const s = schema([
    { rule: 'self.ratio < 1.5 && self.replicas == 2' },
    { rule: 'self.tags.all(t, t.startsWith("x")) && self.tags.isSorted() && "a" in self.labels' },
    { rule: 'self.labels.a.matches("^v[0-9]+$") && self.name.find("[0-9]+") == "42"' },
    { rule: 'quantity(self.memory).isLessThan(quantity("1Gi")) && isQuantity(self.memory)' },
    { rule: 'url("https://example.com:8443/p?q=1").getPort() == "8443" && [3, 1, 2].max() == 3' },
    { rule: 'self.?maxReplicas.orValue(5) == 5' },
  ]);
  assert.deepEqual(await messages(s, obj({ ratio: 1, replicas: 2, tags: ['xa', 'xb'], labels: { a: 'v1' }, name: 'n42', memory: '512Mi' })), []);
  assert.deepEqual(await messages(s, obj({ ratio: 1, replicas: 2, tags: ['xb', 'xa'], labels: { a: 'v1' }, name: 'n42', memory: '2Gi' })), [
    'spec: Invalid value: "object": failed rule: self.tags.all(t, t.startsWith("x")) && self.tags.isSorted() && "a" in self.labels',
    'spec: Invalid value: "object": failed rule: quantity(self.memory).isLessThan(quantity("1Gi")) && isQuantity(self.memory)',
  ]);
});

test('transition rules run only on update, where the old value correlates (list-type=map by key)', async () => {
  const s = schema([{ rule: 'self.replicas >= oldSelf.replicas', message: 'replicas may not decrease' }]);
  assert.deepEqual(await messages(s, obj({ replicas: 1 })), []);
  assert.deepEqual(await messages(s, obj({ replicas: 1 }), obj({ replicas: 2 })), ['spec: Invalid value: "object": replicas may not decrease']);
  const v = obj({ replicas: 2, ports: [{ name: 'b', port: 2 }, { name: 'a', port: 9 }] });
  const old = obj({ replicas: 2, ports: [{ name: 'a', port: 1 }] });
  assert.deepEqual(await messages(s, v, old), ['spec.ports[1].port: Invalid value: "integer": port is immutable']);
});

test('a root rule sees apiVersion, kind and the metadata name; its path prints as <nil>', async () => {
  const s: JSONSchemaProps = { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.metadata.name.startsWith("x") && self.kind == "Thing"' }] };
  assert.deepEqual(await messages(s, obj({})), ['<nil>: Invalid value: "object": failed rule: self.metadata.name.startsWith("x") && self.kind == "Thing"']);
});

test('a runtime error is reported with the rule', async () => {
  const s = schema([{ rule: 'self.replicas > 0' }]);
  assert.deepEqual(await messages(s, obj({})), ['spec: Invalid value: "object": no such key: replicas evaluating rule: self.replicas > 0']);
});

test("the CRD's validation rejects rules that do not compile, and malformed rule fields, as upstream", async () => {
  const s = schema([{ rule: 'self.replicas < "a"' }, { rule: 'self.nope > 1' }, { rule: 'self.replicas +' }, { rule: 'self.replicas' }, { rule: '', reason: 'Bogus' as never }]);
  const errs = validateSchemaRules(s, 'spec.versions[0].schema.openAPIV3Schema').map(fieldErrorString);
  const at = 'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations';
  assert.equal(errs.length, 6, errs.join('\n'));
  assert.match(errs[0], new RegExp(`^${at.replace(/[[\].]/g, '\\$&')}\\[0\\]\\.rule: Invalid value: apiextensions\\.ValidationRule\\{Rule:"self\\.replicas < \\\\"a\\\\"", Message:"", MessageExpression:"", Reason:\\(\\*apiextensions\\.FieldValueErrorReason\\)\\(nil\\), FieldPath:"", OptionalOldSelf:\\(\\*bool\\)\\(nil\\)\\}: compilation failed: ERROR: <input>:1:15: found no matching overload for '_<_' applied to '\\(int, string\\)'\\n \\| self\\.replicas < "a"\\n \\| \\.{14}\\^$`));
  assert.match(errs[1], /\[1\]\.rule: Invalid value: .*compilation failed: ERROR: <input>:1:6: undefined field 'nope'/);
  assert.match(errs[2], /\[2\]\.rule: Invalid value: .*compilation failed: ERROR: <input>:1:\d+: /);
  assert.match(errs[3], /\[3\]\.rule: Invalid value: .*: cel expression must evaluate to a bool$/);
  assert.equal(errs[4], `${at}[4].rule: Required value: rule is not specified`);
  assert.equal(errs[5], `${at}[4].reason: Unsupported value: "Bogus": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`);
});

test('optionalOldSelf is refused: without oldSelf as upstream words it, with oldSelf as kanzen cannot run it', async () => {
  const s = schema([{ rule: 'self.replicas > 0', optionalOldSelf: true }, { rule: '!oldSelf.hasValue() || self.replicas >= oldSelf.value().replicas', optionalOldSelf: true }]);
  const at = 'x.properties[spec].x-kubernetes-validations';
  assert.deepEqual(validateSchemaRules(s, 'x').map(fieldErrorString), [
    `${at}[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
    `${at}[1].optionalOldSelf: Forbidden: not supported by kanzen: its CEL library cannot evaluate optional oldSelf values`,
  ]);
});

test('ratcheting: a rule that fails on a value left as stored does not fail the update', async () => {
  const s = schema([{ rule: 'self.replicas <= self.maxReplicas' }]);
  const stored = obj({ replicas: 3, maxReplicas: 2 });
  assert.deepEqual(await messages(s, obj({ replicas: 3, maxReplicas: 2 }), stored), []);
  assert.deepEqual(await messages(s, obj({ replicas: 4, maxReplicas: 2 }), stored), ['spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas']);
});

// ---- cost ----------------------------------------------------------------------------

const quadratic = 'self.items.all(a, self.items.all(b, a == b || a != b))';
const listSchema = (items: JSONSchemaProps, rules: string[]): JSONSchemaProps => ruleSchema(rules.map((rule) => ({ rule })), { items });
const boundedList: JSONSchemaProps = { type: 'array', maxItems: 700, items: { type: 'string', maxLength: 1 } };
const advice = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
const listObj = (n: number) => obj({ items: Array.from({ length: n }, () => 'a') });

test('upstream getCostErrorMessage: the factor as Go prints it', () => {
  assert.equal(costErrorMessage('estimated rule cost', 12_000_000, 10_000_000), `estimated rule cost exceeds budget by factor of 1.200000x ${advice}`);
  assert.equal(costErrorMessage('estimated rule cost', 25_000_000, 10_000_000), `estimated rule cost exceeds budget by factor of 2.5x ${advice}`);
  assert.equal(costErrorMessage('estimated rule cost', 2e12, 10_000_000), `estimated rule cost exceeds budget by factor of more than 100x ${advice}`);
});

test("a CRD's rule over its estimated cost limit is refused; the schema's total has its own limit", async () => {
  const at = 'x.properties[spec].x-kubernetes-validations';
  assert.deepEqual(validateSchemaRules(listSchema({ type: 'array', items: { type: 'string' } }, [quadratic]), 'x').map(fieldErrorString), [
    `${at}[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${advice}`,
    `${at}[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
    `x: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${advice}`,
  ]);
  // 700 items of one character: 4,414,203 per rule; 23 rules pass each limit but not the total.
  assert.deepEqual(validateSchemaRules(listSchema(boundedList, [quadratic]), 'x'), []);
  const many = validateSchemaRules(listSchema(boundedList, Array(23).fill(quadratic)), 'x').map(fieldErrorString);
  assert.deepEqual(many, [
    ...[0, 1, 2, 3].map((i) => `${at}[${i}].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`),
    `x: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of 1.015267x ${advice}`,
  ]);
  // An update that leaves the schema as it was keeps its expensive rules (the total still holds).
  assert.deepEqual(validateSchemaRules(listSchema({ type: 'array', maxItems: 1200, items: { type: 'string', maxLength: 1 } }, [quadratic]), 'x', { unchangedSchema: true }), []);
  assert.deepEqual(validateSchemaRules(listSchema({ type: 'array', maxItems: 1200, items: { type: 'string', maxLength: 1 } }, [quadratic]), 'x').map(fieldErrorString), [
    `${at}[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 1.296720x ${advice}`,
  ]);
});

test("a rule under a list is charged for every item the list may hold", async () => {
  const perItem = (maxItems?: number): JSONSchemaProps =>
    ruleSchema(undefined, { rows: { type: 'array', maxItems, items: { type: 'object', properties: { name: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: 'self.name.contains("x")' }] } } });
  const at = 'x.properties[spec].properties[rows].items.x-kubernetes-validations[0].rule';
  assert.deepEqual(validateSchemaRules(perItem(10), 'x'), []);
  const unboundedRows = validateSchemaRules(perItem(), 'x').map(fieldErrorString);
  assert.equal(unboundedRows[0], `${at}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${advice}`);
});

test('at runtime a call over PerCallLimit, and rules over the object budget, stop validation with upstream errors', async () => {
  const s = listSchema(boundedList, Array(13).fill(quadratic));
  assert.deepEqual(await messages(s, listObj(200)), []);
  assert.deepEqual(await messages(s, listObj(400)), [
    `spec: Invalid value: "object": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${quadratic}`,
  ]);
  assert.deepEqual(await messages(s, listObj(300)), ['spec: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run']);
  // Once the budget is spent, no rule anywhere else runs (a node with rules says so).
  const nested = ruleSchema(Array(13).fill({ rule: quadratic }), { items: boundedList, other: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == "y"' }] } });
  assert.deepEqual(await messages(nested, obj({ items: Array(300).fill('a'), other: 'z' })), ['spec: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run']);
});

test('an expensive rule runs off the event loop: timers fire while it is evaluated', async () => {
  const s = listSchema(boundedList, [quadratic, quadratic]);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const validated = messages(s, listObj(330));
  const result = await validated;
  clearInterval(timer);
  assert.deepEqual(result, []);
  assert.ok(ticks > 0, 'the event loop ran while the rules were evaluated');
});

test('data a rule may read but the object lacks costs nothing at runtime (an unbounded string the estimate would price high)', async () => {
  const s = schema([{ rule: '!has(self.memory) || quantity(self.memory).isLessThan(quantity("1Gi"))' }, { rule: 'self.replicas > 0', messageExpression: '"replicas is " + string(self.replicas)' }]);
  assert.deepEqual(await messages(s, obj({ replicas: 0 })), ['spec: Invalid value: "object": replicas is 0']);
});

test('rules read escaped property names and test presence through an index (Gateway API HTTPRoute rules)', async () => {
  const s = ruleSchema(
    [
      { rule: "!has(self.items[0].path) || self.items[0].path == '/'", message: 'path must be /' },
      { rule: "self.items.all(i, !has(i.__namespace__) || i.__namespace__ != 'kube-system')", message: 'no kube-system' },
    ],
    { items: { type: 'array', maxItems: 4, items: { type: 'object', properties: { path: { type: 'string', maxLength: 10 }, namespace: { type: 'string', maxLength: 10 } } } } },
  );
  assert.deepEqual(validateSchemaRules(s, 'x').map(fieldErrorString), []);
  assert.deepEqual((await messages(s, obj({ items: [{ path: '/', namespace: 'a' }] }))), []);
  assert.deepEqual((await messages(s, obj({ items: [{ path: '/x' }] }))), ['spec: Invalid value: "object": path must be /']);
  assert.deepEqual((await messages(s, obj({ items: [{ namespace: 'kube-system' }] }))), ['spec: Invalid value: "object": no kube-system']);
});
