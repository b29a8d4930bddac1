// CEL validation rules (x-kubernetes-validations) of a CustomResourceDefinition, and the refusal
// of new objects while a CRD is terminating, driven by the real kubectl 1.27 and 1.33 on a
// fake-runtime cluster: failing rules are printed as upstream words them (default message,
// message, messageExpression, fieldPath, reason), transition rules see the stored object, and a
// CRD whose rule does not compile is refused. The version's selectableFields serve field
// selectors in list and watch; other labels are "field label not supported".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, eventually, passClients, startCluster, type TestCluster } from './harness.js';
import { ruleSchema } from '../testing/custom-resource-objects.js';
import type { ValidationRule } from '../api/types.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ extraArgs: ['--runtime', 'fake'] });
});

after(() => {
  c?.down(true);
});

function thingCRD(group: string, rules: ValidationRule[] = defaultRules): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `things.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'things', singular: 'thing', kind: 'Thing' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          selectableFields: [{ jsonPath: '.spec.mode' }, { jsonPath: '.spec.replicas' }],
          schema: {
            openAPIV3Schema: ruleSchema(rules, {
              replicas: { type: 'integer' },
              maxReplicas: { type: 'integer' },
              mode: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }] },
              memory: { type: 'string' },
            }),
          },
        },
      ],
    },
  });
}

const defaultRules: ValidationRule[] = [
  { rule: 'self.replicas <= self.maxReplicas', message: 'replicas must not exceed maxReplicas' },
  { rule: '!has(self.memory) || quantity(self.memory).isLessThan(quantity("1Gi"))', messageExpression: '"memory " + self.memory + " is too much"', fieldPath: '.memory' },
  { rule: 'self.replicas >= 0' },
];

for (const bin of passClients) {
  const v = clientVersion(bin);
  const group = `rules-${v.replace('.', '-')}.example.com`;
  describe(`CRD validation rules with kubectl ${v}`, () => {
    const kb = (args: string[], input?: string) => c.kubectl(args, { bin, input });
    const thing = (name: string, spec: Record<string, unknown>, finalizers?: string[]) =>
      JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Thing', metadata: { name, namespace: 'default', ...(finalizers ? { finalizers } : {}) }, spec });

    test('objects that break a rule are refused with its message', async () => {
      const applied = await kb(['apply', '-f', '-'], thingCRD(group));
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal((await kb(['wait', '--for', 'condition=established', '--timeout=30s', `crd/things.${group}`])).code, 0);

      const ok = await kb(['create', '-f', '-'], thing('good', { replicas: 1, maxReplicas: 2, mode: 'a', memory: '512Mi' }));
      assert.equal(ok.code, 0, ok.stderr);
      const tooMany = await kb(['create', '-f', '-'], thing('bad', { replicas: 3, maxReplicas: 2 }));
      assert.equal(tooMany.code, 1);
      assert.equal(tooMany.stderr.trim(), 'The Thing "bad" is invalid: spec: Invalid value: "object": replicas must not exceed maxReplicas');
      const memory = await kb(['create', '-f', '-'], thing('bad', { replicas: 1, maxReplicas: 2, memory: '2Gi' }));
      assert.equal(memory.stderr.trim(), 'The Thing "bad" is invalid: spec.memory: Invalid value: "object": memory 2Gi is too much');
      const negative = await kb(['create', '-f', '-'], thing('bad', { replicas: -1, maxReplicas: 2 }));
      assert.equal(negative.stderr.trim(), 'The Thing "bad" is invalid: spec: Invalid value: "object": failed rule: self.replicas >= 0');
    });

    test('a transition rule compares with the stored object', async () => {
      const changed = await kb(['patch', `things.${group}`, 'good', '-n', 'default', '--type', 'merge', '-p', '{"spec":{"mode":"b"}}']);
      assert.equal(changed.code, 1);
      assert.equal(changed.stderr.trim(), 'The Thing "good" is invalid: spec.mode: Invalid value: "string": mode is immutable');
      const same = await kb(['patch', `things.${group}`, 'good', '-n', 'default', '--type', 'merge', '-p', '{"spec":{"mode":"a","replicas":2}}']);
      assert.equal(same.code, 0, same.stderr);
    });

    test('field selectors select on the selectable fields, in list and watch', async () => {
      const other = await kb(['create', '-f', '-'], thing('other', { replicas: 2, maxReplicas: 2, mode: 'z' }));
      assert.equal(other.code, 0, other.stderr);
      const byMode = await kb(['get', `things.${group}`, '-n', 'default', '--field-selector', 'spec.mode=z', '-o', 'name']);
      assert.equal(byMode.code, 0, byMode.stderr);
      assert.equal(byMode.stdout.trim(), `thing.${group}/other`);
      const byReplicas = await kb(['get', `things.${group}`, '-n', 'default', '--field-selector', 'spec.replicas!=2,metadata.namespace=default', '-o', 'name']);
      assert.equal(byReplicas.stdout.trim(), '');
      // A watch with the selector is accepted and sees only the matching object.
      const watched = await kb(['get', `things.${group}`, '-n', 'default', '--field-selector', 'spec.mode=z', '--watch', '--request-timeout=2s', '-o', 'name']);
      assert.equal(watched.stdout.trim(), `thing.${group}/other`);
      const unsupported = await kb(['get', `things.${group}`, '-n', 'default', '--field-selector', 'spec.maxReplicas=2']);
      assert.equal(unsupported.code, 1);
      assert.match(unsupported.stderr, /field label not supported: spec\.maxReplicas/);
      const raw = await kb(['get', '--raw', `/apis/${group}/v1/things?fieldSelector=spec.maxReplicas%3D2`]);
      assert.match(raw.stderr, /Error from server \(BadRequest\): field label not supported: spec\.maxReplicas/);
      assert.equal((await kb(['delete', `things.${group}`, 'other', '-n', 'default'])).code, 0);
    });

    test('a CRD whose rule does not compile is refused with the compiler error', async () => {
      const bad = await kb(['apply', '-f', '-'], thingCRD(group, [{ rule: 'self.replicas < "a"' }]).replace(`"things.${group}"`, `"things.${group}"`));
      assert.equal(bad.code, 1);
      assert.equal(
        bad.stderr.trim(),
        `The CustomResourceDefinition "things.${group}" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicas < \\"a\\"", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:15: found no matching overload for '_<_' applied to '(int, string)'\n | self.replicas < "a"\n | ..............^`,
      );
    });

    test('while the CRD is terminating, new objects are refused with 405', async () => {
      const held = await kb(['create', '-f', '-'], thing('held', { replicas: 1, maxReplicas: 1 }, ['example.com/hold']));
      assert.equal(held.code, 0, held.stderr);
      assert.equal((await kb(['delete', 'crd', `things.${group}`, '--wait=false'])).code, 0);
      const refused = await eventually(async () => {
        const r = await kb(['create', '-f', '-'], thing('late', { replicas: 1, maxReplicas: 1 }));
        return r.code !== 0 && r.stderr.includes('MethodNotAllowed') ? r : undefined;
      });
      assert.equal(refused.stderr.trim(), 'Error from server (MethodNotAllowed): error when creating "STDIN": create not allowed while custom resource definition is terminating');
      const status = JSON.parse((await kb(['get', '--raw', `/apis/${group}/v1/namespaces/default/things/held`])).stdout);
      assert.ok(status.metadata.deletionTimestamp, 'the finalizer controller is deleting the objects');
      // Released, the object goes and the CRD with it.
      const released = await kb(['patch', `things.${group}`, 'held', '-n', 'default', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
      assert.equal(released.code, 0, released.stderr);
      await eventually(async () => ((await kb(['get', 'crd', `things.${group}`])).code !== 0 ? true : undefined), 30_000);
    });
  });
}
