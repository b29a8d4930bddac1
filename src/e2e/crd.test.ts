// CustomResourceDefinitions on a fake-runtime cluster, driven by the real kubectl 1.27 and 1.33:
// a typical Helm-chart CRD applies, is accepted and established (kubectl wait), is listed and
// explained; a broken one is refused with upstream's message as kubectl prints it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clientVersion, passClients, startCluster, writeTemp, type TestCluster } from './harness.js';

let c: TestCluster;
let dir: string;

before(async () => {
  c = await startCluster({ extraArgs: ['--runtime', 'fake'] });
  dir = fs.mkdtempSync(path.join(c.home, 'manifests-'));
});

after(() => {
  c?.down(true);
});

/** A CRD as charts ship them: two versions (v1 stored), status and scale, printer columns, a short name. */
export function widgetCRD(group: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Color
      type: string
      jsonPath: .spec.color
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A widget made by the example chart.
        properties:
          spec:
            type: object
            description: The widget's desired state.
            required: [color]
            properties:
              replicas:
                type: integer
                minimum: 1
                default: 1
                description: How many widgets to run.
              color:
                type: string
                enum: [red, green, blue]
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            properties:
              replicas:
                type: integer
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`;
}

for (const bin of passClients) {
  const v = clientVersion(bin);
  const group = `v${v.replace('.', '-')}.example.com`;
  describe(`CustomResourceDefinitions with kubectl ${v}`, () => {
    const kb = (args: string[], input?: string) => c.kubectl(args, { bin, input });

    test('a chart CRD applies, is accepted and established, and is listed and explained', async () => {
      const file = writeTemp(dir, `crd-${v}.yaml`, widgetCRD(group));
      const applied = await kb(['apply', '-f', file]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(applied.stdout.trim(), `customresourcedefinition.apiextensions.k8s.io/widgets.${group} created`);
      const waited = await kb(['wait', '--for', 'condition=established', '--timeout=30s', `crd/widgets.${group}`]);
      assert.equal(waited.code, 0, waited.stderr);
      assert.equal(waited.stdout.trim(), `customresourcedefinition.apiextensions.k8s.io/widgets.${group} condition met`);

      const obj = JSON.parse((await kb(['get', 'crd', `widgets.${group}`, '-o', 'json'])).stdout);
      assert.deepEqual(
        obj.status.conditions.map((x: { type: string; status: string; reason: string; message: string }) => [x.type, x.status, x.reason, x.message]),
        [
          ['NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'],
          ['Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'],
        ],
      );
      assert.deepEqual(obj.status.acceptedNames, { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList', categories: ['all'] });
      assert.deepEqual(obj.status.storedVersions, ['v1']);
      assert.deepEqual(obj.spec.conversion, { strategy: 'None' });

      const table = (await kb(['get', 'crds'])).stdout;
      assert.match(table, /^NAME\s+CREATED AT\n/);
      assert.match(table, new RegExp(`^widgets\\.${group.replace(/\./g, '\\.')}\\s+\\d{4}-\\d\\d-\\d\\dT`, 'm'));

      const explained = await kb(['explain', 'crd.spec.names']);
      assert.equal(explained.code, 0, explained.stderr);
      assert.match(explained.stdout, /KIND:\s+CustomResourceDefinition/);
      assert.match(explained.stdout, /shortNames\s+<\[\]string>/);
    });

    test('a CRD whose name is not <plural>.<group> is refused as upstream refuses it', async () => {
      const file = writeTemp(dir, `bad-crd-${v}.yaml`, widgetCRD(group).replace(`name: widgets.${group}`, `name: gadgets.${group}`));
      const r = await kb(['apply', '-f', file]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `The CustomResourceDefinition "gadgets.${group}" is invalid: metadata.name: Invalid value: "gadgets.${group}": must be spec.names.plural+"."+spec.group`,
      );
    });
  });
}
