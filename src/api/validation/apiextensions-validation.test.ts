// CustomResourceDefinition validation against upstream's messages
// (apiextensions-apiserver pkg/apis/apiextensions/validation, pkg/apiserver/schema).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { CustomResourceDefinition } from '../types.js';
import { defaultCustomResourceDefinition } from '../defaults/apiextensions.js';
import { validateCustomResourceDefinition } from './apiextensions-validation.js';

function crd(mutate: (c: CustomResourceDefinition) => void = () => {}): CustomResourceDefinition {
  const c: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } } },
        },
      ],
    },
  };
  mutate(c);
  defaultCustomResourceDefinition(c);
  return c;
}

const messages = (c: CustomResourceDefinition) => validateCustomResourceDefinition(c).map(fieldErrorString);

test('a well-formed CRD is valid, and defaulting fills singular, listKind, conversion and storedVersions', () => {
  const c = crd();
  assert.deepEqual(messages(c), []);
  assert.equal(c.spec.names.singular, 'widget');
  assert.equal(c.spec.names.listKind, 'WidgetList');
  assert.deepEqual(c.spec.conversion, { strategy: 'None' });
  assert.deepEqual(c.status?.storedVersions, ['v1']);
});

test('the name must be <plural>.<group>', () => {
  assert.deepEqual(messages(crd((c) => (c.metadata.name = 'widget.example.com'))), [
    'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
  ]);
});

test('group, scope and names', () => {
  assert.deepEqual(
    messages(
      crd((c) => {
        c.metadata.name = 'widgets.example';
        c.spec.group = 'example';
        c.spec.scope = 'Global' as 'Cluster';
        c.spec.names.kind = 'Widget';
        c.spec.names.listKind = 'Widget';
        c.spec.names.shortNames = ['W'];
      }),
    ),
    [
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
      `spec.names.shortNames[0]: Invalid value: "W": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    ],
  );
});

test('exactly one storage version', () => {
  const noStorage = crd((c) => (c.spec.versions[0].storage = false));
  assert.deepEqual(messages(noStorage), ['spec.versions: Invalid value: must have exactly one version marked as storage version']);
});

test('v1 requires a structural schema', () => {
  assert.deepEqual(messages(crd((c) => delete c.spec.versions[0].schema)), ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']);
  assert.deepEqual(
    messages(crd((c) => (c.spec.versions[0].schema = { openAPIV3Schema: { type: 'object', properties: { spec: { properties: { size: {} } } } } }))),
    [
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value: must not be empty for specified object fields',
    ],
  );
  assert.deepEqual(messages(crd((c) => (c.spec.versions[0].schema = { openAPIV3Schema: { type: 'array', items: { type: 'string' } } }))), [
    'spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "array": must be object at the root',
  ]);
  // x-kubernetes-preserve-unknown-fields stands in for a type.
  assert.deepEqual(messages(crd((c) => (c.spec.versions[0].schema = { openAPIV3Schema: { type: 'object', properties: { spec: { 'x-kubernetes-preserve-unknown-fields': true } } } }))), []);
});

test('scale subresource paths', () => {
  assert.deepEqual(
    messages(crd((c) => (c.spec.versions[0].subresources = { scale: { specReplicasPath: '.replicas', statusReplicasPath: '.status.replicas' } }))),
    ['spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec'],
  );
});
