import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIServiceCondition, EndpointSlice, Service } from '../api/types.js';
import { availableCondition, withCondition, type BackingService } from './apiservice-availability.js';
import { localAPIService, metricsAPIService } from './apiservice-autoregister.js';

const now = new Date('2025-01-01T00:00:00Z');
const service: Service = {
  metadata: { name: 'metrics-server', namespace: 'kube-system' },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
};
const slice = (ready: boolean, portName = 'https'): EndpointSlice => ({
  metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'metrics-server' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready } }],
  ports: [{ name: portName, port: 6443, protocol: 'TCP' }],
});
const verdict = (backing: BackingService, servedHere = true) => {
  const c = availableCondition(metricsAPIService, backing, servedHere, now);
  return [c.status, c.reason, c.message];
};

test('Local APIServices are always available', () => {
  assert.deepEqual(availableCondition(localAPIService('apps', 'v1')!, { slices: [] }, true, now), {
    type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available', lastTransitionTime: '2025-01-01T00:00:00Z',
  });
});

test('a Service-backed one: the remote availability checks in upstream\'s order and words', () => {
  assert.deepEqual(verdict({ slices: [] }), ['False', 'ServiceNotFound', 'service/metrics-server in "kube-system" is not present']);
  const elsewhere = { ...service, spec: { ...service.spec, ports: [{ name: 'https', port: 8443 }] } };
  assert.deepEqual(verdict({ service: elsewhere, slices: [slice(true)] }), ['False', 'ServicePortError', 'service/metrics-server in "kube-system" is not listening on port 443']);
  assert.deepEqual(verdict({ service, slices: [] }), ['False', 'EndpointsNotFound', 'cannot find endpointslices for service/metrics-server in "kube-system"']);
  assert.deepEqual(verdict({ service, slices: [slice(false)] }), ['False', 'MissingEndpoints', 'endpointslices for service/metrics-server in "kube-system" have no addresses with port name "https"']);
  assert.deepEqual(verdict({ service, slices: [slice(true, 'metrics')] })[1], 'MissingEndpoints');
  assert.deepEqual(verdict({ service, slices: [slice(true)] }), ['True', 'Passed', 'all checks passed']);
  // A group kanzen does not serve itself: nothing answers its discovery.
  const [status, reason, message] = verdict({ service, slices: [slice(true)] }, false);
  assert.deepEqual([status, reason], ['False', 'FailedDiscoveryCheck']);
  assert.match(message!, /^failing or missing response from https:\/\/10\.96\.0\.20:443\/apis\/metrics\.k8s\.io\/v1beta1: /);
});

test('setting the condition keeps the last transition time while the status holds, and reports no change as none', () => {
  const old: APIServiceCondition = { type: 'Available', status: 'False', reason: 'ServiceNotFound', message: 'm', lastTransitionTime: '2024-01-01T00:00:00Z' };
  const other = availableCondition(metricsAPIService, { service, slices: [] }, true, now);
  assert.deepEqual(withCondition([old], other)?.[0], { ...other, lastTransitionTime: '2024-01-01T00:00:00Z' });
  assert.equal(withCondition([old], { ...old, lastTransitionTime: '2025-01-01T00:00:00Z' }), undefined);
  const passed = availableCondition(metricsAPIService, { service, slices: [slice(true)] }, true, now);
  assert.deepEqual(withCondition([old], passed), [passed]);
  assert.deepEqual(withCondition(undefined, passed), [passed]);
});
