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

    test('its objects are created, read, patched, scaled and deleted, namespaced, in both versions', async () => {
      const widget = (name: string, replicas: number, apiVersion = 'v1') => `apiVersion: ${group}/${apiVersion}
kind: Widget
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: ${replicas}
  color: red
`;
      const created = await kb(['apply', '-f', '-'], widget('w1', 2));
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout.trim(), `widget.${group}/w1 created`);
      // The other served version reads the same object (conversion None).
      const beta = JSON.parse((await kb(['get', `widgets.v1beta1.${group}`, 'w1', '-o', 'json'])).stdout);
      assert.equal(beta.apiVersion, `${group}/v1beta1`);
      assert.equal(beta.spec.replicas, 2);
      assert.equal(beta.metadata.generation, 1);

      const merge = await kb(['patch', `widget.${group}`, 'w1', '--type', 'merge', '-p', '{"spec":{"color":"blue"}}']);
      assert.equal(merge.code, 0, merge.stderr);
      assert.equal(merge.stdout.trim(), `widget.${group}/w1 patched`);
      const json = await kb(['patch', `widget.${group}`, 'w1', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
      assert.equal(json.code, 0, json.stderr);
      const smp = await kb(['patch', `widget.${group}`, 'w1', '-p', '{"spec":{"color":"green"}}']);
      assert.equal(smp.code, 1);
      // The API server's 415, as kubectl words it for a kind without strategic merge patch.
      assert.equal(
        smp.stderr.trim(),
        `error: application/strategic-merge-patch+json is not supported by ${group}/v1, Kind=Widget: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );

      const scaled = await kb(['scale', `widget.${group}/w1`, '--replicas=5']);
      assert.equal(scaled.code, 0, scaled.stderr);
      assert.equal(scaled.stdout.trim(), `widget.${group}/w1 scaled`);
      const after = JSON.parse((await kb(['get', `widget.${group}`, 'w1', '-o', 'json'])).stdout);
      assert.deepEqual([after.spec.replicas, after.spec.color, after.metadata.generation], [5, 'blue', 4]);

      const table = (await kb(['get', 'wd', '-n', 'default'])).stdout;
      assert.match(table, /^NAME\s+REPLICAS\s+COLOR\s+AGE\n/);
      assert.match(table, /^w1\s+5\s+blue\s+\d+s\n/m);
      const all = (await kb(['get', 'all', '-n', 'default'])).stdout;
      assert.match(all, new RegExp(`^widget\\.${group.replace(/\./g, '\\.')}/w1\\s+5\\s+blue`, 'm'));

      const ssa = await kb(['apply', '--server-side', '-f', '-'], widget('w2', 2));
      assert.equal(ssa.code, 0, ssa.stderr);
      assert.equal(ssa.stdout.trim(), `widget.${group}/w2 serverside-applied`);
      const reapplied = await kb(['apply', '--server-side', '-f', '-'], widget('w2', 4));
      assert.equal(reapplied.code, 0, reapplied.stderr);
      assert.equal(JSON.parse((await kb(['get', `widget.${group}`, 'w2', '-o', 'json'])).stdout).spec.replicas, 4);
      assert.equal((await kb(['delete', `widget.${group}`, 'w2'])).code, 0);

      const byName = await kb(['get', `widgets.${group}`, '--field-selector', 'metadata.name=w1', '-o', 'name']);
      assert.equal(byName.stdout.trim(), `widget.${group}/w1`);
      const deleted = await kb(['delete', `widget.${group}`, 'w1']);
      assert.equal(deleted.stdout.trim(), `widget.${group} "w1" deleted`);
    });

    test('objects are pruned, defaulted and validated against the schema, errors printed as kubectl prints them', async () => {
      const bad = await kb(['apply', '-f', '-'], `{"apiVersion":"${group}/v1","kind":"Widget","metadata":{"name":"bad","namespace":"default"},"spec":{"replicas":0,"color":"red"}}`);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr.trim(), 'The Widget "bad" is invalid: spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1');
      const missing = await kb(['create', '-f', '-'], `{"apiVersion":"${group}/v1","kind":"Widget","metadata":{"name":"bad","namespace":"default"},"spec":{"color":"purple"}}`);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr.trim(), 'The Widget "bad" is invalid: spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"');
      const ok = await kb(['create', '-f', '-'], `{"apiVersion":"${group}/v1","kind":"Widget","metadata":{"name":"pruned","namespace":"default"},"spec":{"color":"red","bogus":1,"extra":{"kept":true}}}`);
      assert.equal(ok.code, 0, ok.stderr);
      const got = JSON.parse((await kb(['get', `widget.${group}`, 'pruned', '-o', 'json'])).stdout);
      assert.deepEqual(got.spec, { color: 'red', extra: { kept: true }, replicas: 1 });
    });

    test('deleting the CRD deletes its objects, and the resource leaves discovery', async () => {
      for (const n of ['a', 'b']) {
        const r = await kb(['create', '-f', '-'], `{"apiVersion":"${group}/v1","kind":"Widget","metadata":{"name":"${n}","namespace":"default"},"spec":{"color":"red"}}`);
        assert.equal(r.code, 0, r.stderr);
      }
      const del = await kb(['delete', 'crd', `widgets.${group}`]);
      assert.equal(del.code, 0, del.stderr);
      assert.equal(del.stdout.trim(), `customresourcedefinition.apiextensions.k8s.io "widgets.${group}" deleted`);
      const gone = await kb(['get', 'crd', `widgets.${group}`]);
      assert.match(gone.stderr, /NotFound/);
      const groups = JSON.parse((await kb(['get', '--raw', '/apis'])).stdout).groups.map((g: { name: string }) => g.name);
      assert.ok(!groups.includes(group));
      // Recreated, the resource starts empty: the old objects went with the CRD.
      const file = writeTemp(dir, `crd-again-${v}.yaml`, widgetCRD(group));
      assert.equal((await kb(['apply', '-f', file])).code, 0);
      assert.equal((await kb(['wait', '--for', 'condition=established', '--timeout=30s', `crd/widgets.${group}`])).code, 0);
      const list = await kb(['get', `widgets.${group}`, '-A', '-o', 'name']);
      assert.equal(list.code, 0, list.stderr);
      assert.equal(list.stdout.trim(), '');
      // The next client's CRD reuses the short name wd: this one goes.
      assert.equal((await kb(['delete', 'crd', `widgets.${group}`])).code, 0);
    });

    test('a deprecated version warns on every request; priority columns show only with -o wide; storedVersions follow the storage version', async () => {
      const crd = (storage: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gauges.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: gauges, singular: gauge, kind: Gauge}
  versions:
  - name: v1beta1
    served: true
    storage: ${storage === 'v1beta1'}
    deprecated: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1
    served: true
    storage: ${storage === 'v1'}
    additionalPrinterColumns:
    - {name: Level, type: integer, jsonPath: .spec.level}
    - {name: Unit, type: string, jsonPath: .spec.unit, priority: 1}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {level: {type: integer}, unit: {type: string}}}
`;
      assert.equal((await kb(['apply', '-f', '-'], crd('v1beta1'))).code, 0);
      assert.equal((await kb(['wait', '--for', 'condition=established', '--timeout=30s', `crd/gauges.${group}`])).code, 0);
      const old = await kb(['create', '-f', '-'], `{"apiVersion":"${group}/v1beta1","kind":"Gauge","metadata":{"name":"g","namespace":"default"},"spec":{"level":3,"unit":"bar"}}`);
      assert.equal(old.code, 0, old.stderr);
      assert.equal(old.stderr.trim(), `Warning: ${group}/v1beta1 Gauge is deprecated`);
      const plain = await kb(['get', `gauges.v1.${group}`, '-n', 'default']);
      assert.match(plain.stdout, /^NAME\s+LEVEL\n/);
      assert.equal(plain.stderr, '');
      const wide = await kb(['get', `gauges.v1.${group}`, '-n', 'default', '-o', 'wide']);
      assert.match(wide.stdout, /^NAME\s+LEVEL\s+UNIT\ng\s+3\s+bar\n/);
      // Moving storage to v1 records it; v1beta1 stays stored until removed from the status.
      assert.equal((await kb(['apply', '-f', '-'], crd('v1'))).code, 0);
      const stored = JSON.parse((await kb(['get', 'crd', `gauges.${group}`, '-o', 'json'])).stdout).status.storedVersions;
      assert.deepEqual(stored, ['v1beta1', 'v1']);
      assert.equal((await kb(['delete', 'crd', `gauges.${group}`])).code, 0);
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
