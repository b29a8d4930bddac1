import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customResourceModelName, customResourceSchemas } from './custom-resource-openapi.js';
import type { ResourceInfo } from '../api/resources.js';
import type { JSONSchemaProps } from '../api/types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  description: 'A cron tab.',
  properties: {
    spec: {
      type: 'object',
      required: ['schedule', 'owner'],
      properties: {
        schedule: { type: 'string', pattern: '^\\S+$', default: '* * * * *' },
        owner: { type: 'string', nullable: true },
        port: { 'x-kubernetes-int-or-string': true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        pick: { type: 'string', oneOf: [{ pattern: 'a' }, { pattern: 'b' }] },
      },
    },
  },
};

const info = (s?: JSONSchemaProps): ResourceInfo => ({
  group: 'stable.example.com',
  version: 'v1',
  resource: 'crontabs',
  singular: 'crontab',
  kind: 'CronTab',
  listKind: 'CronTabList',
  namespaced: true,
  verbs: [],
  subresources: [],
  custom: { ...(s ? { schema: s } : {}), selectableFields: [] },
});

test('a custom kind is named after its group reversed, as upstream names CRD models', () => {
  assert.equal(customResourceModelName('stable.example.com', 'v1', 'CronTab'), 'com.example.stable.v1.CronTab');
});

test('v3 publishes the schema with TypeMeta, ObjectMeta and the kind, int-or-string unfolded', () => {
  const defs = customResourceSchemas(info(schema), 'v3');
  const kind = defs['com.example.stable.v1.CronTab'] as Record<string, any>;
  assert.deepEqual(kind['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
  assert.deepEqual(Object.keys(kind.properties).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
  assert.deepEqual(kind.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  const spec = kind.properties.spec;
  assert.deepEqual(spec.required, ['schedule', 'owner']);
  assert.equal(spec.properties.schedule.default, '* * * * *');
  assert.equal(spec.properties.owner.nullable, true);
  assert.deepEqual(spec.properties.port.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.equal(spec.properties.pick.oneOf.length, 2);
  const list = defs['com.example.stable.v1.CronTabList'] as Record<string, any>;
  assert.equal(list.description, 'CronTabList is a list of CronTab');
  assert.deepEqual(list.required, ['items']);
  assert.deepEqual(list.properties.items.items, { $ref: '#/components/schemas/com.example.stable.v1.CronTab' });
  assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTabList', version: 'v1' }]);
});

test('v2 drops what swagger cannot say: junctors, nullable types and requirement, defaults, preserved fields', () => {
  const kind = customResourceSchemas(info(schema), 'v2')['com.example.stable.v1.CronTab'] as Record<string, any>;
  assert.equal(kind.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const spec = kind.properties.spec;
  assert.deepEqual(spec.required, ['schedule']);
  assert.deepEqual(spec.properties.owner, {});
  assert.equal(spec.properties.schedule.default, undefined);
  assert.equal(spec.properties.schedule.pattern, '^\\S+$');
  assert.equal(spec.properties.port.anyOf, undefined);
  assert.equal(spec.properties.pick.oneOf, undefined);
  assert.deepEqual(spec.properties.extra, { 'x-kubernetes-preserve-unknown-fields': true });
});

test('a version without a schema, or whose root keeps unknown fields in v2, is a bare object of its kind', () => {
  const gvk = [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }];
  assert.deepEqual(customResourceSchemas(info(), 'v3')['com.example.stable.v1.CronTab'], { type: 'object', 'x-kubernetes-group-version-kind': gvk });
  const open: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  assert.deepEqual(customResourceSchemas(info(open), 'v2')['com.example.stable.v1.CronTab'], { type: 'object', 'x-kubernetes-group-version-kind': gvk });
});

test('selectable fields are published on the kind and its list', () => {
  const withFields = { ...info(schema), custom: { schema, selectableFields: ['.spec.schedule'] } };
  for (const style of ['v2', 'v3'] as const) {
    const defs = customResourceSchemas(withFields, style);
    for (const name of ['com.example.stable.v1.CronTab', 'com.example.stable.v1.CronTabList']) {
      assert.deepEqual((defs[name] as Record<string, unknown>)['x-kubernetes-selectable-fields'], [{ fieldPath: 'spec.schedule' }]);
    }
  }
});

test('an embedded resource gets apiVersion, kind and metadata, kind and apiVersion required', () => {
  const embedded: JSONSchemaProps = {
    type: 'object',
    properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } } },
  };
  for (const style of ['v2', 'v3'] as const) {
    const kind = customResourceSchemas(info(embedded), style)['com.example.stable.v1.CronTab'] as Record<string, any>;
    const template = kind.properties.template;
    assert.deepEqual(Object.keys(template.properties).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
    assert.deepEqual(template.required, ['kind', 'apiVersion']);
  }
});
