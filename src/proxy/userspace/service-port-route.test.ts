import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../api/types.js';
import { endpointInfoFrom } from '../endpoint.js';
import { servicePortsOf } from '../service-port.js';
import { ServicePortRoute, type RouteEndpoint } from './service-port-route.js';

function route(spec: Partial<Service['spec']> = {}): ServicePortRoute {
  const svc = { metadata: { namespace: 'default', name: 's' }, spec: { clusterIP: '10.96.0.5', ports: [{ port: 80, protocol: 'TCP' }], ...spec } } as Service;
  const [info] = servicePortsOf(svc).values();
  const eps = ['10.244.1.1', '10.244.1.2', '10.244.1.3'].map((ip) => endpointInfoFrom({ addresses: [ip], conditions: { ready: true } }, 8080, 'default'));
  return new ServicePortRoute({ info, internal: eps, external: eps, hasAnyEndpoints: true, serving: new Set(eps.map((e) => e.key)) }, 'round-robin', () => 0, () => 0);
}

const ip = (ep: RouteEndpoint | undefined | string) => (typeof ep === 'object' ? ep.info.ip : ep);

test('after a failed connect: the next endpoint in order not tried yet, none once all were tried; the rotation goes on unchanged', () => {
  const r = route();
  const first = r.choose('1.1.1.1', false) as RouteEndpoint;
  assert.equal(ip(first), '10.244.1.1');
  const tried = [first];
  const second = r.chooseAfterFailure(tried, false)!;
  assert.equal(ip(second), '10.244.1.2');
  tried.push(second);
  const third = r.chooseAfterFailure(tried, false)!;
  assert.equal(ip(third), '10.244.1.3');
  tried.push(third);
  assert.equal(r.chooseAfterFailure(tried, false), undefined);
  // Starting from the last endpoint wraps around.
  assert.equal(ip(r.chooseAfterFailure([third], false)), '10.244.1.1');
  // Retries did not move the balancer: the next connection is the second endpoint.
  assert.equal(ip(r.choose('1.1.1.1', false) as RouteEndpoint), '10.244.1.2');
});

test('after a failed connect the ClientIP pin to that endpoint is dropped (upstream sessionAffinityReset)', () => {
  const r = route({ sessionAffinity: 'ClientIP' });
  const pinned = r.choose('1.1.1.1', false) as RouteEndpoint;
  assert.equal(r.choose('1.1.1.1', false), pinned);
  r.chooseAfterFailure([pinned], false);
  assert.notEqual(r.choose('1.1.1.1', false), pinned);
});
