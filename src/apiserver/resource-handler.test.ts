import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Transport } from '../client/transport.js';
import { startApiFixture, type ApiFixture } from '../testing/api-fixture.js';

let f: ApiFixture;
let t: Transport;

before(async () => {
  f = await startApiFixture();
  t = f.client().transport;
});

after(() => f.stop());

const deployments = '/apis/apps/v1/namespaces/default/deployments';
const table = { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await t.request(method, path, body, headers);
  return { status: r.status, body: JSON.parse(r.body.toString('utf8')) as Record<string, unknown> };
}

function deployment(name: string, replicas: number): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
}

test('a method a collection or object has no verb for is 405 MethodNotAllowed naming the verb', async () => {
  const put = await call('PUT', '/api/v1/namespaces/default/configmaps', {});
  assert.equal(put.status, 405);
  assert.equal(put.body.message, 'put is not supported on resources of kind "configmaps"');
  const post = await call('POST', '/api/v1/namespaces/default/configmaps/x', {});
  assert.equal(post.status, 405);
  assert.equal(post.body.message, 'post is not supported on resources of kind "configmaps"');
  const nsCollection = await call('DELETE', '/api/v1/namespaces');
  assert.equal(nsCollection.status, 405);
  assert.equal(nsCollection.body.message, 'deletecollection is not supported on resources of kind "namespaces"');
  assert.equal((await call('POST', deployments, deployment('web', 1))).status, 201);
  const deleteScale = await call('DELETE', `${deployments}/web/scale`);
  assert.deepEqual([deleteScale.status, deleteScale.body.reason], [405, 'MethodNotAllowed']);
});

test('the scale subresource shows and writes the object\'s replicas through every write verb', async () => {
  assert.equal((await call('POST', deployments, deployment('scaled', 2))).status, 201);
  const scale = await call('GET', `${deployments}/scaled/scale`);
  assert.equal(scale.status, 200);
  assert.deepEqual([scale.body.kind, scale.body.apiVersion, scale.body.spec, scale.body.status], ['Scale', 'autoscaling/v1', { replicas: 2 }, { replicas: 0, selector: 'app=scaled' }]);

  const put = await call('PUT', `${deployments}/scaled/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'scaled' }, spec: { replicas: 3 } });
  assert.deepEqual([put.status, put.body.kind, put.body.spec], [200, 'Scale', { replicas: 3 }]);
  const patched = await call('PATCH', `${deployments}/scaled/scale`, { spec: { replicas: 4 } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.deepEqual([patched.status, patched.body.spec], [200, { replicas: 4 }]);
  const applied = await call('PATCH', `${deployments}/scaled/scale?fieldManager=hpa&force=true`, 'apiVersion: autoscaling/v1\nkind: Scale\nmetadata:\n  name: scaled\nspec:\n  replicas: 5\n', {
    'Content-Type': 'application/apply-patch+yaml',
  });
  assert.deepEqual([applied.status, applied.body.spec], [200, { replicas: 5 }]);
  const stored = await call('GET', `${deployments}/scaled`);
  assert.equal((stored.body.spec as { replicas: number }).replicas, 5);

  const missing = await call('PATCH', `${deployments}/nope/scale`, { spec: { replicas: 1 } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.deepEqual([missing.status, missing.body.message], [404, 'deployments.apps "nope" not found']);
  const wrongName = await call('PUT', `${deployments}/scaled/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'other' }, spec: { replicas: 1 } });
  assert.deepEqual([wrongName.status, wrongName.body.message], [400, 'the name of the object (other) does not match the name on the URL (scaled)']);
});

