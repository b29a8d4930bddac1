import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, Pod, PodPhase, ResourceQuota, Service } from '../types.js';
import { countedResources, evaluatesUpdate, podConstraintViolation, prettyPrint, quotaMatches, tracks, usageDelta, usageOf, usageToList } from './evaluator.js';

const now = new Date('2026-01-01T00:00:00Z');
const pods = { group: '', resource: 'pods' };
const pod = (containers: Pod['spec']['containers'], extra: Partial<Pod['spec']> = {}, phase?: PodPhase): Pod => ({
  metadata: { name: 'p' },
  spec: { containers, ...extra },
  status: phase ? { phase } : undefined,
});

test('a pod costs pods, its effective requests and limits (also under the bare names)', () => {
  const p = pod([
    { name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m' } } },
    { name: 'b', resources: { requests: { cpu: '250m' } } },
  ]);
  const used = usageToList(usageOf(pods, p, now), { 'requests.memory': '1Gi', memory: '1Gi' });
  assert.deepEqual(used, {
    'count/pods': '1',
    cpu: '500m',
    'limits.cpu': '500m',
    'limits.memory': '0',
    memory: '64Mi',
    pods: '1',
    'requests.cpu': '500m',
    'requests.memory': '64Mi',
  });
  // A finished pod keeps only its object count.
  assert.deepEqual(Object.keys(usageToList(usageOf(pods, pod([{ name: 'a' }], {}, 'Succeeded'), now), {})), ['count/pods']);
});

test('services count node ports and load balancers; other kinds count as count/<resource>.<group>', () => {
  const svc: Service = { metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } };
  assert.deepEqual(usageToList(usageOf({ group: '', resource: 'services' }, svc, now), {}), {
    'count/services': '1',
    services: '1',
    'services.loadbalancers': '1',
    'services.nodeports': '2',
  });
  assert.deepEqual(usageToList(usageOf({ group: 'apps', resource: 'deployments' }, { metadata: {} }, now), {}), { 'count/deployments.apps': '1' });
  assert.deepEqual(countedResources(['pods', 'requests.cpu', 'count/deployments.apps', 'services.nodeports']), [
    { group: '', resource: 'pods' },
    { group: 'apps', resource: 'deployments' },
    { group: '', resource: 'services' },
  ]);
  assert.equal(tracks(pods, 'requests.storage'), false);
});

test('scopes match pods only: BestEffort, Terminating, PriorityClass In', () => {
  const quota = (spec: ResourceQuota['spec']): ResourceQuota => ({ metadata: { name: 'q' }, spec });
  const bestEffort = pod([{ name: 'a' }]);
  const burstable = pod([{ name: 'a', resources: { requests: { cpu: '1' } } }], { activeDeadlineSeconds: 10, priorityClassName: 'high' });
  assert.equal(quotaMatches(quota({ scopes: ['BestEffort'] }), pods, bestEffort), true);
  assert.equal(quotaMatches(quota({ scopes: ['BestEffort'] }), pods, burstable), false);
  assert.equal(quotaMatches(quota({ scopes: ['Terminating', 'NotBestEffort'] }), pods, burstable), true);
  const byClass = quota({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
  assert.equal(quotaMatches(byClass, pods, burstable), true);
  assert.equal(quotaMatches(byClass, pods, bestEffort), false);
  assert.equal(quotaMatches(quota({ scopes: ['BestEffort'] }), { group: '', resource: 'services' }, { metadata: {} }), false);
});

test('containers must set what a quota limits (upstream message); prettyPrint sorts name=quantity', () => {
  const p = pod([{ name: 'c', resources: { requests: { memory: '1Mi' } } }]);
  assert.equal(podConstraintViolation(p, ['pods', 'requests.cpu', 'limits.cpu', 'requests.memory']), 'must specify limits.cpu for: c; requests.cpu for: c');
  assert.equal(podConstraintViolation(p, ['pods', 'requests.memory']), undefined);
  assert.equal(prettyPrint(new Map([['requests.memory', 512 * 2 ** 20 * 1000], ['pods', 1000]]), { 'requests.memory': '1Gi' }), 'pods=1,requests.memory=512Mi');
});

test('updates quota evaluates: services and claims always, a pod only when its Terminating scope changes, other objects never', () => {
  const svc = (type: NonNullable<Service['spec']>['type']): Service => ({ metadata: { name: 's' }, spec: { type, ports: [{ port: 80 }, { port: 81 }] } });
  const services = { group: '', resource: 'services' };
  assert.equal(evaluatesUpdate(services, svc('NodePort'), svc('ClusterIP')), true);
  assert.equal(evaluatesUpdate({ group: '', resource: 'persistentvolumeclaims' }, { metadata: {} }, { metadata: {} }), true);
  assert.equal(evaluatesUpdate(pods, pod([{ name: 'a' }], { activeDeadlineSeconds: 30 }), pod([{ name: 'a' }])), true);
  assert.equal(evaluatesUpdate(pods, pod([{ name: 'a' }], { activeDeadlineSeconds: 30 }), pod([{ name: 'a' }], { activeDeadlineSeconds: 60 })), false);
  assert.equal(evaluatesUpdate({ group: '', resource: 'configmaps' }, { metadata: {} }, { metadata: {} }), false);
  assert.equal(evaluatesUpdate({ group: 'apps', resource: 'deployments' }, { metadata: {} }, { metadata: {} }), false);
  // ClusterIP → LoadBalancer: a load balancer and a node port per port; nothing given back below zero.
  const delta = usageDelta(usageOf(services, svc('LoadBalancer'), now), usageOf(services, svc('ClusterIP'), now));
  assert.deepEqual(usageToList(delta, { 'services.nodeports': '0' }), { 'services.loadbalancers': '1', 'services.nodeports': '2' });
  assert.equal(usageDelta(usageOf(services, svc('ClusterIP'), now), usageOf(services, svc('NodePort'), now)).size, 0);
  const claim = (storage: string): PersistentVolumeClaim => ({ metadata: { name: 'c' }, spec: { storageClassName: 'fast', resources: { requests: { storage } } } });
  const claims = { group: '', resource: 'persistentvolumeclaims' };
  const grown = usageDelta(usageOf(claims, claim('15Mi'), now), usageOf(claims, claim('10Mi'), now));
  assert.deepEqual(usageToList(grown, { 'requests.storage': '1Gi', 'fast.storageclass.storage.k8s.io/requests.storage': '1Gi' }), {
    'requests.storage': '5Mi',
    'fast.storageclass.storage.k8s.io/requests.storage': '5Mi',
  });
});
