import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientIPPolicy } from './client-ip-policy.js';
import type { RouteEndpoint, ServicePortRoute } from './service-port-route.js';

const policy = clientIPPolicy('10.244.1.0/24');
const ep = (ip: string) => ({ info: { ip } }) as unknown as RouteEndpoint;
const route = (externalPolicyLocal: boolean, internalPolicyLocal = false) => ({ info: { externalPolicyLocal, internalPolicyLocal } }) as unknown as ServicePortRoute;

test('ClusterIP traffic keeps the address of a pod on this node, wherever the endpoint is', () => {
  assert.equal(policy('10.244.1.7', ep('10.244.2.3'), route(false), false), true);
  assert.equal(policy('10.244.1.7', ep('10.244.1.3'), route(false), false), true);
});

test('ClusterIP traffic from elsewhere keeps its address only with internalTrafficPolicy Local', () => {
  assert.equal(policy('10.244.2.9', ep('10.244.1.3'), route(false), false), false);
  assert.equal(policy('172.18.0.3', ep('10.244.1.3'), route(false), false), false);
  assert.equal(policy('10.244.2.9', ep('10.244.1.3'), route(false, true), false), true);
});

test('external traffic keeps its address with externalTrafficPolicy Local only', () => {
  assert.equal(policy('10.244.2.9', ep('10.244.1.3'), route(true), true), true);
  assert.equal(policy('10.244.1.7', ep('10.244.1.3'), route(false), true), false);
});

test('hairpin, loopback, IPv6 and unknown clients get the node address', () => {
  assert.equal(policy('10.244.1.3', ep('10.244.1.3'), route(true), false), false);
  assert.equal(policy('127.0.0.1', ep('10.244.1.3'), route(true), true), false);
  assert.equal(policy('fd00::1', ep('10.244.1.3'), route(true), true), false);
  assert.equal(policy('', ep('10.244.1.3'), route(true), true), false);
});
