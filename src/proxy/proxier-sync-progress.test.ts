// The Proxier's report of how far it has programmed EndpointSlices (zero-loss termination:
// node/proxy-sync-reporter.ts publishes it, node/endpoint-drain.ts waits on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, KubeObject, Service } from '../api/types.js';
import type { InformerHandlers } from '../client/informer.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { ProxyBackend, ServicePortProgram } from './provider.js';
import { Proxier } from './proxier.js';

class FakeInformer {
  handlers: InformerHandlers<KubeObject>[] = [];
  addHandlers(h: InformerHandlers<KubeObject>) {
    this.handlers.push(h);
  }
  hasSynced() {
    return true;
  }
  waitForSync() {
    return Promise.resolve();
  }
  add(o: KubeObject) {
    for (const h of this.handlers) h.add?.(o);
  }
  update(o: KubeObject, n: KubeObject) {
    for (const h of this.handlers) h.update?.(o, n);
  }
}

class Backend implements ProxyBackend {
  routes = new Map<string, ServicePortProgram>();
  fail = false;
  async syncServicePort(key: string, p: ServicePortProgram | undefined) {
    if (p) this.routes.set(key, p);
    else this.routes.delete(key);
    if (this.fail) throw new Error('listen EADDRINUSE');
  }
  routesNewConnectionsTo(ip: string) {
    return [...this.routes.values()].some((p) => p.internal.some((e) => e.ip === ip));
  }
  programmedServicePorts() {
    return this.routes.keys();
  }
  statsSources() {
    return [];
  }
  async stop() {}
}

const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns' }, spec: { clusterIP: '10.96.0.5', ports: [{ port: 80, protocol: 'TCP' }] } };
function slice(rv: string, ready: boolean, labels: Record<string, string> = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-x', namespace: 'ns', resourceVersion: rv, labels: { 'kubernetes.io/service-name': 'web', ...labels } },
    addressType: 'IPv4',
    // A second, ready endpoint: without it the proxy would fall back to the terminating one.
    endpoints: [
      { addresses: ['10.244.1.5'], conditions: { ready, serving: true, terminating: !ready } },
      { addresses: ['10.244.2.7'], conditions: { ready: true, serving: true, terminating: false } },
    ],
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  };
}

function setup() {
  const services = new FakeInformer();
  const slices = new FakeInformer();
  const informers = { for: (info: { resource: string }) => (info.resource === 'services' ? services : slices) } as unknown as InformerFactory;
  const backend = new Backend();
  const p = new Proxier({ informers, nodeName: 'node-1', nodeIPs: [], backend, syncPeriodMs: 60_000, retryPeriodMs: 60_000, minSyncPeriodMs: 60_000 });
  p.start();
  return { p, services, slices, backend };
}

test('the applied EndpointSlice revision advances only when a sync has programmed it', async () => {
  const { p, services, slices, backend } = setup();
  const reports: string[] = [];
  p.onSynced((rv) => reports.push(rv));
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '');
  services.add(svc);
  const ready = slice('41', true);
  slices.add(ready);
  // Seen but not yet synced: not applied.
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '');
  await p.syncProxyRules();
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '41');
  assert.ok(p.routesNewConnectionsTo('10.244.1.5'));

  const terminating = slice('57', false);
  slices.update(ready, terminating);
  assert.ok(p.routesNewConnectionsTo('10.244.1.5'), 'still routed until the sync');
  await p.syncProxyRules();
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '57');
  assert.ok(!p.routesNewConnectionsTo('10.244.1.5'));
  assert.deepEqual(reports, ['41', '57']);

  // A write that changes nothing for the data plane (a label) is acknowledged all the same.
  slices.update(terminating, slice('60', false, { team: 'a' }));
  await p.syncProxyRules();
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '60');

  // A sync whose listeners fail still applied the endpoint sets: the revision advances.
  backend.fail = true;
  slices.update(terminating, slice('61', true));
  await p.syncProxyRules();
  assert.equal(p.appliedEndpointSlicesResourceVersion(), '61');
  // No new slice revision: no report.
  backend.fail = false;
  await p.syncProxyRules();
  assert.deepEqual(reports, ['41', '57', '60', '61']);
  await p.stop();
});
