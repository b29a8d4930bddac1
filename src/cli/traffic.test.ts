import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../api/types.js';
import { EndpointStats, prometheusText, ServicePortStats, snapshotMetrics, SyncMetrics, type StatsSource } from '../proxy/metrics.js';
import { aggregateTraffic, humanBytes, parsePrometheusText, renderTraffic, type NodeScrape } from './traffic.js';

/** One node's proxy text, written by the proxy's own exposition code. */
function nodeText(ports: { ns?: string; svc: string; port: string; refused?: number; eps: [string, number, number, number, number][] }[]): string {
  const sources: StatsSource[] = ports.map((p) => {
    const stats = new ServicePortStats(p.ns ?? 'default', p.svc, p.port, 'TCP');
    stats.refusedConnections = p.refused ?? 0;
    const eps = p.eps.map(([key, active, total, bytesIn, bytesOut]) => Object.assign(new EndpointStats(key), { activeConnections: active, totalConnections: total, bytesIn, bytesOut }));
    return { stats, endpointStats: () => eps };
  });
  const sync = new SyncMetrics();
  return prometheusText(snapshotMetrics(sources, sync), sync);
}

function slice(name: string, ports: { name: string; port: number }[], eps: [string, string, string][]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
    endpoints: eps.map(([ip, pod, node]) => ({ addresses: [ip], conditions: { ready: true }, nodeName: node, targetRef: { kind: 'Pod', namespace: 'default', name: pod } })),
  };
}

test('parsePrometheusText reads names, escaped labels and values, skipping comments', () => {
  const samples = parsePrometheusText(
    ['# HELP x help', '# TYPE x counter', 'x{a="1",b="q\\"uo\\\\te\\nnl"} 3', 'y 2.5', 'h_bucket{le="+Inf"} 7', 'garbage line here!', ''].join('\n'),
  );
  assert.deepEqual(samples, [
    { name: 'x', labels: { a: '1', b: 'q"uo\\te\nnl' }, value: 3 },
    { name: 'y', labels: {}, value: 2.5 },
    { name: 'h_bucket', labels: { le: '+Inf' }, value: 7 },
  ]);
});

test('aggregateTraffic sums endpoints over nodes, names pods from slices, shares per port', () => {
  const scrapes: NodeScrape[] = [
    {
      node: 'node-1',
      samples: parsePrometheusText(
        nodeText([
          { svc: 'web', port: '', refused: 2, eps: [['10.244.1.2:80', 1, 6, 600, 6000], ['10.244.2.2:80', 0, 4, 400, 4000]] },
          // Same names elsewhere must not count.
          { ns: 'other', svc: 'web', port: '', refused: 9, eps: [['10.244.1.2:80', 0, 99, 1, 1]] },
          { svc: 'api', port: '', eps: [['10.244.1.9:80', 0, 50, 1, 1]] },
        ]),
      ),
    },
    {
      node: 'node-2',
      samples: parsePrometheusText(nodeText([{ svc: 'web', port: '', refused: 1, eps: [['10.244.2.2:80', 0, 6, 600, 6000], ['10.244.2.3:80', 0, 4, 400, 4000]] }])),
    },
  ];
  const slices = [
    slice('web-abc', [{ name: '', port: 80 }], [
      ['10.244.1.2', 'web-1', 'node-1'],
      ['10.244.2.2', 'web-2', 'node-2'],
    ]),
    // An endpoint that got no connection yet still shows.
    slice('web-def', [{ name: '', port: 80 }], [['10.244.1.7', 'web-4', 'node-1']]),
  ];
  const r = aggregateTraffic({ namespace: 'default', service: 'web', scrapes, slices });
  assert.equal(r.total, 20);
  assert.equal(r.active, 1);
  assert.equal(r.refused, 3);
  assert.equal(r.dropped, 0);
  assert.deepEqual(r.nodes, ['node-1', 'node-2']);
  assert.deepEqual(
    r.rows.map((x) => [x.endpoint, x.pod, x.node, x.active, x.total, x.share, x.bytesIn, x.bytesOut]),
    [
      ['10.244.1.2:80', 'web-1', 'node-1', 1, 6, 30, 600, 6000],
      ['10.244.2.2:80', 'web-2', 'node-2', 0, 10, 50, 1000, 10000],
      ['10.244.1.7:80', 'web-4', 'node-1', 0, 0, 0, 0, 0],
      // Gone from the slices (a deleted pod), counters still reported by a proxy.
      ['10.244.2.3:80', '', '', 0, 4, 20, 400, 4000],
    ],
  );
});

