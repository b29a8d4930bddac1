// The hairpin set holds an address while some Service port uses it, whichever port it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointInfo } from '../endpoint.js';
import { servicePortProgram } from '../topology.js';
import { testServicePortInfo } from '../../testing/service-port-info.js';
import { HairpinAddresses } from './hairpin-addresses.js';
import { partialTransaction } from './transaction.js';

function program(service: string, ips: string[]) {
  const info = testServicePortInfo({ namespace: 'ns1', service, portName: 'p80', clusterIPs: ['10.96.0.41'] });
  const eps: EndpointInfo[] = ips.map((ip) => ({ key: `${ip}:8080`, ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'node-1' }));
  return servicePortProgram(info, eps, 'node-1');
}

test('an address shared by two Service ports stays until the last one lets it go; a rebuild writes them all', () => {
  const h = new HairpinAddresses();
  const a = program('a', ['10.244.1.2', '10.244.1.3']);
  const b = program('b', ['10.244.1.3']);
  let step = h.change([[undefined, a], [undefined, b]], false);
  assert.equal(partialTransaction('t', [step.change]), 'add element ip t hairpin { 10.244.1.2 . 10.244.1.2, 10.244.1.3 . 10.244.1.3 }\n');
  step.done();
  // a drops 10.244.1.3, which b still uses.
  step = h.change([[a, program('a', ['10.244.1.2'])]], false);
  assert.equal(partialTransaction('t', [step.change]), '');
  step.done();
  // b goes: 10.244.1.3 is nobody's.
  step = h.change([[b, undefined]], false);
  assert.equal(partialTransaction('t', [step.change]), 'delete element ip t hairpin { 10.244.1.3 . 10.244.1.3 }\n');
  // Not applied (the transaction failed): a rebuild starts from the ports as they are.
  step = h.change([[undefined, program('a', ['10.244.1.2'])], [undefined, b]], true);
  assert.equal(partialTransaction('t', [step.change]), 'add element ip t hairpin { 10.244.1.2 . 10.244.1.2, 10.244.1.3 . 10.244.1.3 }\n');
});
