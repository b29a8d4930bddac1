import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import {
  openapiV2Json,
  openapiV2Protobuf,
  openapiV2ProtobufContentType,
  openapiV3Document,
  openapiV3Index,
} from './openapi.js';

// ---- a tiny protobuf reader, enough to walk the gnostic Document back ----

type Fields = Map<number, (Buffer | number)[]>;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 0x80;
  }
}

function decode(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: Buffer | number;
    if (wire === 0) [value, pos] = readVarint(buf, p1);
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, p1);
      value = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else throw new Error(`unexpected wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const msg = (f: Fields, n: number): Fields => decode((f.get(n)?.[0] as Buffer) ?? Buffer.alloc(0));
const msgs = (f: Fields, n: number): Fields[] => (f.get(n) ?? []).map((b) => decode(b as Buffer));
const str = (f: Fields, n: number): string => ((f.get(n)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8');

test('/openapi/v2 protobuf: PATCH operations carry the GVK extension and fieldValidation', () => {
  const doc = decode(openapiV2Protobuf());
  assert.equal(str(doc, 1), '2.0');
  assert.equal(str(msg(doc, 2), 1), 'Kubernetes');
  const paths = msgs(msg(doc, 8), 2); // Paths.path: NamedPathItem
  const item = paths.find((p) => str(p, 1) === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  assert.ok(item, 'deployment item path present');
  const patch = msg(msg(item, 2), 8); // PathItem.patch
  const ext = msgs(patch, 13).map((e) => [str(e, 1), str(msg(e, 2), 2)]); // NamedAny(name, Any.yaml)
  assert.deepEqual(ext.find(([k]) => k === 'x-kubernetes-group-version-kind'), [
    'x-kubernetes-group-version-kind',
    'group: apps\nversion: v1\nkind: Deployment\n',
  ]);
  // ParametersItem.parameter → Parameter.non_body_parameter → query_parameter_sub_schema.name
  const queryNames = msgs(patch, 8).map((p) => str(msg(msg(msg(p, 1), 2), 3), 4));
  assert.ok(queryNames.includes('fieldValidation'));

  const coreSvc = paths.find((p) => str(p, 1) === '/api/v1/namespaces/{namespace}/services/{name}');
  assert.ok(coreSvc);
  const svcExt = msgs(msg(msg(coreSvc, 2), 8), 13).find((e) => str(e, 1) === 'x-kubernetes-group-version-kind');
  assert.equal(str(msg(svcExt ?? new Map(), 2), 2), 'group: ""\nversion: v1\nkind: Service\n');

  // Definitions.additional_properties: NamedSchema; ServicePort.properties.port.type = integer
  const defs = msgs(msg(doc, 9), 1);
  const servicePort = defs.find((d) => str(d, 1) === 'io.k8s.api.core.v1.ServicePort');
  assert.ok(servicePort);
  const props = msgs(msg(msg(servicePort, 2), 25), 1);
  const port = props.find((p) => str(p, 1) === 'port');
  assert.equal(str(msg(msg(port ?? new Map(), 2), 22), 1), 'integer');
  assert.equal(openapiV2ProtobufContentType, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
});

test('/openapi/v3 index and documents', () => {
  const index = openapiV3Index();
  assert.deepEqual(Object.keys(index.paths), [
    'api/v1',
    'apis/apiregistration.k8s.io/v1',
    'apis/apps/v1',
    'apis/authentication.k8s.io/v1',
    'apis/authorization.k8s.io/v1',
    'apis/autoscaling/v2',
    'apis/autoscaling/v1',
    'apis/batch/v1',
    'apis/networking.k8s.io/v1',
    'apis/policy/v1',
    'apis/rbac.authorization.k8s.io/v1',
    'apis/storage.k8s.io/v1',
    'apis/apiextensions.k8s.io/v1',
    'apis/scheduling.k8s.io/v1',
    'apis/coordination.k8s.io/v1',
    'apis/discovery.k8s.io/v1',
  ]);
  const doc = openapiV3Document('apis/apps/v1');
  assert.ok(doc);
  assert.equal(index.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${doc.hash}`);
  assert.match(doc.hash, /^[0-9A-F]{128}$/);
  const body = doc.body as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; 'x-kubernetes-group-version-kind'?: unknown }>>; components: { schemas: Record<string, Record<string, unknown>> } };
  const patch = body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(patch.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.deepEqual(body.components.schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [
    { group: 'apps', kind: 'Deployment', version: 'v1' },
  ]);
  assert.ok(body.components.schemas['io.k8s.api.core.v1.Container'], 'referenced core definitions are included');
  assert.equal(openapiV3Document('apis/batch/v2'), undefined);
  assert.ok(openapiV3Document('apis/batch/v1'));
  assert.equal((openapiV2Json() as { swagger: string }).swagger, '2.0');
});

