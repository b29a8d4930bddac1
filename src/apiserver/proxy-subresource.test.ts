import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from '../api/types.js';
import { ApiError } from '../api/errors.js';
import { podLocation, serviceLocation, splitSchemeNamePort } from './proxy-subresource.js';

test('splitSchemeNamePort: name, name:port, scheme:name:port; anything else is invalid', () => {
  assert.deepEqual(splitSchemeNamePort('web'), { scheme: '', name: 'web', port: '' });
  assert.deepEqual(splitSchemeNamePort('web:8080'), { scheme: '', name: 'web', port: '8080' });
  assert.deepEqual(splitSchemeNamePort('https:web:metrics'), { scheme: 'https', name: 'web', port: 'metrics' });
  assert.equal(splitSchemeNamePort('ftp:web:21'), undefined);
  assert.equal(splitSchemeNamePort('a:b:c:d'), undefined);
});

const pod = {
  metadata: { name: 'p', namespace: 'default' },
  spec: { nodeName: 'node-2', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }] }] },
  status: { podIP: '10.244.2.7' },
} as unknown as Pod;

test('pod location: the given port, a named container port, else the first container port', () => {
  assert.deepEqual(podLocation(pod, '9000'), { ip: '10.244.2.7', port: 9000, nodeName: 'node-2' });
  assert.deepEqual(podLocation(pod, 'http'), { ip: '10.244.2.7', port: 8080, nodeName: 'node-2' });
  assert.deepEqual(podLocation(pod, ''), { ip: '10.244.2.7', port: 8080, nodeName: 'node-2' });
  assert.throws(() => podLocation(pod, 'nope'), (e: ApiError) => e.code === 400 && e.message === 'invalid port name "nope" for pod p');
});

const svc = { metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 9000 }] } } as unknown as Service;
const eps = {
  metadata: { name: 'web' },
  subsets: [
    { addresses: [{ ip: '10.244.1.3', nodeName: 'node-1' }], notReadyAddresses: [{ ip: '10.244.1.9' }], ports: [{ name: 'http', port: 8080 }] },
    { addresses: [{ ip: '10.244.2.4', nodeName: 'node-2' }], ports: [{ name: 'admin', port: 9001 }] },
  ],
} as unknown as Endpoints;

test('service location: a ready address of the subset that carries the chosen port (by name or number)', () => {
  assert.deepEqual(serviceLocation(svc, eps, '', () => 0), { ip: '10.244.1.3', port: 8080, nodeName: 'node-1' });
  assert.deepEqual(serviceLocation(svc, eps, '9000', () => 0), { ip: '10.244.2.4', port: 9001, nodeName: 'node-2' });
  assert.deepEqual(serviceLocation(svc, eps, 'admin', () => 0.99), { ip: '10.244.2.4', port: 9001, nodeName: 'node-2' });
});

test('service location: no endpoints or no such port is 503 with upstream\'s messages', () => {
  const unavailable = (msg: string) => (e: ApiError) => e.code === 503 && e.message === msg;
  assert.throws(() => serviceLocation(svc, undefined, 'http', Math.random), unavailable('no endpoints available for service "web"'));
  assert.throws(() => serviceLocation(svc, eps, 'grpc', Math.random), unavailable('no service port "grpc" found for service "web"'));
});
