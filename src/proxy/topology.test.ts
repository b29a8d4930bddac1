// Cases mirror upstream pkg/proxy/topology_test.go TestCategorizeEndpoints (with
// topology hints and ProxyTerminatingEndpoints enabled, as both are GA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointInfo } from './endpoint.js';
import type { ServicePortInfo } from './service-port.js';
import { categorizeEndpoints, labelTopologyZone } from './topology.js';
import { testServicePortInfo } from '../testing/service-port-info.js';

const node = 'node-1';

function ep(key: string, o: { ready?: boolean; serving?: boolean; terminating?: boolean; local?: boolean; hints?: string[] } = {}): EndpointInfo {
  const [ip, port] = key.split(':');
  const ready = o.ready ?? false;
  return {
    key,
    ip,
    port: Number(port),
    ready,
    serving: o.serving ?? ready,
    terminating: o.terminating ?? false,
    nodeName: o.local ? node : 'node-2',
    zoneHints: o.hints,
  };
}

const svc = (o: Partial<ServicePortInfo> = {}) => testServicePortInfo(o);

interface Case {
  name: string;
  nodeLabels?: Record<string, string>;
  serviceInfo: ServicePortInfo;
  endpoints: EndpointInfo[];
  clusterEndpoints?: string[];
  localEndpoints?: string[];
  allEndpoints?: string[];
  onlyRemoteEndpoints?: boolean;
}

const zoneA = { [labelTopologyZone]: 'zone-a' };
const fourHinted = (hints: (string[] | undefined)[], ready = [true, true, true, true]) =>
  ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.5:80', '10.1.2.6:80'].map((k, i) => ep(k, { ready: ready[i], hints: hints[i] }));
const abca = [['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']];
const all4 = ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.5:80', '10.1.2.6:80'];

