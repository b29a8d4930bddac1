// A CustomResourceDefinition's schema published as OpenAPI (fake runtime, real kubectl 1.27 and
// 1.33): kubectl explain prints a custom kind and its nested fields from /openapi/v3 (both
// clients) and from /openapi/v2 (1.27's plaintext-openapiv2), follows a version added to the
// CRD, and no longer knows the kind once the CRD is deleted; the /openapi/v3 index lists the
// group-version while the CRD is there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ extraArgs: ['--runtime', 'fake'] });
});

after(() => {
  c?.down(true);
});

function gizmoCRD(group: string, versions: string[]): string {
  const version = (name: string, i: number) => ({
    name,
    served: true,
    storage: i === 0,
    schema: {
      openAPIV3Schema: {
        type: 'object',
        description: 'A gizmo the example operator runs.',
        properties: {
          spec: {
            type: 'object',
            description: 'What the gizmo should be.',
            required: ['size'],
            properties: {
              size: { type: 'integer', minimum: 1, description: `How big the gizmo is (${name}).` },
              mode: { type: 'string', enum: ['fast', 'slow'], description: 'How the gizmo runs.' },
              ports: {
                type: 'array',
                description: 'Where the gizmo listens.',
                items: { type: 'object', properties: { port: { type: 'integer', description: 'A port number.' } } },
              },
              extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'Anything else.' },
              owner: { type: 'string', nullable: true, description: 'Who owns it.' },
            },
          },
        },
      },
    },
  });
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `gizmos.${group}` },
    spec: { group, scope: 'Namespaced', names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' }, versions: versions.map(version) },
  });
}

