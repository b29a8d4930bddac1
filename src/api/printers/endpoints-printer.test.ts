import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from '../types.js';
import { endpointsColumns, endpointsRow, formatEndpoints } from './endpoints-printer.js';

const now = new Date('2025-01-01T12:00:00Z');
const ep = (subsets: Endpoints['subsets']): Endpoints => ({ metadata: { name: 'backend-service' }, subsets });

test('endpoints columns', () => {
  assert.deepEqual(endpointsColumns.map((c) => [c.name, c.format, c.priority]), [['Name', 'name', 0], ['Endpoints', '', 0], ['Age', '', 0]]);
});

test('tutorial endpoints: three pods on port 80', () => {
  const e: Endpoints = {
    metadata: { name: 'backend-service', creationTimestamp: '2025-01-01T11:59:30Z' },
    subsets: [{
      addresses: [{ ip: '10.244.1.10' }, { ip: '10.244.1.11' }, { ip: '10.244.2.15' }],
      ports: [{ port: 80, protocol: 'TCP' }],
    }],
  };
  assert.deepEqual(endpointsRow(e, now).cells, ['backend-service', '10.244.1.10:80,10.244.1.11:80,10.244.2.15:80', '30s']);
});

test('formatEndpoints: none, more, not-ready, headless without ports, IPv6', () => {
  assert.equal(formatEndpoints(ep(undefined)), '<none>');
  assert.equal(formatEndpoints(ep([])), '<none>');
  // Only ready addresses are listed.
  assert.equal(formatEndpoints(ep([{ notReadyAddresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }])), '');
  assert.equal(
    formatEndpoints(ep([{ addresses: [{ ip: '1.1.1.1' }, { ip: '2.2.2.2' }], ports: [{ port: 80 }, { port: 443 }] }])),
    '1.1.1.1:80,2.2.2.2:80,1.1.1.1:443 + 1 more...',
  );
  assert.equal(
    formatEndpoints(ep([
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }, { ip: '10.0.0.5' }], ports: [{ port: 8080 }] },
    ])),
    '10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 2 more...',
  );
  assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }])), '10.0.0.1,10.0.0.2');
  assert.equal(formatEndpoints(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }])), '[fd00::1]:53');
});
