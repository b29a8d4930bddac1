import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodPhase, ResourceQuota, Service } from '../types.js';
import { countedResources, podConstraintViolation, prettyPrint, quotaMatches, tracks, usageOf, usageToList } from './evaluator.js';

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
