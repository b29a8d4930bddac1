import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service, ServiceSpec } from '../types.js';
import { serviceColumns, serviceRow } from './service-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

function svc(name: string, spec: ServiceSpec, status?: Service['status'], created?: string): Service {
  return { metadata: { name, creationTimestamp: created }, spec, status };
}

test('service columns', () => {
  assert.deepEqual(
    serviceColumns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Type', 'string', '', 0],
      ['Cluster-IP', 'string', '', 0],
      ['External-IP', 'string', '', 0],
      ['Port(s)', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['Selector', 'string', '', 1],
    ],
  );
});

test('tutorial services: ClusterIP, NodePort, LoadBalancer', () => {
  assert.deepEqual(
    serviceRow(
      svc('backend-service', {
        type: 'ClusterIP',
        clusterIP: '10.96.123.45',
        clusterIPs: ['10.96.123.45'],
        selector: { app: 'backend' },
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
      }, {}, '2025-01-01T11:59:50Z'),
      now,
    ).cells,
    ['backend-service', 'ClusterIP', '10.96.123.45', '<none>', '80/TCP', '10s', 'app=backend'],
  );
  assert.deepEqual(
    serviceRow(svc('web-nodeport', {
      type: 'NodePort', clusterIP: '10.96.200.50', selector: { app: 'web' },
      ports: [{ port: 80, targetPort: 80, nodePort: 30080, protocol: 'TCP' }],
    }), now).cells.slice(1, 5),
    ['NodePort', '10.96.200.50', '<none>', '80:30080/TCP'],
  );
  const lb = svc('web-loadbalancer', {
    type: 'LoadBalancer', clusterIP: '10.96.150.100', selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, nodePort: 31234, protocol: 'TCP' },
      { name: 'https', port: 443, nodePort: 31567, protocol: 'TCP' },
    ],
  });
  assert.deepEqual(serviceRow(lb, now).cells.slice(1, 5), ['LoadBalancer', '10.96.150.100', '<pending>', '80:31234/TCP,443:31567/TCP']);
  lb.status = { loadBalancer: { ingress: [{ ip: '35.123.45.67' }] } };
  assert.equal(serviceRow(lb, now).cells[3], '35.123.45.67');
  lb.status = { loadBalancer: { ingress: [{ hostname: 'a1b2c3d4e5f6g7h8.us-west-2.elb.amazonaws.com' }] } };
  // The server prints wide: no 16-character clipping.
  assert.equal(serviceRow(lb, now).cells[3], 'a1b2c3d4e5f6g7h8.us-west-2.elb.amazonaws.com');
});

// Cases from TestPrintService in pkg/printers/internalversion/printers_test.go.
test('printService: external IPs', () => {
  const ports = [{ protocol: 'tcp' as never, port: 8888 }];
  const row = (s: Service) => serviceRow(s, now).cells.slice(0, 6);
  assert.deepEqual(row(svc('test1', { type: 'ClusterIP', clusterIP: '10.9.8.7', ports: [{ protocol: 'tcp' as never, port: 2233 }] })), [
    'test1', 'ClusterIP', '10.9.8.7', '<none>', '2233/tcp', '<unknown>',
  ]);
  assert.deepEqual(row(svc('test4', { type: 'LoadBalancer', clusterIP: '10.9.8.7', ports, externalIPs: ['80.11.12.10'] })), [
    'test4', 'LoadBalancer', '10.9.8.7', '80.11.12.10', '8888/tcp', '<unknown>',
  ]);
  assert.deepEqual(
    row(svc('test5', { type: 'LoadBalancer', clusterIP: '10.9.8.7', ports, externalIPs: ['80.11.12.10'] }, {
      loadBalancer: { ingress: [{ ip: '3.4.5.6', hostname: 'test.cluster.com' }] },
    })),
    ['test5', 'LoadBalancer', '10.9.8.7', '3.4.5.6,80.11.12.10', '8888/tcp', '<unknown>'],
  );
  assert.deepEqual(
    row(svc('test6', { type: 'LoadBalancer', clusterIP: '10.9.8.7', ports, externalIPs: ['80.11.12.10', '80.11.12.11'] }, {
      loadBalancer: { ingress: [{ ip: '3.4.5.6', hostname: 'test.cluster.com' }, { ip: '2.3.4.5', hostname: 'test.cluster.local' }] },
    })),
    ['test6', 'LoadBalancer', '10.9.8.7', '2.3.4.5,3.4.5.6,80.11.12.10,80.11.12.11', '8888/tcp', '<unknown>'],
  );
  assert.deepEqual(row(svc('test7', { type: 'ExternalName', externalName: 'my.database.example.com' })), [
    'test7', 'ExternalName', '<none>', 'my.database.example.com', '<none>', '<unknown>',
  ]);
  assert.deepEqual(row(svc('np', { type: 'NodePort', clusterIP: '10.9.8.7', ports, externalIPs: ['1.2.3.4', '5.6.7.8'] })).slice(3, 4), [
    '1.2.3.4,5.6.7.8',
  ]);
});

test('headless service prints None; no selector prints <none>', () => {
  const cells = serviceRow(svc('db', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] }), now).cells;
  assert.equal(cells[2], 'None');
  assert.equal(cells[6], '<none>');
  assert.equal(serviceRow(svc('multi', { type: 'ClusterIP', clusterIP: '10.96.0.10', selector: { tier: 'fe', app: 'web' } }), now).cells[6], 'app=web,tier=fe');
});
