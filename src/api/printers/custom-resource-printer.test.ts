import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customResourcePrinter } from './custom-resource-printer.js';

test('a string column prints a list or object as JSON, as upstream JSONPath text (HTTPRoute HOSTNAMES)', () => {
  const p = customResourcePrinter([
    { name: 'Hostnames', type: 'string', jsonPath: '.spec.hostnames' },
    { name: 'Port', type: 'integer', jsonPath: '.spec.port' },
  ]);
  const row = p.row({ metadata: { name: 'r' }, spec: { hostnames: ['a.example.com', 'b.example.com'], port: 80 } }, new Date());
  assert.deepEqual(row.cells, ['r', '["a.example.com","b.example.com"]', 80]);
});
