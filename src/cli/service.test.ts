import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../api/types.js';
import { serviceURLs } from './service.js';

const svc = (spec: Service['spec'], ingress?: string): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec,
  status: ingress ? { loadBalancer: { ingress: [{ ip: ingress }] } } : {},
});

test('NodePort Services are reachable on 127.0.0.1:<nodePort>', () => {
  assert.deepEqual(serviceURLs(svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })), [{ port: 'http', url: 'http://127.0.0.1:30080' }]);
});

test('LoadBalancer Services list the ingress IP first, then the node ports; https for 443', () => {
  const urls = serviceURLs(
    svc({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 31234 }, { name: 'https', port: 443, nodePort: 31567 }] }, '127.0.100.1'),
  ).map((u) => u.url);
  assert.deepEqual(urls, ['http://127.0.100.1', 'http://127.0.0.1:31234', 'https://127.0.100.1:443', 'https://127.0.0.1:31567']);
});

test('ClusterIP Services and UDP ports have no host URL', () => {
  assert.deepEqual(serviceURLs(svc({ type: 'ClusterIP', ports: [{ port: 80 }] })), []);
  assert.deepEqual(serviceURLs(svc({ type: 'NodePort', ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] })), []);
});
