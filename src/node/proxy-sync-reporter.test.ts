import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { silentLogger } from '../util/logger.js';
import { proxySyncAnnotation, ProxySyncReporter, type ProxySyncSource } from './proxy-sync-reporter.js';
import { proxyModeAnnotation, type ProxyMode } from '../proxy/proxy-mode.js';

const nodes = resourceFor('nodes');

class FakeProxy implements ProxySyncSource {
  rv = '';
  private fns = new Set<(rv: string) => void>();
  appliedEndpointSlicesResourceVersion() {
    return this.rv;
  }
  onSynced(fn: (rv: string) => void) {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  synced(rv: string) {
    this.rv = rv;
    for (const f of this.fns) f(rv);
  }
}

async function until<T>(fn: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An API server with node-1 (carrying `annotations`) and a started reporter for it. */
async function reporterFor(t: TestContext, annotations: Record<string, string>, proxyMode?: ProxyMode) {
  const api = await startApiFixture();
  t.after(() => api.stop());
  const client = api.client('kube-proxy');
  await client.create<Node>(nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', annotations } });
  const informers = new InformerFactory(client, silentLogger);
  const proxy = new FakeProxy();
  const reporter = new ProxySyncReporter({ client, nodeName: 'node-1', proxy, proxyMode, nodes: informers.for<Node>(nodes), logger: silentLogger });
  reporter.start();
  informers.start();
  t.after(() => {
    reporter.stop();
    informers.stop();
  });
  const annotation = async () => (await client.get<Node>(nodes, undefined, 'node-1')).metadata.annotations ?? {};
  return { client, proxy, reporter, annotation };
}

test('the proxy\'s applied revision is published on its Node, coalesced, and restored when removed', async (t) => {
  const { client, proxy, reporter, annotation } = await reporterFor(t, { keep: 'me' });

  // Nothing applied yet: nothing written.
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await annotation())[proxySyncAnnotation], undefined);

  proxy.synced('10');
  proxy.synced('11');
  proxy.synced('12');
  await until(async () => (await annotation())[proxySyncAnnotation] === '12');
  assert.equal((await annotation()).keep, 'me', 'a merge patch keeps the other annotations');
  assert.equal(reporter.reported(), '12');

  // Someone strips it: level-triggered, it comes back.
  const n = await client.get<Node>(nodes, undefined, 'node-1');
  await client.update<Node>(nodes, { ...n, metadata: { ...n.metadata, annotations: { keep: 'me' } } });
  await until(async () => (await annotation())[proxySyncAnnotation] === '12');
});

test('the proxy mode is published with the revision and restored when removed', async (t) => {
  const { client, proxy, annotation: annotations } = await reporterFor(t, {}, 'nftables');

  proxy.synced('7');
  await until(async () => (await annotations())[proxySyncAnnotation] === '7');
  assert.equal((await annotations())[proxyModeAnnotation], 'nftables');

  // The mode alone is stripped (the revision stays): it comes back.
  const n = await client.get<Node>(nodes, undefined, 'node-1');
  await client.update<Node>(nodes, { ...n, metadata: { ...n.metadata, annotations: { [proxySyncAnnotation]: '7' } } });
  await until(async () => (await annotations())[proxyModeAnnotation] === 'nftables');
});
