import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endToEndHeaders, upstreamRequestHeaders } from './forwarded-headers.js';

test('hop-by-hop headers, and those Connection names, are not forwarded', () => {
  const out = endToEndHeaders({ host: 'h', connection: 'keep-alive, x-private', 'keep-alive': 'timeout=5', 'x-private': '1', 'transfer-encoding': 'chunked', accept: '*/*' });
  assert.deepEqual(out, { host: 'h', accept: '*/*' });
});

test('the X-Forwarded headers name the client, the scheme, the host and the port it used', () => {
  const out = upstreamRequestHeaders({ host: 'foo.example', 'x-forwarded-for': '198.51.100.1' }, { clientAddress: '::ffff:10.0.0.7', proto: 'https', port: 443 });
  assert.deepEqual(out, {
    host: 'foo.example',
    'x-forwarded-for': '10.0.0.7',
    'x-real-ip': '10.0.0.7',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'foo.example',
    'x-forwarded-port': '443',
  });
});

test('an upgrade keeps its Connection and Upgrade headers', () => {
  const out = upstreamRequestHeaders({ host: 'h', connection: 'Upgrade', upgrade: 'websocket' }, { clientAddress: '127.0.0.1', proto: 'http', port: 80 }, 'websocket');
  assert.equal(out.connection, 'upgrade');
  assert.equal(out.upgrade, 'websocket');
});
