import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addResource, metricsResources, removeResource } from '../api/resources.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';

test('/api and /apis', () => {
  assert.deepEqual(apiVersions(), { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  assert.deepEqual(apiVersions('10.0.0.1:6443').serverAddressByClientCIDRs, [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }]);
  const groups = apiGroupList();
  assert.equal(groups.kind, 'APIGroupList');
  assert.deepEqual(
    groups.groups.map((g) => g.name),
    ['apiregistration.k8s.io', 'apps', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io'],
  );
  assert.deepEqual(apiGroup('apps'), {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'apps',
    versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
    preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
  });
  assert.equal(apiGroup('extensions'), undefined);
  // Several versions of one group: the first listed is preferred.
  assert.deepEqual(apiGroup('autoscaling')?.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  assert.deepEqual(
    apiGroup('autoscaling')?.versions.map((v) => v.version),
    ['v2', 'v1'],
  );
});

test('a version served by conversion names the storage version in its hash, and has the same short names and categories', () => {
  const hpa = (version: string) => apiResourceList('autoscaling', version)?.resources.find((r) => r.name === 'horizontalpodautoscalers');
  assert.equal(hpa('v1')?.storageVersionHash, hpa('v2')?.storageVersionHash);
  assert.deepEqual([hpa('v1')?.shortNames, hpa('v1')?.categories], [['hpa'], ['all']]);
  assert.ok(apiResourceList('autoscaling', 'v1')?.resources.some((r) => r.name === 'horizontalpodautoscalers/status'));
});

test('/api/v1 lists resources with short names, categories and subresources', () => {
  const list = apiResourceList('', 'v1');
  assert.ok(list);
  assert.equal(list.groupVersion, 'v1');
  const pods = list.resources.find((r) => r.name === 'pods');
  assert.deepEqual(pods, {
    name: 'pods',
    singularName: 'pod',
    namespaced: true,
    kind: 'Pod',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['po'],
    categories: ['all'],
    storageVersionHash: 'xPOwRZ+Yhw8=',
  });
  const names = list.resources.map((r) => r.name);
  assert.ok(names.indexOf('pods/status') === names.indexOf('pods') + names.filter((n) => n.startsWith('pods/') && n < 'pods/status').length + 1);
  assert.deepEqual(list.resources.find((r) => r.name === 'pods/log'), { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  assert.equal(list.resources.find((r) => r.name === 'nodes')?.namespaced, false);
  assert.equal(apiResourceList('batch', 'v2'), undefined);
});

test('scale subresources name autoscaling/v1 Scale', () => {
  const list = apiResourceList('apps', 'v1');
  assert.equal(list?.apiVersion, 'v1');
  assert.deepEqual(list?.resources.find((r) => r.name === 'deployments/scale'), {
    name: 'deployments/scale',
    singularName: '',
    namespaced: true,
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
    verbs: ['get', 'patch', 'update'],
  });
  assert.ok(list?.resources.some((r) => r.name === 'replicasets/scale' && r.group === 'autoscaling'));
  assert.equal(list?.resources.find((r) => r.name === 'deployments')?.storageVersionHash, '8aSe+NMegvE=');
  // As a 1.33 API server publishes them.
  assert.equal(list?.resources.find((r) => r.name === 'statefulsets')?.storageVersionHash, 'H+vl74LkKdo=');
  assert.equal(apiResourceList('batch', 'v1')?.resources.find((r) => r.name === 'cronjobs')?.storageVersionHash, 'sd5LIXh4Fjs=');
});

test('networking.k8s.io/v1: ingresses (ing) with status, ingressclasses, networkpolicies (netpol), as a 1.33 API server lists them', () => {
  const list = apiResourceList('networking.k8s.io', 'v1');
  assert.deepEqual(
    list?.resources.map((r) => [r.name, r.namespaced, r.shortNames ?? [], r.storageVersionHash ?? '']),
    [
      ['ingressclasses', false, [], 'l/iqIbDgFyQ='],
      ['ingresses', true, ['ing'], '39NQlfNR+bo='],
      ['ingresses/status', true, [], ''],
      ['networkpolicies', true, ['netpol'], 'YpfwF18m1G8='],
    ],
  );
});

test('metrics.k8s.io/v1beta1 while its APIService serves it: nodes and pods, get and list only (as metrics-server publishes them)', () => {
  assert.equal(apiGroup('metrics.k8s.io'), undefined);
  for (const info of metricsResources) addResource(info);
  assert.equal(apiGroupList().groups.at(-1)?.name, 'metrics.k8s.io');
  const list = apiResourceList('metrics.k8s.io', 'v1beta1');
  assert.deepEqual(
    list?.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs]),
    [
      ['nodes', 'NodeMetrics', false, ['get', 'list']],
      ['pods', 'PodMetrics', true, ['get', 'list']],
    ],
  );
  assert.deepEqual(apiGroup('metrics.k8s.io')?.preferredVersion, { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' });
  assert.deepEqual(apiResourceList('apiregistration.k8s.io', 'v1')?.resources.map((r) => r.name), ['apiservices', 'apiservices/status']);
  for (const info of metricsResources) removeResource(info);
  assert.equal(apiResourceList('metrics.k8s.io', 'v1beta1'), undefined);
  assert.ok(!apiGroupList().groups.some((g) => g.name === 'metrics.k8s.io'));
});
