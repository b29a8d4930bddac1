import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, resourceFor } from '../client/api-client.js';
import { ApiError } from '../api/errors.js';
import type { ConfigMap, KubeObject, Pod, WatchEvent } from '../api/types.js';
import { startApiFixture, type ApiFixture } from '../testing/api-fixture.js';

// The same requests through the unix socket and through the in-process transport must give
// the same answers: the handler is the same, only the socket and the JSON in between go.
let f: ApiFixture;
let socket: ApiClient;
let local: ApiClient;

before(async () => {
  f = await startApiFixture();
  socket = new ApiClient({ socketPath: f.socketPath }, 'test');
  local = new ApiClient({ socketPath: f.socketPath, inProcess: f.server.inProcess() }, 'test');
});

after(async () => {
  socket.close();
  local.close();
  await f.stop();
});

const configmaps = resourceFor('configmaps');
const pods = resourceFor('pods');

/** What differs between two writes of the same object: its identity and times. */
function comparable(o: KubeObject): unknown {
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, name: _n, managedFields, ...meta } = o.metadata;
  return { ...o, metadata: { ...meta, managedFields: managedFields?.map(({ time: _t, ...m }) => m) } };
}

function pod(name: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

test('create, get, update, status, patch and apply answer as over the socket', async () => {
  for (const [client, name] of [
    [socket, 'over-socket'],
    [local, 'in-process'],
  ] as const) {
    await client.create(pods, 'default', pod(name));
    const got = await client.get<Pod>(pods, 'default', name);
    got.metadata.labels = { app: 'y' };
    await client.update(pods, got);
    const withStatus = await client.get<Pod>(pods, 'default', name);
    withStatus.status = { ...withStatus.status, phase: 'Running', podIP: '10.0.0.9' };
    await client.updateStatus(pods, withStatus);
    await client.patch(pods, 'default', name, 'merge', { metadata: { annotations: { a: 'b' } } });
    await client.patch(pods, 'default', name, 'strategic', { metadata: { labels: { extra: '1' } } });
  }
  assert.deepEqual(comparable(await local.get(pods, 'default', 'in-process')), comparable(await socket.get(pods, 'default', 'over-socket')));

  const applied = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'default' }, data: { k: 'v' } };
  const viaSocket = await socket.patch<ConfigMap>(configmaps, 'default', 'applied', 'apply', applied, undefined, { force: true });
  const viaLocal = await local.patch<ConfigMap>(configmaps, 'default', 'applied', 'apply', { ...applied, data: { k: 'v', more: 'w' } }, undefined, { force: true });
  assert.deepEqual(viaLocal.data, { k: 'v', more: 'w' });
  assert.equal(Number(viaLocal.metadata.resourceVersion) > Number(viaSocket.metadata.resourceVersion), true);
});

test('errors come back as the same ApiError', async () => {
  const errorOf = (p: Promise<unknown>) =>
    p.then(
      () => assert.fail('expected an error'),
      (e: unknown) => {
        assert.ok(e instanceof ApiError);
        return { code: e.code, status: e.status };
      },
    );
  assert.deepEqual(await errorOf(local.get(pods, 'default', 'missing')), await errorOf(socket.get(pods, 'default', 'missing')));
  const invalid = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [] } } as Pod;
  assert.deepEqual(await errorOf(local.create(pods, 'default', invalid)), await errorOf(socket.create(pods, 'default', invalid)));
  assert.deepEqual(await errorOf(local.create(pods, 'nowhere', pod('p'))), await errorOf(socket.create(pods, 'nowhere', pod('p'))));
});

test('the server keeps nothing of the caller\'s object and the caller nothing of the server\'s', async () => {
  const mine = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine' }, data: { a: '1' }, gone: undefined } as unknown as ConfigMap;
  const created = await local.create(configmaps, 'default', mine);
  // Defaulting and metadata went to the server's copy, not the caller's.
  assert.equal(mine.metadata.uid, undefined);
  assert.equal('gone' in created, false);
  created.data!.a = 'changed by the caller';
  mine.data!.a = 'changed too';
  assert.deepEqual((await local.get<ConfigMap>(configmaps, 'default', 'mine')).data, { a: '1' });
});

test('a watch delivers the same events in order, and stops when asked', async () => {
  const list = await local.list(configmaps, 'default');
  const rv = list.metadata.resourceVersion;
  const seen = (client: ApiClient) => {
    const events: string[] = [];
    const ended: (Error | undefined)[] = [];
    const h = client.watch<ConfigMap>(configmaps, 'default', { resourceVersion: rv }, (ev: WatchEvent<ConfigMap>) => {
      const o = ev.object as ConfigMap;
      events.push(`${ev.type} ${o.metadata.name} ${o.data?.n ?? ''}`);
    }, (err) => ended.push(err));
    return { events, ended, stop: () => h.stop() };
  };
  const a = seen(socket);
  const b = seen(local);
  for (let i = 0; i < 5; i++) {
    await local.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w${i}` }, data: { n: String(i) } });
  }
  await local.patch(configmaps, 'default', 'w0', 'merge', { data: { n: 'x' } });
  await local.delete(configmaps, 'default', 'w1');
  const deadline = Date.now() + 10_000;
  while ((a.events.length < 7 || b.events.length < 7) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(b.events.length, 7);
  assert.deepEqual(b.events, a.events);
  a.stop();
  b.stop();
  await local.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-stop' } });
  await new Promise((r) => setImmediate(r));
  assert.equal(b.events.length, 7);
  // A watch the caller stops does not report an end (as over the socket).
  assert.deepEqual(b.ended, []);
});

test('a watch the server refuses ends with its error', async () => {
  const ended = await new Promise<Error | undefined>((resolve) => {
    local.watch(configmaps, 'default', { resourceVersion: 'not-a-number' }, () => undefined, resolve);
  });
  assert.ok(ended instanceof ApiError);
  assert.equal(ended.code, 400);
});

test('a stopping server ends its in-process watches, as it drops its connections', async () => {
  const own = await startApiFixture();
  // Not one of the fixture's clients: those are closed before the server stops.
  const client = new ApiClient({ socketPath: own.socketPath, inProcess: own.server.inProcess() }, 'test');
  const ended = new Promise<Error | undefined>((resolve) => {
    client.watch(configmaps, 'default', {}, () => undefined, resolve);
  });
  // The watch is open once its first (empty) batch could have come: then stop the server.
  await new Promise((r) => setImmediate(r));
  await own.stop();
  const err = await ended;
  client.close();
  assert.ok(err instanceof Error);
});

test('a closed client\'s in-process watches end and see nothing more', async () => {
  const client = new ApiClient({ socketPath: f.socketPath, inProcess: f.server.inProcess() }, 'test');
  const events: string[] = [];
  const ends: (Error | undefined)[] = [];
  client.watch(configmaps, 'default', { resourceVersion: (await local.list(configmaps, 'default')).metadata.resourceVersion }, (ev) => events.push(ev.type), (e) => ends.push(e));
  client.close();
  await local.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-close' } });
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(events, []);
  assert.deepEqual(ends, []);
});
