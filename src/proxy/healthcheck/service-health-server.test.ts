import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthCheckBody } from './service-health-server.js';

test('healthCheckBody is upstream’s dedented JSON, tab-indented, no final newline', () => {
  assert.equal(
    healthCheckBody('default', 'web', 2, true),
    '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}',
  );
  assert.deepEqual(JSON.parse(healthCheckBody('ns', 'n', 0, false)), { service: { namespace: 'ns', name: 'n' }, localEndpoints: 0, serviceProxyHealthy: false });
});
