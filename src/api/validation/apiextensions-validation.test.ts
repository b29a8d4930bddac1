// CustomResourceDefinition validation against upstream's messages
// (apiextensions-apiserver pkg/apis/apiextensions/validation, pkg/apiserver/schema).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { CustomResourceDefinition } from '../types.js';
import { defaultCustomResourceDefinition } from '../defaults/apiextensions.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './apiextensions-validation.js';

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

test('selectable fields point at string, boolean or integer fields of the schema, outside metadata, once each, at most 8', () => {
  const withFields = (...paths: string[]) =>
    crd((c) => {
      c.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec.properties!.color = { type: 'string' };
      c.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec.properties!.tags = { type: 'array', items: { type: 'string' } };
      c.spec.versions[0].selectableFields = paths.map((jsonPath) => ({ jsonPath }));
    });
  assert.deepEqual(messages(withFields('.spec.color', '.spec.replicas')), []);
  const at = 'spec.versions[0].selectableFields';
  assert.deepEqual(messages(withFields('.spec.nope', '.spec.tags', '.spec.color', '.spec.color', '')), [
    `${at}[0].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field`,
    `${at}[1].jsonPath: Invalid value: ".spec.tags": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.`,
    `${at}[3].jsonPath: Duplicate value: ".spec.color"`,
    `${at}[4].jsonPath: Required value`,
  ]);
  const many = crd((c) => {
    const props = c.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec.properties!;
    for (let i = 0; i < 9; i++) props[`f${i}`] = { type: 'string' };
    c.spec.versions[0].selectableFields = Object.keys(props).filter((k) => k.startsWith('f')).map((k) => ({ jsonPath: `.spec.${k}` }));
  });
  assert.deepEqual(messages(many), [`${at}: Too many: 9: must have at most 8 items`]);
});

test('a CRD rule that does not compile is refused', () => {
  const c = crd((x) => (x.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec['x-kubernetes-validations'] = [{ rule: 'self.replicas == "1"' }]));
  const [msg, ...rest] = messages(c);
  assert.equal(rest.length, 0);
  assert.match(msg, /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"self\.replicas == \\"1\\"".*compilation failed: ERROR: <input>:1:15: found no matching overload for '_==_' applied to '\(int, string\)'/);
});

test("an expensive rule is refused on create; an update that leaves the version's schema as it was keeps it (upstream ratcheting)", () => {
  // 1,500 one-character tags compared pairwise: 13,509,003, over the 10,000,000 of one rule.
  const expensive = (c: CustomResourceDefinition) => {
    const spec = c.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec;
    spec.properties!.tags = { type: 'array', maxItems: 1500, items: { type: 'string', maxLength: 1 } };
    spec['x-kubernetes-validations'] = [{ rule: 'self.tags.all(a, self.tags.all(b, a == b))' }];
  };
  const forbidden =
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 1.350900x ' +
    '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
  assert.deepEqual(messages(crd(expensive)), [forbidden]);
  // A CRD stored before the limits existed: an unrelated update passes.
  const stored = crd(expensive);
  const relabelled = crd((c) => {
    expensive(c);
    c.metadata.labels = { a: 'b' };
  });
  assert.deepEqual(validateCustomResourceDefinitionUpdate(relabelled, stored).map(fieldErrorString), []);
  // Changing the schema holds every rule of that version to the limit again.
  const changed = crd((c) => {
    expensive(c);
    c.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec.properties!.replicas.minimum = 0;
  });
  assert.deepEqual(validateCustomResourceDefinitionUpdate(changed, stored).map(fieldErrorString), [forbidden]);
});
