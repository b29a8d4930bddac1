// The cost budget of CRD validation rules, driven by the real kubectl 1.27 and 1.33 on a
// fake-runtime cluster: a quadratic rule over an unbounded list is refused when the CRD is
// written, with upstream's estimated-cost message; bounded by maxItems and maxLength it is
// accepted; an object whose rules would cost more than the per-call limit or the object's budget
// is refused with upstream's errors; and while an expensive but allowed object is validated
// (off the event loop), the API keeps answering: a /readyz sent after the create is answered
// before the create.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, passClients, startCluster, type TestCluster } from './harness.js';
import { ruleSchema } from '../testing/custom-resource-objects.js';
import type { JSONSchemaProps, ValidationRule } from '../api/types.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ extraArgs: ['--runtime', 'fake'] });
});

after(() => {
  c?.down(true);
});

const quadratic = 'self.items.all(a, self.items.all(b, a == b || a != b))';

/** 13 copies of the quadratic rule: each fits PerCallLimit up to 333 items, all 13 fit the object's budget up to 277. */
const rules: ValidationRule[] = Array.from({ length: 13 }, () => ({ rule: quadratic }));

function costCRD(group: string, items: JSONSchemaProps, validations: ValidationRule[] = rules): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `bags.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'bags', singular: 'bag', kind: 'Bag' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: ruleSchema(validations, { items }) } }],
    },
  });
}

const bounded: JSONSchemaProps = { type: 'array', maxItems: 700, items: { type: 'string', maxLength: 1 } };
const unbounded: JSONSchemaProps = { type: 'array', items: { type: 'string' } };
const rulePath = 'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule';
const advice = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';

for (const bin of passClients) {
  const v = clientVersion(bin);
  const group = `cost-${v.replace('.', '-')}.example.com`;
  describe(`CRD validation rule cost with kubectl ${v}`, () => {
    const kb = (args: string[], input?: string) => c.kubectl(args, { bin, input });
    const bag = (name: string, n: number) =>
      JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Bag', metadata: { name, namespace: 'default' }, spec: { items: Array.from({ length: n }, (_, i) => String(i % 10)) } });

    test('a quadratic rule over an unbounded list is refused with its estimated cost', async () => {
      const refused = await kb(['create', '-f', '-'], costCRD(group, unbounded, [{ rule: quadratic }]));
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr.trim(),
        [
          `The CustomResourceDefinition "bags.${group}" is invalid: `,
          `* ${rulePath}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${advice}`,
          `* ${rulePath}: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
          `* spec.versions[0].schema.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${advice}`,
        ].join('\n'),
      );
    });

    test('bounded by maxItems and maxLength the rule is accepted, and objects are held to the runtime limits', async () => {
      const created = await kb(['create', '-f', '-'], costCRD(group, bounded));
      assert.equal(created.code, 0, created.stderr);
      assert.equal((await kb(['wait', '--for', 'condition=established', '--timeout=30s', `crd/bags.${group}`])).code, 0);

      const fits = await kb(['create', '-f', '-'], bag('fits', 200));
      assert.equal(fits.code, 0, fits.stderr);
      const overCall = await kb(['create', '-f', '-'], bag('over-call', 400));
      assert.equal(overCall.code, 1);
      assert.equal(
        overCall.stderr.trim(),
        `The Bag "over-call" is invalid: spec: Invalid value: "object": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${quadratic}`,
      );
      const overBudget = await kb(['create', '-f', '-'], bag('over-budget', 300));
      assert.equal(overBudget.code, 1);
      assert.equal(overBudget.stderr.trim(), 'The Bag "over-budget" is invalid: spec: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run');
    });

    test('while an expensive object is validated, the API keeps answering', async () => {
      const t = c.transport();
      let created = false;
      const create = t.request('POST', `/apis/${group}/v1/namespaces/default/bags`, JSON.parse(bag('busy', 270))).finally(() => (created = true));
      // /readyz, one after another until the create is answered (13 rules of 270 items: 8.5M of
      // the 10M budget): on an event loop blocked by the rules only those answered before the
      // validation began (two or three) would come before the create.
      let answered = 0;
      while (!created) {
        const readyz = await t.request('GET', '/readyz');
        assert.equal(readyz.status, 200);
        if (!created) answered++;
      }
      const response = await create;
      assert.equal(response.status, 201, response.body.toString());
      assert.ok(answered >= 10, `only ${answered} /readyz answered while the create was validated`);
    });
  });
}
