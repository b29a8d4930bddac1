import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../types.js';
import { endpointSliceColumns, endpointSliceRow, formatDiscoveryPorts } from './endpointslice-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('endpointslice columns', () => {
  assert.deepEqual(endpointSliceColumns.map((c) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
});

// Cases from TestPrintEndpointSlice.
test('printEndpointSlice', () => {
  const slice = (name: string, ports: number[], addrs: string[][], created: string): EndpointSlice => ({
    metadata: { name, creationTimestamp: created },
    addressType: 'IPv4',
    ports: ports.map((port) => ({ name: `p${port}`, port, protocol: 'TCP' })),
    endpoints: addrs.map((addresses) => ({ addresses })),
  });
  assert.deepEqual(endpointSliceRow(slice('abcslice.123', [80], [['10.1.2.3', '2001:db8::1234:5678']], '2025-01-01T12:00:01Z'), now).cells, [
    'abcslice.123', 'IPv4', '80', '10.1.2.3,2001:db8::1234:5678', '0s',
  ]);
  assert.deepEqual(
    endpointSliceRow(slice('longerslicename.123', [80, 443], [['10.1.2.3', '2001:db8::1234:5678'], ['10.2.3.4', '2001:db8::2345:6789']], '2025-01-01T11:55:00Z'), now).cells,
    ['longerslicename.123', 'IPv4', '80,443', '10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...', '5m'],
  );
  assert.deepEqual(
    endpointSliceRow(slice('multiportslice.123', [80, 443, 3000, 3001], [['10.1.2.3', '2001:db8::1234:5678'], ['10.2.3.4', '2001:db8::2345:6789']], '2025-01-01T11:55:00Z'), now).cells.slice(2, 4),
    ['80,443,3000 + 1 more...', '10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...'],
  );
});

test('tutorial slice and empty slices print <unset>', () => {
  const s: EndpointSlice = {
    metadata: { name: 'backend-service-abc12' },
    addressType: 'IPv4',
    ports: [{ name: '', port: 80, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.1.10'] }, { addresses: ['10.244.1.11'] }, { addresses: ['10.244.2.15'] }],
  };
  assert.deepEqual(endpointSliceRow(s, now).cells.slice(0, 4), ['backend-service-abc12', 'IPv4', '80', '10.244.1.10,10.244.1.11,10.244.2.15']);
  assert.deepEqual(endpointSliceRow({ metadata: { name: 'e' }, addressType: 'IPv4', endpoints: null, ports: null }, now).cells.slice(2, 4), ['<unset>', '<unset>']);
  // A port without a number: its name, or * for all ports.
  assert.equal(formatDiscoveryPorts([{ name: 'http' }, {}]), 'http,*');
});