test("kanzen's descriptions reach the v3 schemas and the v2 definitions (kubectl explain)", () => {
  type Schema = { description?: string; properties?: Record<string, { description?: string; allOf?: unknown[]; $ref?: string }> };
  const v3 = openapiV3Document('apis/apps/v1')!.body as { components: { schemas: Record<string, Schema> } };
  const v3Set = v3.components.schemas['io.k8s.api.apps.v1.StatefulSet'];
  assert.match(v3Set.description ?? '', /^Runs a fixed number of pods/);
  assert.match(v3Set.properties?.spec.description ?? '', /^What the set runs/);
  assert.deepEqual(v3Set.properties?.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.StatefulSetSpec' }]);
  // apiVersion and kind come from the inline TypeMeta: described once, under TypeMeta.
  assert.match(v3Set.properties?.kind.description ?? '', /^The type of the object/);
  assert.match(v3.components.schemas['io.k8s.api.apps.v1.StatefulSetSpec'].properties?.podManagementPolicy.description ?? '', /OrderedReady/);
  // +enum values are published (sorted, as kube-openapi does); kubectl 1.29+ lists them.
  assert.deepEqual((v3.components.schemas['io.k8s.api.apps.v1.StatefulSetSpec'].properties?.podManagementPolicy as { enum?: string[] }).enum, ['OrderedReady', 'Parallel']);
  const v2 = openapiV2Json() as { definitions: Record<string, Schema> };
  const v2Job = v2.definitions['io.k8s.api.batch.v1.Job'];
  assert.match(v2Job.description ?? '', /^Runs pods until/);
  assert.equal(v2Job.properties?.spec.$ref, '#/definitions/io.k8s.api.batch.v1.JobSpec');
  assert.match(v2Job.properties?.spec.description ?? '', /^How many pods run at once/);
});

// ---- the real clients against a probe server ----

const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
const clients = ['1.27', '1.28', '1.33'].filter((v) => existsSync(join(kubectlDir, `kubectl.${v}`)));

function probeServer(requests: string[]): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://probe');
      const p = url.pathname;
      requests.push(`${req.method} ${p}${url.search}`);
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let m: RegExpExecArray | null;
      if (p === '/version') return json(200, { major: '1', minor: '33', gitVersion: 'v1.33.0+kanzen', platform: 'linux/amd64' });
      if (p === '/api') return json(200, apiVersions());
      if (p === '/apis') return json(200, apiGroupList());
      if (p === '/api/v1') return json(200, apiResourceList('', 'v1'));
      if ((m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p))) return json(apiResourceList(m[1], m[2]) ? 200 : 404, apiResourceList(m[1], m[2]) ?? {});
      if ((m = /^\/apis\/([^/]+)$/.exec(p))) return json(apiGroup(m[1]) ? 200 : 404, apiGroup(m[1]) ?? {});
      if (p === '/openapi/v2') {
        res.writeHead(200, { 'Content-Type': openapiV2ProtobufContentType });
        return res.end(openapiV2Protobuf());
      }
      if (p === '/openapi/v3') return json(200, openapiV3Index());
      if (p.startsWith('/openapi/v3/')) {
        const doc = openapiV3Document(p.slice('/openapi/v3/'.length));
        return doc ? json(200, doc.body) : json(404, {});
      }
      if (req.method === 'POST') {
        const obj = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata: Record<string, unknown> };
        Object.assign(obj.metadata, { uid: 'u1', resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z', namespace: 'default' });
        return json(201, obj);
      }
      return json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'services "web" not found',
        reason: 'NotFound',
        details: { name: 'web', kind: 'services' },
        code: 404,
      });
    });
  });
}

