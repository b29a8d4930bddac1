import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from '../api/types.js';
import {
  EndpointSliceTracker,
  findPort,
  formatRFC3339Nano,
  hasSelector,
  podIPs,
  semanticEqual,
  servicesToUpdateOnPodChange,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  TriggerTimeTracker,
} from './endpoint-util.js';

function pod(over: Partial<Pod['metadata']> = {}, status: Pod['status'] = { phase: 'Running', podIP: '10.0.0.1' }): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', resourceVersion: '1', labels: { app: 'web' }, ...over },
    spec: {
      containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }] } as Pod['spec']['containers'][number],
        { name: 'init', ports: [{ name: 'initport', containerPort: 7070, protocol: 'TCP' }] },
      ],
    },
    status,
  };
}

function svc(name: string, selector?: Record<string, string>): Service {
  return { metadata: { name, namespace: 'default' }, spec: { selector } };
}

test('shouldPodBeInEndpoints: terminal, no IP, terminating', () => {
  assert.equal(shouldPodBeInEndpoints(pod(), false), true);
  assert.equal(shouldPodBeInEndpoints(pod({}, { phase: 'Running' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod({}, { phase: 'Succeeded', podIP: '10.0.0.1' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod({}, { phase: 'Failed', podIP: '10.0.0.1' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod({ deletionTimestamp: '2024-01-01T00:00:00Z' }), false), false);
  assert.equal(shouldPodBeInEndpoints(pod({ deletionTimestamp: '2024-01-01T00:00:00Z' }), true), true);
});

test('podIPs prefers status.podIPs and falls back to podIP', () => {
  assert.deepEqual(podIPs(pod({}, { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] })), ['10.0.0.1', 'fd00::1']);
  assert.deepEqual(podIPs(pod({}, { podIP: '10.0.0.9' })), ['10.0.0.9']);
  assert.deepEqual(podIPs(pod({}, {})), []);
});

test('findPort: numbers, names by protocol, sidecars only', () => {
  const p = pod();
  assert.equal(findPort(p, { port: 80, targetPort: 8081 }), 8081);
  assert.equal(findPort(p, { port: 80 }), 80);
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'TCP' }), 8080);
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' }), undefined);
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
  assert.equal(findPort(p, { port: 80, targetPort: 'metrics', protocol: 'TCP' }), 9090);
  assert.equal(findPort(p, { port: 80, targetPort: 'initport', protocol: 'TCP' }), undefined);
});

test('hasSelector: absent or empty selects nothing', () => {
  assert.equal(hasSelector(svc('a')), false);
  assert.equal(hasSelector(svc('a', {})), false);
  assert.equal(hasSelector(svc('a', { app: 'x' })), true);
});

test('shouldSetHostname needs hostname and subdomain == service name', () => {
  const p = pod();
  p.spec.hostname = 'h';
  p.spec.subdomain = 'web';
  assert.equal(shouldSetHostname(p, svc('web')), true);
  assert.equal(shouldSetHostname(p, svc('other')), false);
});

test('servicesToUpdateOnPodChange: readiness, labels, and nothing for irrelevant updates', () => {
  const services = [svc('web', { app: 'web' }), svc('api', { app: 'api' }), svc('manual')];
  const old = pod();
  const sameRV = { ...old };
  assert.deepEqual([...servicesToUpdateOnPodChange(services, old, sameRV)], []);
  const annotated = pod({ resourceVersion: '2', annotations: { a: 'b' } });
  assert.deepEqual([...servicesToUpdateOnPodChange(services, old, annotated)], []);
  const ready = pod({ resourceVersion: '2' }, { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] });
  assert.deepEqual([...servicesToUpdateOnPodChange(services, old, ready)], ['default/web']);
  const relabelled = pod({ resourceVersion: '2', labels: { app: 'api' } });
  assert.deepEqual([...servicesToUpdateOnPodChange(services, old, relabelled)].sort(), ['default/api', 'default/web']);
  const terminal = pod({ resourceVersion: '2' }, { phase: 'Failed', podIP: '10.0.0.1' });
  assert.deepEqual([...servicesToUpdateOnPodChange(services, old, terminal)], ['default/web']);
});

test('formatRFC3339Nano trims trailing zeros like Go', () => {
  assert.equal(formatRFC3339Nano(new Date('2024-05-06T07:08:09Z')), '2024-05-06T07:08:09Z');
  assert.equal(formatRFC3339Nano(new Date('2024-05-06T07:08:09.500Z')), '2024-05-06T07:08:09.5Z');
});

test('TriggerTimeTracker: creation time first, then the oldest changed pod time, then none', () => {
  const t = new TriggerTimeTracker();
  const s: Service = { metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: {} };
  const p = (name: string, at: string) => pod({ name }, { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] });
  assert.equal(t.compute(s, [p('a', '2024-01-01T00:00:05Z')])?.toISOString(), '2024-01-01T00:00:00.000Z');
  assert.equal(t.compute(s, [p('a', '2024-01-01T00:00:05Z')]), undefined);
  assert.equal(t.compute(s, [p('a', '2024-01-01T00:00:09Z'), p('b', '2024-01-01T00:00:07Z')])?.toISOString(), '2024-01-01T00:00:07.000Z');
});

test('EndpointSliceTracker: echoes ignored, stale caches detected', () => {
  const tr = new EndpointSliceTracker();
  const slice = (rv: string) => ({ metadata: { namespace: 'default', name: 's', uid: 'u1', resourceVersion: rv, labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4' as const, endpoints: [] });
  assert.equal(tr.shouldSync(slice('5')), true);
  tr.update(slice('5'));
  assert.equal(tr.shouldSync(slice('5')), false);
  assert.equal(tr.shouldSync(slice('6')), true);
  assert.equal(tr.staleSlices('default/web', []), true);
  assert.equal(tr.staleSlices('default/web', [slice('4')]), true);
  assert.equal(tr.staleSlices('default/web', [slice('5')]), false);
  tr.expectDeletion(slice('5'));
  assert.equal(tr.staleSlices('default/web', [slice('5')]), true);
  assert.equal(tr.handleDeletion(slice('5')), true);
  assert.equal(tr.staleSlices('default/web', []), false);
});

test('semanticEqual: empty equals absent, targetRef resourceVersion ignored', () => {
  assert.equal(semanticEqual({ a: [], b: '' }, {}), true);
  assert.equal(semanticEqual([{ targetRef: { name: 'p', resourceVersion: '1' } }], [{ targetRef: { name: 'p', resourceVersion: '2' } }]), true);
  assert.equal(semanticEqual({ ready: false }, {}), false);
});
