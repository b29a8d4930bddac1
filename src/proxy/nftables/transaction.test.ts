// The order of a partial transaction is what lets the kernel accept it: objects exist
// before rules refer to them, and nothing is deleted while something still points at it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';
import { servicePortProgram } from '../topology.js';
import { testServicePortInfo } from '../../testing/service-port-info.js';
import { EndpointMarks } from './endpoint-marks.js';
import { renderServicePort } from './service-port-rules.js';
import { fullTransaction, partialTransaction, setsRedeclared } from './transaction.js';

const info = testServicePortInfo({ namespace: 'ns1', service: 'svc1', portName: 'p80', clusterIPs: ['10.96.0.41'] });

function ep(ip: string): EndpointInfo {
  return { key: `${ip}:8080`, ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'node-1' };
}

const marks = new EndpointMarks();
const render = (i: ServicePortInfo, eps: EndpointInfo[]) => {
  const m = marks.forPort(i.key);
  const objects = renderServicePort(servicePortProgram(i, eps, 'node-1'), { clusterCIDRs: [], balance: 'round-robin' }, m.markOf);
  m.done();
  return objects;
};
const toEp1 = 'ct mark set 1 ct mark @endpoint-connections meta l4proto tcp dnat to 10.244.1.2:8080';
const svcChain = 'service-ULMVA6XW-ns1/svc1/tcp/p80';
const noEndpoints = 'no-endpoints-ULMVA6XW-ns1/svc1/tcp/p80';

test('an endpoint leaves: the service chain is refilled, then its counting elements deleted', () => {
  const before = render(info, [ep('10.244.1.2'), ep('10.244.2.3')]);
  const after = render(info, [ep('10.244.1.2')]);
  assert.equal(
    partialTransaction('t', [{ before, after }]),
    [
      `flush chain ip t ${svcChain}`,
      `add rule ip t ${svcChain} ${toEp1}`,
      'delete element ip t endpoint-connections { 2 }',
      'delete element ip t endpoint-bytes { original . 2, reply . 2 }',
      '',
    ].join('\n'),
  );
});

test('the last endpoint leaves: the refusing chain exists before the map element moves to no-endpoint-services, the chains go after', () => {
  const before = render(info, [ep('10.244.1.2')]);
  const after = render(info, []);
  assert.equal(
    partialTransaction('t', [{ before, after }]),
    [
      `add chain ip t ${noEndpoints}`,
      // Refused connections are counted under a new mark (1 and 2 went to endpoints).
      `add rule ip t ${noEndpoints} ct mark set 3 ct mark @endpoint-connections`,
      `add rule ip t ${noEndpoints} goto reject-chain`,
      `flush chain ip t ${svcChain}`,
      'delete element ip t endpoint-connections { 1 }',
      'delete element ip t endpoint-bytes { original . 1, reply . 1 }',
      'delete element ip t service-ips { 10.96.0.41 . tcp . 80 }',
      'add element ip t endpoint-connections { 3 }',
      `add element ip t no-endpoint-services { 10.96.0.41 . tcp . 80 : goto ${noEndpoints} }`,
      `delete chain ip t ${svcChain}`,
      '',
    ].join('\n'),
  );
});

test('nothing changed: an empty transaction; a removed Service port: everything it had goes', () => {
  const objs = render(info, [ep('10.244.1.2')]);
  assert.equal(partialTransaction('t', [{ before: objs, after: render(info, [ep('10.244.1.2')]) }]), '');
  const gone = partialTransaction('t', [{ before: objs }]);
  assert.match(gone, /delete element ip t service-ips \{ 10\.96\.0\.41 \. tcp \. 80 \}\n/);
  assert.ok(gone.indexOf('delete element') < gone.indexOf(`delete chain ip t ${svcChain}`));
});

test('a new affinity timeout redeclares the sets: the backend rebuilds the table for it', () => {
  const a = render({ ...info, stickyMaxAgeSeconds: 60 }, [ep('10.244.1.2')]);
  const b = render({ ...info, stickyMaxAgeSeconds: 120 }, [ep('10.244.1.2')]);
  assert.equal(setsRedeclared({ before: a, after: b }), true);
  assert.equal(setsRedeclared({ before: a, after: a }), false);
});

test('a full sync recreates the table: add, delete, then the base and every Service port', () => {
  const text = fullTransaction({ table: 't', nodePortAddresses: ['172.18.0.2', '127.0.0.1'] }, [render(info, [ep('10.244.1.2')])]);
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 3), ['add table ip t', 'delete table ip t', `add table ip t { comment "rules for kanzen's Service proxy"; }`]);
  // Loopback addresses are not NodePort addresses in the kernel path.
  assert.ok(lines.includes('add element ip t nodeport-ips { 172.18.0.2 }'));
  assert.ok(lines.includes(`add element ip t service-ips { 10.96.0.41 . tcp . 80 : goto ${svcChain} }`));
});