test('a Table of a Scale has printScale\'s columns; of the object, its module\'s printer\'s', async () => {
  assert.equal((await call('POST', deployments, deployment('tabled', 6))).status, 201);
  const scale = await call('GET', `${deployments}/tabled/scale`, undefined, table);
  assert.equal(scale.body.kind, 'Table');
  assert.deepEqual((scale.body.columnDefinitions as { name: string }[]).map((c) => c.name), ['Name', 'Desired', 'Available', 'Age']);
  assert.deepEqual((scale.body.rows as { cells: unknown[] }[])[0].cells.slice(0, 3), ['tabled', 6, 0]);
  const obj = await call('GET', `${deployments}/tabled`, undefined, table);
  assert.deepEqual((obj.body.columnDefinitions as { name: string }[]).slice(0, 4).map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available']);
  const configMaps = await call('GET', '/api/v1/namespaces/default/configmaps', undefined, table);
  assert.deepEqual((configMaps.body.columnDefinitions as { name: string }[]).map((c) => c.name), ['Name', 'Data', 'Age']);
});

test('a resource whose module serves create itself (the self reviews) answers it, stores nothing and serves no other verb', async () => {
  const reviews = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } };
  const created = await call('POST', reviews, review);
  // The unix socket's caller is the admin user, allowed by kubeadm's binding of the bootstrap policy.
  assert.deepEqual([created.status, created.body.status], [
    201,
    { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"' },
  ]);
  const invalid = await call('POST', reviews, { ...review, spec: {} });
  assert.deepEqual([invalid.status, invalid.body.reason], [422, 'Invalid']);
  const list = await call('GET', reviews);
  assert.deepEqual([list.status, list.body.message], [405, 'list is not supported on resources of kind "selfsubjectaccessreviews.authorization.k8s.io"']);
  const whoami = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  assert.equal((whoami.body.status as { userInfo: { username: string } }).userInfo.username, 'kubernetes-admin');
});

/** What the server writes back to a raw upgrade request before it closes the connection. */
function upgrade(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(f.socketPath);
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
    sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  });
}

test('upgrades go to the module that serves the subresource (pods/exec); any other is dropped', async () => {
  const exec = await upgrade('/api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=true');
  assert.match(exec, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(exec, /"message":"pods \\"nope\\" not found"/);
  assert.equal(await upgrade('/api/v1/namespaces/default/configmaps/x/exec'), '');
  assert.equal(await upgrade('/api/v1/namespaces/default/pods/nope/constructor'), '');
});

test('an apply or a PUT that creates goes through the resource\'s create admission (a claim gets the default class)', async () => {
  const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path' };
  assert.equal((await call('POST', '/apis/storage.k8s.io/v1/storageclasses', sc)).status, 201);
  const claims = '/api/v1/namespaces/default/persistentvolumeclaims';
  const claim = (name: string) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ${name}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n`;
  const applied = await call('PATCH', `${claims}/applied?fieldManager=kubectl`, claim('applied'), { 'Content-Type': 'application/apply-patch+yaml' });
  assert.equal(applied.status, 201);
  assert.equal((applied.body.spec as { storageClassName?: string }).storageClassName, 'fast');
  const body = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'put' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  const put = await call('PUT', `${claims}/put`, body);
  // PVCs do not allow create on update: the PUT is a 404, and admission never saw it.
  assert.equal(put.status, 404);
});

test("JSON bodies and watch events escape <, > and & as Go's encoder does (\\u003c, \\u003e, \\u0026)", async () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'escaped' }, data: { script: 'a && b > c < d' } };
  const created = await t.request('POST', '/api/v1/namespaces/default/configmaps', cm);
  assert.equal(created.status, 201);
  assert.match(created.body.toString('utf8'), /"script":"a \\u0026\\u0026 b \\u003e c \\u003c d"/);
  const got = await t.request('GET', '/api/v1/namespaces/default/configmaps/escaped');
  assert.match(got.body.toString('utf8'), /"script":"a \\u0026\\u0026 b \\u003e c \\u003c d"/);
  const watched = await new Promise<string>((resolve, reject) => {
    const w = t.stream(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Descaped`, (line) => {
      w.close();
      resolve(line);
    }, (err) => (err ? reject(err) : undefined));
  });
  assert.match(watched, /"script":"a \\u0026\\u0026 b \\u003e c \\u003c d"/);
});
