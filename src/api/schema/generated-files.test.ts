// The schema tables are generated from the fact file by scripts/gen-api (npm run gen:api); this
// test is CI's check that the committed output is current and that the generator reads the facts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Facts {
  types: Record<string, { fields: unknown[][] }>;
  explain: Record<string, string>;
}
interface Renderer {
  renderAll(facts: Facts): Record<string, string>;
}

const facts = (): Facts => JSON.parse(readFileSync(join(root, 'src/api/schema/kubernetes-1.33.schema.json'), 'utf8')) as Facts;
const renderer = async (): Promise<Renderer> =>
  (await import(pathToFileURL(join(root, 'scripts/gen-api/render.mjs')).href)) as Renderer;

test('generated files are current (run npm run gen:api after editing the fact file)', async () => {
  const files = (await renderer()).renderAll(facts());
  assert.deepEqual(Object.keys(files).sort(), [
    'src/api/patch/patch-schema.ts',
    'src/api/printers/swagger-docs.ts',
    'src/api/protobuf/messages.ts',
    'src/api/schema/api-types.ts',
    'src/api/schema/definitions.ts',
  ]);
  for (const [path, text] of Object.entries(files)) {
    assert.equal(readFileSync(join(root, path), 'utf8'), text, `${path} differs from the generator's output`);
  }
});

test('a field added to the fact file reaches the OpenAPI definition, the protobuf table and the TypeScript type', async () => {
  const f = facts();
  f.types['core.v1.LocalObjectReference']!.fields.push(['extraField', 's', 9, 'o']);
  const files = (await renderer()).renderAll(f);
  assert.match(files['src/api/schema/definitions.ts']!, /'io\.k8s\.api\.core\.v1\.LocalObjectReference': def\(\n {4}\{\n {6}name: 'string',\n {6}extraField: 'string',/);
  assert.match(files['src/api/protobuf/messages.ts']!, /'core\.v1\.LocalObjectReference': \[\[1, 'name', 's', 'o'\], \[9, 'extraField', 's', 'o'\]\]/);
  // JSDoc (kanzen's descriptions) left out: the new field has none.
  const types = files['src/api/schema/api-types.ts']!.replace(/^ *\/\*\*[^]*?\*\/\n/gm, '');
  assert.match(types, /export interface LocalObjectReference \{\n {2}name\?: string;\n {2}extraField\?: string;\n\}/);
});

test("the TypeScript types follow upstream's Go types: names, inline structs, required fields, +enum types", async () => {
  // JSDoc (kanzen's descriptions) left out: the shapes are under test here.
  const types = (await renderer()).renderAll(facts())['src/api/schema/api-types.ts']!.replace(/^ *\/\*\*[^]*?\*\/\n/gm, '');
  const block = (name: string) => new RegExp(`export interface ${name}\\b[^{]*\\{\\n[^]*?\\n\\}`).exec(types)?.[0] ?? '';
  // A kind extends KubeObject (metadata required); kanzen reads spec without a check.
  assert.match(block('StatefulSet'), /^export interface StatefulSet extends KubeObject \{\n {2}spec: StatefulSetSpec;\n {2}status\?: StatefulSetStatus;\n\}$/);
  // Fields without omitempty upstream are required; +enum constants become a union.
  assert.match(block('StatefulSetSpec'), /\n {2}selector: LabelSelector;\n {2}template: PodTemplateSpec;\n/);
  assert.match(block('StatefulSetSpec'), /\n {2}podManagementPolicy\?: PodManagementPolicyType;\n/);
  assert.match(types, /\nexport type PodManagementPolicyType = 'OrderedReady' \| 'Parallel';\n/);
  // `json:",inline"` members are extended; a Go name two packages share is prefixed with the package.
  assert.match(block('Volume'), /^export interface Volume extends VolumeSource \{\n {2}name: string;\n\}$/);
  assert.match(block('EndpointSlice'), /\n {2}ports\?: DiscoveryEndpointPort\[\] \| null;\n/);
  assert.match(block('EndpointPort'), /\n {2}port: number;\n/);
  assert.match(block('DiscoveryEndpointPort'), /\n {2}port\?: number;\n/);
  // Scalars with their own JSON form and condition statuses use the named aliases.
  assert.match(block('JobCondition'), /\n {2}status: ConditionStatus;\n {2}lastProbeTime\?: Time;\n/);
  assert.match(block('ResourceRequirements'), /\n {2}limits\?: Record<string, Quantity>;\n/);
});

test("kanzen's descriptions reach the OpenAPI docs (an inline member's fields under its own type) and the JSDoc", async () => {
  const f = facts();
  f.explain['LocalObjectReference'] = "Names an object in the referrer's namespace.";
  f.explain['LocalObjectReference.name'] = "The object's name.";
  const files = (await renderer()).renderAll(f);
  assert.match(files['src/api/schema/definitions.ts']!, /\n {2}'io\.k8s\.api\.core\.v1\.LocalObjectReference': \{\n {4}'': 'Names an object in the referrer\\'s namespace\.',\n {4}name: 'The object\\'s name\.',\n {2}\},/);
  // StatefulSet's apiVersion and kind are TypeMeta's (json:",inline"), described once as TypeMeta.kind.
  assert.match(files['src/api/schema/definitions.ts']!, /\n {2}'io\.k8s\.api\.apps\.v1\.StatefulSet': \{\n {4}'': 'Runs a fixed number[^\n]*\n {4}kind: 'The type of the object/);
  assert.match(
    files['src/api/schema/api-types.ts']!,
    /\/\*\* Names an object in the referrer's namespace\. \(core\.v1\.LocalObjectReference\) \*\/\nexport interface LocalObjectReference \{\n {2}\/\*\* The object's name\. \*\/\n {2}name\?: string;/,
  );
});
