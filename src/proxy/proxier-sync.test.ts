// syncProxyRules with fake informers and a recording backend: no sync before the
// informers have synced, partial syncs of changed Service ports only, a full sync after
// a failed one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, KubeObject, Service } from '../api/types.js';
import type { InformerHandlers } from '../client/informer.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { ProxyBackend, ServicePortProgram } from './provider.js';
import { Proxier, serviceKeyOfPortKey } from './proxier.js';

class FakeInformer {
  synced = false;
  handlers: InformerHandlers<KubeObject>[] = [];
  private waiters: (() => void)[] = [];
  addHandlers(h: InformerHandlers<KubeObject>) {
    this.handlers.push(h);
  }
  hasSynced() {
    return this.synced;
  }
  waitForSync() {
    return this.synced ? Promise.resolve() : new Promise<void>((r) => this.waiters.push(r));
  }
  markSynced() {
    this.synced = true;
    for (const w of this.waiters.splice(0)) w();
  }
  add(o: KubeObject) {
    for (const h of this.handlers) h.add?.(o);
  }
}

class RecordingBackend implements ProxyBackend {
  calls: string[][] = [];
  failNext = false;
  programs = new Map<string, ServicePortProgram>();
  private current: string[] = [];
  async syncServicePort(key: string, p: ServicePortProgram | undefined) {
    this.current.push(key);
    if (p) this.programs.set(key, p);
    else this.programs.delete(key);
    if (this.failNext) throw new Error('bind failed');
  }
  endSync() {
    this.calls.push(this.current.sort());
    this.current = [];
    this.failNext = false;
  }
  routesNewConnectionsTo() {
    return false;
  }
  programmedServicePorts() {
    return this.programs.keys();
  }
  statsSources() {
    return [];
  }
  async stop() {}
}

function svc(name: string): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { clusterIP: '10.96.0.5', ports: [{ port: 80, protocol: 'TCP' }] } };
}
function slice(service: string, ip: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  };
}

function setup<B extends RecordingBackend>(backend: B = new RecordingBackend() as B) {
  const services = new FakeInformer();
  const slices = new FakeInformer();
  const informers = { for: (info: { resource: string }) => (info.resource === 'services' ? services : slices) } as unknown as InformerFactory;
  const p = new Proxier({ informers, nodeName: 'node-1', nodeIPs: [], backend, syncPeriodMs: 60_000, retryPeriodMs: 60_000, minSyncPeriodMs: 60_000 });
  // The runner's own syncs are held off by minSyncPeriodMs, so the test drives every sync.
  p.start();
  return { p, services, slices, backend };
}

test('serviceKeyOfPortKey', () => {
  assert.equal(serviceKeyOfPortKey('ns/a:http/TCP'), 'ns/a');
  assert.equal(serviceKeyOfPortKey('ns/a/UDP'), 'ns/a');
});

test('no sync until both informers synced; then partial syncs of changed ports; a failure forces a full sync', async () => {
  const { p, services, slices, backend } = setup();
  services.add(svc('a'));
  services.add(svc('b'));
  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls, [[]]);
  services.markSynced();
  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls.at(-1), []);
  slices.markSynced();

  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls.at(-1), ['ns/a/TCP', 'ns/b/TCP']);

  // Partial: only the Service whose slice changed.
  slices.add(slice('a', '10.244.1.5'));
  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls.at(-1), ['ns/a/TCP']);
  assert.deepEqual(backend.programs.get('ns/a/TCP')?.internal.map((e) => e.key), ['10.244.1.5:8080']);

  // Nothing changed: nothing programmed.
  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls.at(-1), []);

  // A failing sync is followed by a full one, then partial again.
  backend.failNext = true;
  slices.add(slice('b', '10.244.1.6'));
  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls.at(-1), ['ns/b/TCP']);
  assert.equal(p.metrics().sync.syncFailures, 1);
  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls.at(-1), ['ns/a/TCP', 'ns/b/TCP']);
  await p.syncProxyRules();
  backend.endSync();
  assert.deepEqual(backend.calls.at(-1), []);
  await p.stop();
});

test('onEndpointsChanged reports the programmed Service ports; Prometheus text carries kube-proxy sync metrics', async () => {
  const { p, services, slices } = setup();
  services.markSynced();
  slices.markSynced();
  const seen: string[][] = [];
  p.onEndpointsChanged((ev) => seen.push(ev.servicePorts));
  services.add(svc('c'));
  await p.syncProxyRules();
  assert.deepEqual(seen.at(-1), ['ns/c/TCP']);
  const text = p.prometheusMetrics();
  assert.match(text, /^# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="0.001"\} \d+$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_count \d+$/m);
  assert.match(text, /^# TYPE kubeproxy_network_programming_duration_seconds histogram$/m);
  await p.stop();
});

/** A backend that batches a sync into one commit (as the nftables backend does). */
class BatchingBackend extends RecordingBackend {
  commits: string[][] = [];
  failCommit = false;
  private staged: string[] = [];
  override async syncServicePort(key: string, p: ServicePortProgram | undefined) {
    await super.syncServicePort(key, p);
    this.staged.push(key);
  }
  async commit() {
    const batch = this.staged.sort();
    this.staged = [];
    if (this.failCommit) {
      this.failCommit = false;
      throw new Error('nft -f -: transaction refused');
    }
    this.commits.push(batch);
  }
}

test('a batching backend commits once per sync; a refused commit is not reported applied and forces a full sync', async () => {
  const { p, services, slices, backend } = setup(new BatchingBackend());
  services.markSynced();
  slices.markSynced();
  services.add(svc('a'));
  services.add(svc('b'));
  await p.syncProxyRules();
  assert.deepEqual(backend.commits, [['ns/a/TCP', 'ns/b/TCP']]);

  const rv = (s: EndpointSlice, v: string): EndpointSlice => ({ ...s, metadata: { ...s.metadata, resourceVersion: v } });
  const applied: string[] = [];
  p.onSynced((v) => applied.push(v));
  backend.failCommit = true;
  slices.add(rv(slice('a', '10.244.1.5'), '7'));
  await p.syncProxyRules();
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '', 'nothing of the refused transaction reached the kernel');
  assert.equal(p.metrics().sync.syncFailures, 1);
  await p.syncProxyRules();
  assert.deepEqual(backend.commits.at(-1), ['ns/a/TCP', 'ns/b/TCP'], 'the retry is a full sync');
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '7');
  assert.deepEqual(applied, ['7']);
  await p.stop();
});
