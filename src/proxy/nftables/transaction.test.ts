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
import { fullTransaction, inPlaceFullTransaction, partialTransaction, setsRedeclared } from './transaction.js';

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
      'add element ip t endpoint-connections { 3 comment "refused-ULMVA6XW-ns1/svc1/tcp/p80" }',
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

test('a full sync in place keeps wanted affinity sets and counting elements, deletes the rest after flushing every chain', () => {
  const sticky = render({ ...info, stickyMaxAgeSeconds: 600 }, [ep('10.244.1.2')]);
  const affinity = [...sticky.sets.keys()][0];
  const existing = {
    chains: ['nat-prerouting', svcChain, 'endpoint-OLD-ns1/gone/tcp/p80__10.244.9.9/80'],
    maps: ['service-ips'],
    sets: new Map([
      [affinity, 600],
      ['affinity-OLD-ns1/gone/tcp/p80__10.244.9.9/80', 10800],
      ['nodeport-ips', 0],
      ['endpoint-connections', 0],
    ]),
  };
  const kept = [...sticky.elements.get('endpoint-connections')!.keys()][0];
  const counting = new Map([['endpoint-connections', new Set([kept, '9999'])]]);
  const lines = inPlaceFullTransaction({ table: 't', nodePortAddresses: [] }, [sticky], existing, counting).split('\n');
  const at = (l: string) => {
    const i = lines.indexOf(l);
    assert.ok(i >= 0, `missing: ${l}`);
    return i;
  };
  assert.equal(lines[0], 'add table ip t');
  assert.ok(!lines.includes('delete table ip t'));
  // Every rule goes before any object is deleted; the kept set is not deleted.
  assert.ok(at(`flush chain ip t ${svcChain}`) < at('delete map ip t service-ips'));
  assert.ok(at('delete map ip t service-ips') < at(`delete chain ip t ${svcChain}`));
  assert.ok(at('delete set ip t affinity-OLD-ns1/gone/tcp/p80__10.244.9.9/80') < at('delete chain ip t nat-prerouting'));
  at('delete set ip t nodeport-ips');
  // The counting sets stay, with their counters: only an element nothing wants any more goes.
  assert.ok(!lines.includes('delete set ip t endpoint-connections'));
  at('delete element ip t endpoint-connections { 9999 }');
  assert.ok(!lines.includes(`delete set ip t ${affinity}`));
  // …and added again after the deletions, which changes nothing in the kernel for them.
  assert.ok(at(`add set ip t ${affinity} { type ipv4_addr; flags dynamic,timeout; timeout 600s; }`) > at('delete chain ip t nat-prerouting'));
  at(`add chain ip t ${svcChain}`);
  // Another sticky timeout: the set cannot keep its declaration, so it is deleted and made anew.
  const shorter = inPlaceFullTransaction({ table: 't', nodePortAddresses: [] }, [render({ ...info, stickyMaxAgeSeconds: 60 }, [ep('10.244.1.2')])], existing);
  assert.match(shorter, new RegExp(`delete set ip t ${affinity.replace(/[/.]/g, '\\$&')}\\n`));
});
