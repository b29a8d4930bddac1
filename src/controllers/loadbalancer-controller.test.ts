import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Service } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { waitFor } from '../testing/wait.js';
import { newLoadBalancerController, poolAddresses, requestedIP } from './loadbalancer-controller.js';

const services = resourceFor('services');
let h: ControllerHarness;
let client: ApiClient;

before(async () => {
  // A pool of two addresses makes exhaustion easy to reach.
  h = await startControllerHarness({ controllers: [newLoadBalancerController], options: { loadBalancerPool: '127.0.100.4/31' } });
  client = h.client;
});

after(() => h.stop());

function lb(name: string, extra: Partial<Service['spec']> = {}, annotations?: Record<string, string>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, annotations }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }], ...extra } };
}

const ingressIP = async (name: string) => (await client.get<Service>(services, 'default', name)).status?.loadBalancer?.ingress?.[0]?.ip;

async function events(name: string): Promise<Event[]> {
  const list = await client.list<Event>(resourceFor('events'), 'default', { fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

test('pool addresses skip the network and broadcast addresses of wide ranges', () => {
  assert.equal(poolAddresses('127.0.100.0/24').length, 254);
  assert.equal(poolAddresses('127.0.100.0/24')[0], '127.0.100.1');
  assert.deepEqual(poolAddresses('127.0.100.4/31'), ['127.0.100.4', '127.0.100.5']);
  assert.equal(requestedIP(lb('x', { loadBalancerIP: '127.0.100.9' })), '127.0.100.9');
  assert.equal(requestedIP(lb('x', {}, { 'metallb.io/loadBalancerIPs': '127.0.100.7' })), '127.0.100.7');
});

test('LoadBalancer Services get pool IPs, a requested one is honoured, exhaustion leaves <pending> with AllocationFailed', async () => {
  await client.create(services, 'default', lb('wants', {}, { 'metallb.io/loadBalancerIPs': '127.0.100.5' }));
  assert.equal(await waitFor(() => ingressIP('wants')), '127.0.100.5');
  await client.create(services, 'default', lb('first'));
  assert.equal(await waitFor(() => ingressIP('first')), '127.0.100.4');
  await client.create(services, 'default', lb('third'));
  const failed = await waitFor(async () => (await events('third')).find((e) => e.reason === 'AllocationFailed'));
  assert.equal(failed.type, 'Warning');
  assert.equal(failed.message, 'Failed to allocate IP for "default/third": no available IPs');
  assert.equal(await ingressIP('third'), undefined);
  // Deleting a Service frees its IP for the pending one.
  await client.delete(services, 'default', 'first');
  assert.equal(await waitFor(() => ingressIP('third')), '127.0.100.4');
});

test('an IP outside the pool or taken is refused; another class is ignored; a type change frees the IP', async () => {
  await client.create(services, 'default', lb('outside', { loadBalancerIP: '127.0.200.1' }));
  const ev = await waitFor(async () => (await events('outside')).find((e) => e.reason === 'AllocationFailed'));
  assert.match(ev.message!, /127\.0\.200\.1 is not allowed in config/);
  await client.create(services, 'default', lb('foreign', { loadBalancerClass: 'example.com/other' }));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await ingressIP('foreign'), undefined);
  await client.patch(services, 'default', 'wants', 'merge', { spec: { type: 'ClusterIP', ports: [{ port: 80, nodePort: null }] } });
  await waitFor(async () => (await ingressIP('wants')) === undefined);
  await client.delete(services, 'default', 'third');
  await client.delete(services, 'default', 'outside');
});