for (const bin of passClients) {
  const v = clientVersion(bin);
  const group = `openapi-${v.replace('.', '-')}.example.com`;
  describe(`custom resource OpenAPI with kubectl ${v}`, () => {
    // Each client its own discovery cache, so one client's stale view of the other's CRD is no factor.
    const kb = (args: string[], input?: string, cache = `${c.home}/kubectl-cache-${v}`) => c.kubectl([...args, `--cache-dir=${cache}`], { bin, input });
    const explain = async (...args: string[]) => {
      const r = await kb(['explain', ...args]);
      assert.equal(r.code, 0, `kubectl explain ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    // 1.27 reads v2 with --output plaintext-openapiv2; both clients read v3 by default.
    const outputs = v === '1.27' ? [[], ['--output', 'plaintext-openapiv2']] : [[]];
    const quoted = group.replace(/\./g, '\\.');
    /** explain's heading: v3's GROUP/KIND/VERSION or v2's KIND and group/version. */
    const heading = (extra: string[], version: string) =>
      extra.length ? new RegExp(`^KIND: +Gizmo\\nVERSION: +${quoted}/${version}\\n`) : new RegExp(`^GROUP: +${quoted}\\nKIND: +Gizmo\\nVERSION: +${version}\\n`);

    test('explain prints the custom kind and its nested fields from the CRD schema', async () => {
      const applied = await kb(['apply', '-f', '-'], gizmoCRD(group, ['v1']));
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal((await kb(['wait', '--for', 'condition=established', '--timeout=30s', `crd/gizmos.${group}`])).code, 0);
      const index = JSON.parse((await kb(['get', '--raw', '/openapi/v3'])).stdout).paths;
      assert.match(index[`apis/${group}/v1`].serverRelativeURL, new RegExp(`^/openapi/v3/apis/${group.replace(/\./g, '\\.')}/v1\\?hash=[0-9A-F]{128}$`));

      for (const extra of outputs) {
        const kind = await explain(`gizmos.${group}`, ...extra);
        assert.match(kind, heading(extra, 'v1'), kind);
        assert.match(kind, /DESCRIPTION:\n {4,5}A gizmo the example operator runs\.\n/, kind);
        assert.match(kind, /\n {2,3}apiVersion\t<string>\n {4,5}The API group and version/, kind);
        // v2's explain names no referenced type; v3's does.
        assert.match(kind, extra.length ? /\n {3}metadata\t<Object>\n {5}Standard object metadata/ : /\n {2}metadata\t<ObjectMeta>\n {4}Standard object metadata/, kind);
        assert.match(kind, /\n {2,3}spec\t<Object>\n {4,5}What the gizmo should be\./, kind);

        const spec = await explain(`gizmos.${group}.spec`, ...extra);
        assert.match(spec, /(FIELD|RESOURCE): +spec <Object>/, spec);
        assert.match(spec, /\n {2,3}size\t<integer> -required-\n {4,5}How big the gizmo is \(v1\)\./, spec);
        assert.match(spec, /\n {2,3}ports\t<\[\]Object>\n {4,5}Where the gizmo listens\./, spec);
        // v2 cannot say "nullable" nor type a node that keeps unknown fields: upstream drops those types there.
        assert.match(spec, extra.length ? /\n {3}extra\t<>\n {5}Anything else\./ : /\n {2}extra\t<Object>\n {4}Anything else\./, spec);
        assert.match(spec, extra.length ? /\n {3}owner\t<>\n {5}Who owns it\./ : /\n {2}owner\t<string>\n {4}Who owns it\./, spec);
        const port = await explain(`gizmos.${group}.spec.ports.port`, ...extra);
        assert.match(port, /FIELD: +port <integer>\n[^]*A port number\./, port);
      }
    });

    test('kubectl apply patches a custom object as the published PATCH operation allows (no strategic merge)', async () => {
      const gizmo = (size: number) => JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Gizmo', metadata: { name: 'g1', namespace: 'default' }, spec: { size, mode: 'fast' } });
      const created = await kb(['apply', '-f', '-'], gizmo(1));
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout.trim(), `gizmo.${group}/g1 created`);
      const configured = await kb(['apply', '-f', '-'], gizmo(3));
      assert.equal(configured.code, 0, configured.stderr);
      assert.equal(configured.stdout.trim(), `gizmo.${group}/g1 configured`);
      assert.equal(JSON.parse((await kb(['get', `gizmos.${group}`, 'g1', '-n', 'default', '-o', 'json'])).stdout).spec.size, 3);
      const doc = JSON.parse((await kb(['get', '--raw', `/openapi/v3/apis/${group}/v1`])).stdout);
      const patch = doc.paths[`/apis/${group}/v1/namespaces/{namespace}/gizmos/{name}`].patch;
      assert.deepEqual(Object.keys(patch.requestBody.content), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
      assert.equal((await kb(['delete', `gizmos.${group}`, 'g1', '-n', 'default'])).code, 0);
    });

    test('explain follows a version added to the CRD', async () => {
      const applied = await kb(['apply', '-f', '-'], gizmoCRD(group, ['v1', 'v2']));
      assert.equal(applied.code, 0, applied.stderr);
      const index = await (async () => {
        for (let i = 0; i < 50; i++) {
          const paths = JSON.parse((await kb(['get', '--raw', '/openapi/v3'])).stdout).paths;
          if (paths[`apis/${group}/v2`]) return paths;
          await new Promise((r) => setTimeout(r, 100));
        }
        return undefined;
      })();
      assert.ok(index, 'the v3 index lists the new version');
      for (const extra of outputs) {
        const size = await explain('gizmos.spec.size', `--api-version=${group}/v2`, ...extra);
        assert.match(size, extra.length ? new RegExp(`VERSION: +${quoted}/v2\\n`) : /VERSION: +v2\n/, size);
        assert.match(size, /How big the gizmo is \(v2\)\./, size);
      }
    });

    test('explain no longer knows the kind once the CRD is deleted', async () => {
      assert.equal((await kb(['delete', 'crd', `gizmos.${group}`])).code, 0);
      const index = JSON.parse((await kb(['get', '--raw', '/openapi/v3'])).stdout).paths;
      assert.equal(index[`apis/${group}/v1`], undefined);
      const gone = await kb(['get', '--raw', `/openapi/v3/apis/${group}/v1`]);
      assert.notEqual(gone.code, 0);
      // A client with fresh discovery (a cached one still maps the resource and finds no schema).
      const r = await kb(['explain', `gizmos.${group}`], undefined, `${c.home}/kubectl-cache-${v}-fresh`);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`the server doesn't have a resource type "gizmos"`), r.stderr);
    });
  });
}
