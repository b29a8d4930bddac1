import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaFieldPath } from './schema-field-path.js';
import type { JSONSchemaProps } from '../types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: { color: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } }, 'a.b': { type: 'integer' } },
    },
  },
};

test('dotted and quoted steps name properties and map values, with the schema found there', () => {
  assert.deepEqual(schemaFieldPath('.spec.color', schema), { path: 'spec.color', schema: { type: 'string' } });
  assert.deepEqual(schemaFieldPath(".spec['a.b']", schema), { path: 'spec.a.b', schema: { type: 'integer' } });
  assert.deepEqual(schemaFieldPath('.spec.labels.app', schema), { path: 'spec.labels[app]', schema: { type: 'string' } });
});

test("malformed paths and unknown fields get upstream's reasons", () => {
  assert.deepEqual(schemaFieldPath('.spec.nope', schema), { error: 'does not refer to a valid field' });
  assert.deepEqual(schemaFieldPath('spec', schema), { error: 'expected [ or . but got: spec' });
  assert.deepEqual(schemaFieldPath(".spec['color']", schema, false), { error: 'array notation is not allowed' });
  assert.deepEqual(schemaFieldPath('.spec[color]', schema), { error: 'expected single quoted string but got color' });
  assert.deepEqual(schemaFieldPath('.spec.', schema), { error: 'unexpected end of JSON path' });
  assert.deepEqual(schemaFieldPath('.spec.color.x', schema), { error: 'does not refer to a valid field' });
});
