import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findKind } from '../../api/resources.js';
import type { Deployment, KubeObject, Namespace, Pod, Service } from '../../api/types.js';
import { imagePullPolicyFor } from '../../api/defaults/pod-spec.js';
import { prepareServiceForUpdate } from '../../api/defaults/service.js';
import { applyDefaults } from './index.js';

function defaulted<T extends KubeObject>(obj: T): T {
  const info = findKind(obj.kind ?? '');
  assert.ok(info);
  applyDefaults(info, obj);
  return obj;
}

test('pod defaults match a real cluster', () => {
  const pod = defaulted<Pod>({
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } }, resources: { limits: { cpu: '1' } } }],
    },
  });
  const c = pod.spec.containers[0];
  assert.equal(pod.spec.restartPolicy, 'Always');
  assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
  assert.equal(pod.spec.schedulerName, 'default-scheduler');
  assert.deepEqual(pod.spec.securityContext, {});
  assert.equal(pod.spec.serviceAccountName, 'default');
  assert.equal(pod.spec.serviceAccount, 'default');
  assert.equal(pod.spec.enableServiceLinks, true);
  assert.equal(pod.spec.priority, 0);
  assert.deepEqual(pod.spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.ports?.[0].protocol, 'TCP');
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
});

test('imagePullPolicy follows the tag', () => {
  assert.equal(imagePullPolicyFor('nginx'), 'Always');
  assert.equal(imagePullPolicyFor('nginx:latest'), 'Always');
  assert.equal(imagePullPolicyFor('nginx:1.26-alpine'), 'IfNotPresent');
  assert.equal(imagePullPolicyFor('localhost:5000/app'), 'Always');
  assert.equal(imagePullPolicyFor('nginx@sha256:abc'), 'IfNotPresent');
});

test('service defaults per type', () => {
  const np = defaulted<Service>({ kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  assert.deepEqual(np.spec, {
    type: 'NodePort',
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  const lb = defaulted<Service>({ kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  assert.equal(lb.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds, 10800);
  const headless = defaulted<Service>({ kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'None' } });
  assert.deepEqual(headless.spec.clusterIPs, ['None']);
  assert.equal(headless.spec.ipFamilyPolicy, 'RequireDualStack');
  const ext = defaulted<Service>({ kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'a.b' } });
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'a.b', sessionAffinity: 'None' });
});

test('NodePort -> ClusterIP update drops the unchanged nodePort', () => {
  const old: Service = { kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] } };
  const next: Service = JSON.parse(JSON.stringify(old)) as Service;
  next.spec.type = 'ClusterIP';
  prepareServiceForUpdate(next, old);
  assert.equal(next.spec.ports?.[0].nodePort, undefined);
  assert.equal(next.spec.externalTrafficPolicy, undefined);
});

test('deployment and namespace defaults', () => {
  const d = defaulted<Deployment>({
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
  });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.serviceAccountName, undefined);
  const ns = defaulted<Namespace>({ kind: 'Namespace', metadata: { name: 'dev' } });
  // spec.finalizers comes from the create strategy, not defaulting (finalize empties it).
  assert.equal(ns.spec?.finalizers, undefined);
  assert.deepEqual(ns.status, { phase: 'Active' });
  const finalized = defaulted<Namespace>({ kind: 'Namespace', metadata: { name: 'dev' }, spec: { finalizers: [] } });
  assert.deepEqual(finalized.spec?.finalizers, []);
  assert.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'dev');
});
