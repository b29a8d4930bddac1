// The API server's request handling against what upstream does, driven by the real
// kubectl, raw HTTPS and the official Python client: query parameter conversion, body
// decoding (media types, depth, unknown and duplicate fields), Status bodies, deprecation
// warnings, and service account token audiences.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, type TestCluster } from './harness.js';

const pythonDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'e2e', 'python');
/** Debian's interpreter, for which python3-kubernetes is installed. */
const python = '/usr/bin/python3';
const hasPythonClient = spawnSync(python, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;

let c: TestCluster;
let adminToken: string;

before(async () => {
  c = await startCluster();
  adminToken = /token: (\S+)/.exec(fs.readFileSync(c.kubeconfig, 'utf8'))![1];
});

after(() => {
  c?.down(true);
});

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

function request(method: string, p: string, body?: string, opts: { contentType?: string; token?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? adminToken}` };
    if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const req = https.request({ host: '127.0.0.1', port: c.port, path: p, method, rejectUnauthorized: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, ms: Date.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cms = '/api/v1/namespaces/default/configmaps';
const configMap = (name: string, extra = '') => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"}${extra}}`;
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('query parameters convert as the API server converts them', () => {
  test('the Python client watch (watch=True) streams events', { skip: !hasPythonClient && 'python3-kubernetes not installed' }, async () => {
    await c.k(['create', 'configmap', 'py-watched']);
    const r = spawnSync(python, [path.join(pythonDir, 'watch_configmaps.py'), c.kubeconfig, 'default', '2'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const events = JSON.parse(r.stdout) as [string, string][];
    assert.ok(events.some(([type, name]) => type === 'ADDED' && name === 'py-watched'), r.stdout);
  });

  test('watch=True and watch=t stream; watch=false lists', async () => {
    for (const v of ['True', 't']) {
      const r = await request('GET', `${cms}?watch=${v}&timeoutSeconds=1`);
      assert.equal(r.status, 200);
      assert.match(r.body.split('\n')[0], /^\{"type":"ADDED","object":\{/);
    }
    assert.equal(JSON.parse((await request('GET', `${cms}?watch=false`)).body).kind, 'ConfigMapList');
  });

  test('limit=abc and resourceVersion=garbage are 400 with the conversion and parse errors', async () => {
    const limit = await request('GET', `${cms}?limit=abc`);
    assert.equal(limit.status, 400);
    assert.equal(JSON.parse(limit.body).message, 'strconv.ParseInt: parsing "abc": invalid syntax');
    const rv = await request('GET', `${cms}?resourceVersion=garbage`);
    assert.equal(rv.status, 400);
    assert.equal(JSON.parse(rv.body).message, 'resourceVersion: Invalid value: "garbage": strconv.ParseUint: parsing "garbage": invalid syntax');
  });
});

describe('request bodies decode as the API server decodes them', () => {
  test('text/plain, XML, form and multipart bodies are 415 for create; patch lists the patch types', async () => {
    for (const ct of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await request('POST', cms, configMap('ct'), { contentType: ct });
      assert.equal(r.status, 415, ct);
      const s = JSON.parse(r.body);
      assert.equal(s.reason, 'UnsupportedMediaType');
      assert.equal(s.message, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    }
    await c.k(['create', 'configmap', 'patched']);
    const p = await request('PATCH', `${cms}/patched`, '{}', { contentType: 'text/plain' });
    assert.equal(p.status, 415);
    assert.equal(
      JSON.parse(p.body).message,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
  });

  test('unknown fields are dropped under Warn (with a warning) and Ignore, so they cannot bypass size limits', async () => {
    const big = 'x'.repeat(2_900_000);
    const r = await request('POST', cms, configMap('big-unknown', `,"data":{"k":"v"},"junk":"${big}"`));
    assert.equal(r.status, 201);
    assert.deepEqual(r.headers.warning, '299 - "unknown field \\"junk\\""');
    const ignored = await request('POST', `${cms}?fieldValidation=Ignore`, configMap('ignored-unknown', ',"spec":{"foo":1}'));
    assert.equal(ignored.status, 201);
    assert.equal(ignored.headers.warning, undefined);
    for (const name of ['big-unknown', 'ignored-unknown']) {
      const stored = JSON.parse(await c.k(['get', 'configmap', name, '-o', 'json']));
      assert.equal(stored.junk, undefined);
      assert.equal(stored.spec, undefined);
    }
  });

  test('duplicate keys fail Strict and warn under Warn; wrong-shaped values fail the decode', async () => {
    const strict = await request('POST', `${cms}?fieldValidation=Strict`, configMap('dup', ',"data":{"a":"1","a":"2"}'));
    assert.equal(strict.status, 400);
    assert.equal(JSON.parse(strict.body).message, 'strict decoding error: duplicate field "data.a"');
    const warn = await request('POST', cms, configMap('dup', ',"data":{"a":"1","a":"2"}'));
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.warning, '299 - "duplicate field \\"data.a\\""');
    const shape = await request('POST', cms, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shape","labels":{"a":{"b":1}}}}`);
    assert.equal(shape.status, 400);
    assert.equal(
      JSON.parse(shape.body).message,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ObjectMeta.metadata.labels of type string',
    );
  });

  test('bad strategic merge directives are 400 with the strategicpatch text', async () => {
    await c.k(['create', 'configmap', 'smp']);
    await c.k(['label', 'configmap', 'smp', 'a=b']);
    const explode = await request('PATCH', `${cms}/smp`, '{"metadata":{"labels":{"$patch":"explode"}}}', { contentType: 'application/strategic-merge-patch+json' });
    assert.equal(explode.status, 400);
    assert.equal(JSON.parse(explode.body).message, 'unknown patch type: explode in map: map[$patch:explode]');
    await c.k(['create', 'deployment', 'smp', '--image=nginx']);
    const order = await request('PATCH', '/apis/apps/v1/namespaces/default/deployments/smp', '{"spec":{"template":{"spec":{"$setElementOrder/containers":"nginx","containers":[{"name":"nginx"}]}}}}', {
      contentType: 'application/strategic-merge-patch+json',
    });
    assert.equal(order.status, 400);
    assert.equal(JSON.parse(order.body).message, 'expected a []interface {}, but received a string');
  });

  test('JSON deeper than 10000 levels is 400; deep unknown fields cost little and do not stall the server', async () => {
    const tooDeep = await request('POST', cms, configMap('deep', `,"x":${nested(10_000)}`));
    assert.equal(tooDeep.status, 400);
    assert.equal(JSON.parse(tooDeep.body).message, "couldn't get version/kind; json parse error: invalid character '{' exceeded max depth");
    const atLimit = await request('POST', cms, configMap('deep-9999', `,"x":${nested(9_998)}`));
    assert.equal(atLimit.status, 201);
    // Before: 500 "Maximum call stack size exceeded" after 1-4 s each, and /readyz waited 14 s behind four of them.
    const parallel = Promise.all([0, 1, 2, 3].map((i) => request('POST', cms, configMap(`deep-${i}`, `,"x":${nested(1_800)}`))));
    const ready = await request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.ok(ready.ms < 5_000, `/readyz took ${ready.ms} ms`);
    for (const r of await parallel) assert.equal(r.status, 201, r.body);
    const yamlDeep = await request('PATCH', `${cms}/deep-0?fieldManager=t`, `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`, { contentType: 'application/apply-patch+yaml' });
    assert.equal(yamlDeep.status, 400);
  });
});

describe('responses as the API server writes them', () => {
  test('Status bodies: field order and trailing newline, errors and delete results', async () => {
    const missing = await request('GET', '/apis/apps/v1/namespaces/default/deployments/nope');
    assert.equal(
      missing.body,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","group":"apps","kind":"deployments"},"code":404}\n',
    );
    await c.k(['create', 'configmap', 'to-delete']);
    const uid = JSON.parse(await c.k(['get', 'configmap', 'to-delete', '-o', 'json'])).metadata.uid;
    const deleted = await request('DELETE', `${cms}/to-delete`);
    assert.equal(deleted.body, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"to-delete","kind":"configmaps","uid":"${uid}"}}\n`);
  });

  test('kubectl get endpoints prints the 1.33 deprecation warning', async () => {
    const r = await c.kubectl(['get', 'endpoints']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: v1 Endpoints is deprecated in v1\.33\+; use discovery\.k8s\.io\/v1 EndpointSlice/);
    assert.doesNotMatch((await c.kubectl(['get', 'endpointslices'])).stderr, /deprecated/);
  });
});

describe('service account tokens', () => {
  test('a token for another audience is 401; the default audience authenticates (and RBAC then decides)', async () => {
    const vault = (await c.k(['create', 'token', 'default', '--audience=vault'])).trim();
    const denied = await request('GET', '/api/v1/secrets', undefined, { token: vault });
    assert.equal(denied.status, 401);
    assert.equal(JSON.parse(denied.body).reason, 'Unauthorized');
    assert.equal((await request('POST', '/api/v1/namespaces/kube-system/configmaps', configMap('by-vault'), { token: vault })).status, 401);
    const api = (await c.k(['create', 'token', 'default'])).trim();
    assert.equal((await request('GET', '/api/v1/secrets', undefined, { token: api })).status, 403);
    await c.k(['create', 'clusterrole', 'secret-lister', '--verb=list', '--resource=secrets']);
    await c.k(['create', 'clusterrolebinding', 'default-lists-secrets', '--clusterrole=secret-lister', '--serviceaccount=default:default']);
    assert.equal((await request('GET', '/api/v1/secrets', undefined, { token: api })).status, 200);
  });
});
