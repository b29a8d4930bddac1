import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from './attributes.js';
import { ruleAllows } from './rule-matching.js';

const user = { username: 'u', groups: [] };
const res = (over: Partial<Extract<Attributes, { isResourceRequest: true }>>): Attributes => ({
  isResourceRequest: true, user, verb: 'get', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: 'web', ...over,
});
const path = (p: string, verb = 'get'): Attributes => ({ isResourceRequest: false, user, verb, path: p });

test('verbs, groups and resources match exactly or by *', () => {
  assert.ok(ruleAllows(res({}), { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleAllows(res({ verb: 'delete', apiGroup: 'apps', resource: 'deployments' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
  assert.ok(!ruleAllows(res({ verb: 'list' }), { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(!ruleAllows(res({ apiGroup: 'apps' }), { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(!ruleAllows(res({ resource: 'secrets' }), { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
});

test('a subresource needs resource/subresource or */subresource; the resource alone does not cover it', () => {
  const log = res({ subresource: 'log' });
  assert.ok(!ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }));
  assert.ok(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['*/log'] }));
  assert.ok(!ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }));
  assert.ok(!ruleAllows(res({}), { verbs: ['get'], apiGroups: [''], resources: ['*/log'] }));
});

test('resourceNames limit a rule to those objects, so a nameless list is not covered', () => {
  const rule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] };
  assert.ok(ruleAllows(res({}), rule));
  assert.ok(!ruleAllows(res({ name: 'db' }), rule));
  assert.ok(!ruleAllows(res({ verb: 'list', name: '' }), rule));
});

test('non-resource URLs: exact, *, or a prefix ending in *', () => {
  assert.ok(ruleAllows(path('/healthz'), { verbs: ['get'], nonResourceURLs: ['/healthz'] }));
  assert.ok(!ruleAllows(path('/healthz/etcd'), { verbs: ['get'], nonResourceURLs: ['/healthz'] }));
  assert.ok(ruleAllows(path('/healthz/etcd'), { verbs: ['get'], nonResourceURLs: ['/healthz/*'] }));
  assert.ok(ruleAllows(path('/apis/apps/v1'), { verbs: ['get'], nonResourceURLs: ['/apis*'] }));
  assert.ok(ruleAllows(path('/anything', 'post'), { verbs: ['*'], nonResourceURLs: ['*'] }));
  assert.ok(!ruleAllows(path('/healthz'), { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }));
});
