// The structural schema applied to custom objects, against upstream's messages (kube-openapi's
// validate errors as the apiextensions-apiserver reports them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { JSONSchemaProps } from '../types.js';
import { applyDefaults, prune, validateValue } from './custom-resource-schema.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['foo'],
      properties: {
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        x: { type: 'integer' },
        foo: { type: 'string', minLength: 2, pattern: '^[a-z]+$' },
        color: { type: 'string', enum: ['red', 'green'] },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
};

const check = (spec: unknown) => validateValue({ apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' }, spec }, schema, '', true).map(fieldErrorString);

test('a valid object has no errors', () => {
  assert.deepEqual(check({ foo: 'abc', replicas: 3, port: 'http', tags: ['a'], labels: { a: 'b' } }), []);
});

test("upstream's messages: bounds, types, required, enum, strings, int-or-string, items", () => {
  assert.deepEqual(check({ foo: 'abc', replicas: 0 }), ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']);
  assert.deepEqual(check({ foo: 'abc', replicas: 11 }), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
  assert.deepEqual(check({ foo: 'abc', x: 'string' }), ['spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"']);
  assert.deepEqual(check({}), ['spec.foo: Required value']);
  assert.deepEqual(check({ foo: 'abc', color: 'blue' }), ['spec.color: Unsupported value: "blue": supported values: "red", "green"']);
  assert.deepEqual(check({ foo: 'A' }), [
    'spec.foo: Invalid value: "A": spec.foo in body should be at least 2 chars long',
    "spec.foo: Invalid value: \"A\": spec.foo in body should match '^[a-z]+$'",
  ]);
  assert.deepEqual(check({ foo: 'abc', port: true }), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
  assert.deepEqual(check({ foo: 'abc', tags: ['a', 1] }), ['spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"']);
  assert.deepEqual(check({ foo: 'abc', labels: { a: 1 } }), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
});

test('pruning drops undeclared fields but keeps preserved ones and the root metadata; defaulting fills absent fields', () => {
  const obj = { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n', labels: { a: 'b' } }, junk: 1, spec: { foo: 'a', bogus: true, extra: { anything: { goes: 1 } }, labels: { k: 'v' } } };
  prune(obj, schema, true);
  applyDefaults(obj, schema);
  assert.deepEqual(obj, { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n', labels: { a: 'b' } }, spec: { foo: 'a', extra: { anything: { goes: 1 } }, labels: { k: 'v' }, replicas: 1 } });
});