const cases: Case[] = [
  { name: 'hints enabled, hints annotation == auto', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'auto' }), endpoints: fourHinted(abca), clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'] },
  { name: 'hints, hints annotation == disabled, hints ignored', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'disabled' }), endpoints: fourHinted(abca), clusterEndpoints: all4 },
  { name: 'hints, hints annotation == aUto (wrong capitalization), hints ignored', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'aUto' }), endpoints: fourHinted(abca), clusterEndpoints: all4 },
  { name: 'hints, hints annotation empty, hints ignored', nodeLabels: zoneA, serviceInfo: svc(), endpoints: fourHinted(abca), clusterEndpoints: all4 },
  {
    name: 'externalTrafficPolicy: Local, topology ignored for Local endpoints',
    nodeLabels: zoneA,
    serviceInfo: svc({ externalPolicyLocal: true, nodePort: 8080, hintsAnnotation: 'auto' }),
    endpoints: [
      ep('10.1.2.3:80', { ready: true, local: true, hints: ['zone-a'] }),
      ep('10.1.2.4:80', { ready: true, local: true, hints: ['zone-b'] }),
      ep('10.1.2.5:80', { ready: true, hints: ['zone-c'] }),
      ep('10.1.2.6:80', { ready: true, hints: ['zone-a'] }),
    ],
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'],
    localEndpoints: ['10.1.2.3:80', '10.1.2.4:80'],
    allEndpoints: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, topology ignored for Local endpoints',
    nodeLabels: zoneA,
    serviceInfo: svc({ internalPolicyLocal: true, hintsAnnotation: 'auto', nodePort: 8080 }),
    endpoints: [
      ep('10.1.2.3:80', { ready: true, local: true, hints: ['zone-a'] }),
      ep('10.1.2.4:80', { ready: true, local: true, hints: ['zone-b'] }),
      ep('10.1.2.5:80', { ready: true, hints: ['zone-c'] }),
      ep('10.1.2.6:80', { ready: true, hints: ['zone-a'] }),
    ],
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'],
    localEndpoints: ['10.1.2.3:80', '10.1.2.4:80'],
    allEndpoints: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
  },
  { name: 'empty node labels', nodeLabels: {}, serviceInfo: svc({ hintsAnnotation: 'auto' }), endpoints: [ep('10.1.2.3:80', { ready: true, hints: ['zone-a'] })], clusterEndpoints: ['10.1.2.3:80'] },
  { name: 'empty zone label', nodeLabels: { [labelTopologyZone]: '' }, serviceInfo: svc({ hintsAnnotation: 'auto' }), endpoints: [ep('10.1.2.3:80', { ready: true, hints: ['zone-a'] })], clusterEndpoints: ['10.1.2.3:80'] },
  { name: 'node in different zone, no endpoint filtering', nodeLabels: { [labelTopologyZone]: 'zone-b' }, serviceInfo: svc({ hintsAnnotation: 'auto' }), endpoints: [ep('10.1.2.3:80', { ready: true, hints: ['zone-a'] })], clusterEndpoints: ['10.1.2.3:80'] },
  { name: 'normal endpoint filtering, auto annotation', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'auto' }), endpoints: fourHinted(abca), clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'] },
  { name: 'unready endpoint', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'auto' }), endpoints: fourHinted(abca, [true, true, true, false]), clusterEndpoints: ['10.1.2.3:80'] },
  {
    name: 'only unready endpoints in same zone (should not filter)',
    nodeLabels: zoneA,
    serviceInfo: svc({ hintsAnnotation: 'auto' }),
    endpoints: fourHinted(abca, [false, true, true, false]),
    clusterEndpoints: ['10.1.2.4:80', '10.1.2.5:80'],
  },
  { name: 'normal endpoint filtering, Auto annotation', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'Auto' }), endpoints: fourHinted(abca), clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'] },
  { name: 'hintsAnnotation empty, no filtering applied', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: '' }), endpoints: fourHinted(abca), clusterEndpoints: all4 },
  { name: 'hintsAnnotation disabled, no filtering applied', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'disabled' }), endpoints: fourHinted(abca), clusterEndpoints: all4 },
  { name: 'missing hints, no filtering applied', nodeLabels: zoneA, serviceInfo: svc({ hintsAnnotation: 'auto' }), endpoints: fourHinted([['zone-a'], ['zone-b'], undefined, ['zone-a']]), clusterEndpoints: all4 },
  {
    name: 'multiple hints per endpoint, filtering includes any endpoint with zone included',
    nodeLabels: { [labelTopologyZone]: 'zone-c' },
    serviceInfo: svc({ hintsAnnotation: 'auto' }),
    endpoints: fourHinted([['zone-a', 'zone-b', 'zone-c'], ['zone-b', 'zone-c'], ['zone-b', 'zone-d'], ['zone-c']]),
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
  },
  {
    name: 'conflicting topology and localness require merging allEndpoints',
    nodeLabels: zoneA,
    serviceInfo: svc({ externalPolicyLocal: true, nodePort: 8080, hintsAnnotation: 'auto' }),
    endpoints: [
      ep('10.0.0.0:80', { ready: true, local: true, hints: ['zone-a'] }),
      ep('10.0.0.1:80', { ready: true, local: true, hints: ['zone-b'] }),
      ep('10.0.0.2:80', { ready: true, hints: ['zone-a'] }),
      ep('10.0.0.3:80', { ready: true, hints: ['zone-b'] }),
    ],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.2:80'],
    localEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80', '10.0.0.2:80'],
  },
  { name: 'internalTrafficPolicy: Local, with empty endpoints', serviceInfo: svc({ internalPolicyLocal: true }), endpoints: [], localEndpoints: [] },
  {
    name: 'internalTrafficPolicy: Local, but all endpoints are remote',
    serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true })],
    localEndpoints: [],
    onlyRemoteEndpoints: true,
  },
  {
    name: 'internalTrafficPolicy: Local, all endpoints are local',
    serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true, local: true }), ep('10.0.0.1:80', { ready: true, local: true })],
    localEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, some endpoints are local',
    serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true, local: true }), ep('10.0.0.1:80', { ready: true })],
    localEndpoints: ['10.0.0.0:80'],
  },
  { name: 'Cluster traffic policy, endpoints not Ready', serviceInfo: svc(), endpoints: [ep('10.0.0.0:80'), ep('10.0.0.1:80')], clusterEndpoints: [] },
  { name: 'Cluster traffic policy, some endpoints are Ready', serviceInfo: svc(), endpoints: [ep('10.0.0.0:80'), ep('10.0.0.1:80', { ready: true })], clusterEndpoints: ['10.0.0.1:80'] },
  {
    name: 'Cluster traffic policy, all endpoints are terminating',
    serviceInfo: svc(),
    endpoints: [ep('10.0.0.0:80', { serving: true, terminating: true, local: true }), ep('10.0.0.1:80', { serving: true, terminating: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Cluster, some endpoints local',
    serviceInfo: svc({ internalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true, local: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    localEndpoints: ['10.0.0.0:80'],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Cluster, eTP: Local, some endpoints local',
    serviceInfo: svc({ externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true, local: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    localEndpoints: ['10.0.0.0:80'],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, some endpoints local',
    serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true, local: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    localEndpoints: ['10.0.0.0:80'],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, all endpoints remote',
    serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    localEndpoints: [],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, all endpoints remote and terminating',
    serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { serving: true, terminating: true }), ep('10.0.0.1:80', { serving: true, terminating: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    localEndpoints: [],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    onlyRemoteEndpoints: true,
  },
  {
    name: 'iTP: Cluster, eTP: Local, with terminating endpoints',
    serviceInfo: svc({ externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [
      ep('10.0.0.0:80', { ready: true }),
      ep('10.0.0.1:80', { serving: false, local: true }),
      ep('10.0.0.2:80', { serving: true, terminating: true, local: true }),
      ep('10.0.0.3:80', { serving: true, terminating: true }),
    ],
    clusterEndpoints: ['10.0.0.0:80'],
    localEndpoints: ['10.0.0.2:80'],
    allEndpoints: ['10.0.0.0:80', '10.0.0.2:80'],
  },
  {
    name: 'externalTrafficPolicy ignored if not externally accessible',
    serviceInfo: svc({ externalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true, local: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'no cluster endpoints for iTP:Local internal-only service',
    serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true, local: true })],
    localEndpoints: ['10.0.0.1:80'],
    allEndpoints: ['10.0.0.1:80'],
  },
];

const keys = (eps: EndpointInfo[] | undefined) => (eps === undefined ? undefined : eps.map((e) => e.key).sort());
const sorted = (s: string[] | undefined) => (s === undefined ? undefined : [...s].sort());

for (const tc of cases) {
  test(`categorizeEndpoints: ${tc.name}`, () => {
    const got = categorizeEndpoints(tc.endpoints, tc.serviceInfo, node, tc.nodeLabels);
    assert.deepEqual(keys(got.clusterEndpoints), sorted(tc.clusterEndpoints), 'clusterEndpoints');
    assert.deepEqual(keys(got.localEndpoints), sorted(tc.localEndpoints), 'localEndpoints');
    const expectedAll =
      tc.clusterEndpoints && !tc.localEndpoints ? tc.clusterEndpoints : tc.localEndpoints && !tc.clusterEndpoints ? tc.localEndpoints : tc.allEndpoints;
    assert.deepEqual(keys(got.allReachableEndpoints), sorted(expectedAll), 'allReachableEndpoints');
    assert.equal(got.hasAnyEndpoints, (expectedAll?.length ?? 0) > 0 || !!tc.onlyRemoteEndpoints, 'hasAnyEndpoints');
  });
}

test('categorizeEndpoints: trafficDistribution PreferClose uses zone hints like topology-mode Auto', () => {
  const got = categorizeEndpoints(fourHinted(abca), svc({ trafficDistribution: 'PreferClose' }), node, zoneA);
  assert.deepEqual(keys(got.clusterEndpoints), ['10.1.2.3:80', '10.1.2.6:80']);
});
