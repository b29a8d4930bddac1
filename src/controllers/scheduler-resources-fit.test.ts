import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Node, Pod } from '../api/types.js';
import { podRequests, resourcesFitReasons } from './scheduler-resources-fit.js';

const c = (name: string, requests?: Record<string, string>, restartPolicy?: string): Container => ({ name, image: 'x', ...(requests ? { resources: { requests } } : {}), ...(restartPolicy ? { restartPolicy } : {}) });
const pod = (containers: Container[], initContainers?: Container[], overhead?: Record<string, string>): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers, ...(initContainers ? { initContainers } : {}), ...(overhead ? { overhead } : {}) },
});
const node = (allocatable: Record<string, string>): Node => ({ metadata: { name: 'node-1' }, status: { allocatable } });

test('a pod requests its containers\' sum, the largest init container when more, sidecars on top, plus overhead', () => {
  const plain = podRequests(pod([c('a', { cpu: '100m', memory: '64Mi' }), c('b', { cpu: '0.25' })]));
  assert.deepEqual(Object.fromEntries(plain), { cpu: 350, memory: 64 * 2 ** 20 });
  // A 1-cpu init container runs alone first: the pod needs 1 cpu, not 1.35.
  assert.equal(podRequests(pod([c('a', { cpu: '350m' })], [c('init', { cpu: '1' })])).get('cpu'), 1000);
  // A sidecar keeps running beside the init containers after it and beside the app.
  const sidecar = podRequests(pod([c('a', { cpu: '300m' })], [c('log', { cpu: '200m' }, 'Always'), c('init', { cpu: '900m' })], { cpu: '50m' }));
  assert.equal(sidecar.get('cpu'), 900 + 200 + 50);
  assert.equal(podRequests(pod([c('a')])).size, 0);
});

test('Too many pods past allocatable pods; Insufficient <resource> for what the node\'s pods requested already', () => {
  const n = node({ cpu: '2', memory: '1Gi', pods: '3' });
  const none = () => [];
  assert.deepEqual(resourcesFitReasons(pod([c('a')]), new Map(), n, 2, none), []);
  assert.deepEqual(resourcesFitReasons(pod([c('a')]), new Map(), n, 3, none), ['Too many pods']);
  const existing = [pod([c('x', { cpu: '1500m', memory: '512Mi' })])];
  const p = pod([c('a', { memory: '600Mi', cpu: '600m', 'example.com/gpu': '1' })]);
  assert.deepEqual(resourcesFitReasons(p, podRequests(p), n, 3, () => existing), ['Too many pods', 'Insufficient cpu', 'Insufficient memory', 'Insufficient example.com/gpu']);
  const small = pod([c('a', { cpu: '500m', memory: '512Mi' })]);
  assert.deepEqual(resourcesFitReasons(small, podRequests(small), n, 1, () => existing), []);
});