test('aggregateTraffic keeps Service ports apart: an endpoint per port, shares within the port', () => {
  const scrapes: NodeScrape[] = [
    {
      node: 'node-1',
      samples: parsePrometheusText(
        nodeText([
          { svc: 'web', port: 'http', eps: [['10.244.1.2:8080', 0, 3, 0, 0]] },
          { svc: 'web', port: 'metrics', eps: [['10.244.1.2:9090', 0, 1, 0, 0]] },
        ]),
      ),
    },
  ];
  const slices = [
    slice('web-abc', [
      { name: 'http', port: 8080 },
      { name: 'metrics', port: 9090 },
    ], [['10.244.1.2', 'web-1', 'node-1']]),
  ];
  const r = aggregateTraffic({ namespace: 'default', service: 'web', scrapes, slices });
  assert.deepEqual(
    r.rows.map((x) => [x.port, x.endpoint, x.pod, x.total, x.share]),
    [
      ['http', '10.244.1.2:8080', 'web-1', 3, 100],
      ['metrics', '10.244.1.2:9090', 'web-1', 1, 100],
    ],
  );
  assert.match(renderTraffic(r), /^PORT {6}ENDPOINT/);
});

test('renderTraffic prints the distribution table and a summary line', () => {
  const slices = [slice('web-abc', [{ name: '', port: 80 }], [['10.244.1.2', 'web-1', 'node-1'], ['10.244.2.2', 'web-2', 'node-2']])];
  const scrapes: NodeScrape[] = [{ node: 'node-1', samples: parsePrometheusText(nodeText([{ svc: 'web', port: '', eps: [['10.244.1.2:80', 0, 2, 2048, 150_000], ['10.244.2.2:80', 1, 1, 10, 20]] }])) }];
  const text = renderTraffic(aggregateTraffic({ namespace: 'default', service: 'web', scrapes, slices }));
  assert.equal(
    text,
    [
      'ENDPOINT        POD     NODE     ACTIVE   TOTAL   SHARE   BYTES IN   BYTES OUT',
      '10.244.1.2:80   web-1   node-1   0        2       66.7%   2.0KiB     146KiB',
      '10.244.2.2:80   web-2   node-2   1        1       33.3%   10B        20B',
      '',
      'Service default/web: 3 connections (1 active), 0 refused, 0 dropped; counted by the proxies of 1 node',
      '',
    ].join('\n'),
  );
});

test('renderTraffic without endpoints says so, with no share for an idle port', () => {
  const r = aggregateTraffic({ namespace: 'default', service: 'web', scrapes: [{ node: 'node-1', samples: [] }], slices: [] });
  assert.match(renderTraffic(r), /^No endpoints for service default\/web\.\n/);
  const idle = aggregateTraffic({ namespace: 'default', service: 'web', scrapes: [], slices: [slice('s', [{ name: '', port: 80 }], [['10.244.1.2', 'web-1', 'node-1']])] });
  assert.equal(idle.rows[0].share, undefined);
  assert.match(renderTraffic(idle), /10\.244\.1\.2:80 {3}web-1 {3}node-1 {3}0 {8}0 {7}- {7}0B/);
});

test('humanBytes uses binary units', () => {
  assert.deepEqual([0, 1023, 1024, 1536, 10 * 1024, 5 * 1024 * 1024].map(humanBytes), ['0B', '1023B', '1.0KiB', '1.5KiB', '10KiB', '5.0MiB']);
});