/** A kubeconfig for the probe server at 127.0.0.1:port, written into dir. */
function writeProbeKubeconfig(dir: string, port: number): string {
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- cluster: {server: "http://127.0.0.1:${port}"}
  name: probe
contexts:
- context: {cluster: probe, user: probe, namespace: default}
  name: probe
current-context: probe
users:
- name: probe
  user: {}
`,
  );
  return kubeconfig;
}

const serviceYaml = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;

const run = promisify(execFile);

/** Runs fn with a probe server up, a scratch directory and a kubeconfig pointing at the server. */
async function withProbeServer(requests: string[], fn: (kubeconfig: string, dir: string) => Promise<void>): Promise<void> {
  const server = probeServer(requests);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'kanzen-openapi-'));
  try {
    await fn(writeProbeKubeconfig(dir, port), dir);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('real kubectl: apply -f / create -f pass strict validation via the OpenAPI documents', { skip: clients.length === 0 && 'kubectl not installed' }, async () => {
  const requests: string[] = [];
  await withProbeServer(requests, async (kubeconfig, dir) => {
    const manifest = join(dir, 'svc.yaml');
    writeFileSync(manifest, serviceYaml);
    for (const v of clients) {
      for (const verb of v === '1.33' ? ['apply', 'create'] : ['apply']) {
        requests.length = 0;
        const kubectl = join(kubectlDir, `kubectl.${v}`);
        const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${v}-${verb}`), verb, '-f', manifest]);
        assert.equal(stdout.trim(), 'service/web created', `kubectl ${v} ${verb}`);
        assert.ok(
          requests.some((r) => r.startsWith('POST /api/v1/namespaces/default/services?') && r.includes('fieldValidation=Strict')),
          `kubectl ${v} ${verb} sent fieldValidation=Strict: ${requests.join('\n')}`,
        );
        if (v === '1.27' || v === '1.28') assert.ok(requests.some((r) => r.startsWith('GET /openapi/v2')));
      }
    }
    const newest = join(kubectlDir, `kubectl.${clients[clients.length - 1]}`);
    const resourcesOut = (await run(newest, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache-ar'), 'api-resources'])).stdout;
    assert.match(resourcesOut, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(resourcesOut, /^services\s+svc\s+v1\s+true\s+Service$/m);
    const explain = (await run(newest, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache-ex'), 'explain', 'service.spec.ports'])).stdout;
    assert.match(explain, /FIELD: ports <\[\]ServicePort>/);
    assert.match(explain, /port\t<integer> -required-/);
  });
});

// The kinds of issue 11 with the nested types users explain; every field listed is described.
const explained = [
  'statefulset',
  'statefulset.spec',
  'statefulset.spec.updateStrategy.rollingUpdate',
  'daemonset.spec',
  'daemonset.spec.updateStrategy.rollingUpdate',
  'controllerrevision',
  'job.spec',
  'cronjob.spec',
  'replicationcontroller.spec',
  'persistentvolume',
  'persistentvolumeclaim.spec',
  'storageclass',
  'poddisruptionbudget.spec',
];

test('real kubectl explain prints kanzen\'s descriptions of the workload and storage kinds', { skip: clients.length === 0 && 'kubectl not installed' }, async () => {
  await withProbeServer([], async (kubeconfig, dir) => {
    for (const v of clients) {
      const kubectl = join(kubectlDir, `kubectl.${v}`);
      for (const target of explained) {
        const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${v}`), 'explain', target]);
        assert.match(stdout, /DESCRIPTION:\n {4}\S/, `kubectl ${v} explain ${target} describes the type:\n${stdout}`);
        assert.doesNotMatch(stdout, /<empty>|<no description>/, `kubectl ${v} explain ${target}:\n${stdout}`);
      }
      if (v === '1.33') {
        const cronjob = (await run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${v}`), 'explain', 'cronjob.spec'])).stdout;
        assert.match(cronjob, /\n {2}concurrencyPolicy\t<string>\n {2}enum: Allow, Forbid, Replace\n {4}What happens when a run is due/);
      }
    }
    // kubectl's OpenAPI v2 path (the only one before 1.27's v3 explain) prints the same text.
    const oldest = join(kubectlDir, `kubectl.${clients[0]}`);
    const v2 = (await run(oldest, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache-v2'), 'explain', 'cronjob.spec', '--output', 'plaintext-openapiv2'])).stdout;
    assert.match(v2, /DESCRIPTION:\n {5}The schedule, the Job template and what to do with overlapping/);
    assert.match(v2, /concurrencyPolicy\t<string>\n {5}What happens when a run is due/);
  });
});

// Upstream publishes POST pods/{name}/eviction and the policy/v1 Eviction it takes in the
// core v1 document (and in v2); Eviction is no resource of its own, so kubectl explain
// cannot name it there either.
test('the eviction subresource and its Eviction body are published as upstream publishes them', () => {
  type Op = { operationId: string; 'x-kubernetes-action': string; 'x-kubernetes-group-version-kind': unknown };
  const core = openapiV3Document('api/v1')!.body as { paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, Record<string, unknown>> } };
  const path = core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'];
  assert.deepEqual(Object.keys(path).filter((k) => k !== 'parameters'), ['post']);
  assert.equal(path.post.operationId, 'createCoreV1NamespacedPodEviction');
  assert.equal(path.post['x-kubernetes-action'], 'post');
  assert.deepEqual(path.post['x-kubernetes-group-version-kind'], { group: 'policy', version: 'v1', kind: 'Eviction' });
  const eviction = core.components.schemas['io.k8s.api.policy.v1.Eviction'];
  assert.deepEqual(eviction['x-kubernetes-group-version-kind'], [{ group: 'policy', kind: 'Eviction', version: 'v1' }]);
  assert.deepEqual(Object.keys(eviction.properties as object), ['apiVersion', 'deleteOptions', 'kind', 'metadata']);
  assert.ok(core.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']);
  assert.ok(core.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions']);
  const v2 = openapiV2Json() as { paths: Record<string, Record<string, Op>>; definitions: Record<string, unknown> };
  assert.equal(v2.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post.operationId, 'createCoreV1NamespacedPodEviction');
  assert.ok(v2.definitions['io.k8s.api.policy.v1.Eviction']);
});

test('real kubectl explain eviction: no resource type, as upstream (it is a subresource)', { skip: clients.length === 0 && 'kubectl not installed' }, async () => {
  await withProbeServer([], async (kubeconfig, dir) => {
    for (const v of clients) {
      const kubectl = join(kubectlDir, `kubectl.${v}`);
      const failed = await run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${v}`), 'explain', 'eviction']).then(
        () => undefined,
        (e: { stderr: string }) => e.stderr,
      );
      // kubectl 1.27 prints the mapper's error bare, later ones after "error: ".
      assert.match(failed ?? '', /^(error: )?the server doesn't have a resource type "eviction"\n$/, `kubectl ${v}`);
    }
  });
});
