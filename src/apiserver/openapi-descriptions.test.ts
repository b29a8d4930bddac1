// kubectl explain prints the descriptions of the OpenAPI documents (v3 from kubectl 1.27 on, v2
// with --output plaintext-openapiv2); kanzen writes its own (the fact file's explain table).
// These tests keep them complete: every served kind, every field of every published definition,
// and the field paths users explain most, looked up the way kubectl walks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../api/resources.js';
import { definitionName, definitions } from '../api/schema/index.js';
import { openapiV2Json, openapiV3Document } from './openapi.js';

interface Schema {
  description?: string;
  type?: string;
  $ref?: string;
  allOf?: Schema[];
  items?: Schema;
  additionalProperties?: Schema;
  properties?: Record<string, Schema>;
}

const docPath = (group: string, version: string) => (group === '' ? `api/${version}` : `apis/${group}/${version}`);
const v3Schemas = (group: string, version: string) =>
  (openapiV3Document(docPath(group, version))!.body as { components: { schemas: Record<string, Schema> } }).components.schemas;
const v2Definitions = () => (openapiV2Json() as { definitions: Record<string, Schema> }).definitions;

/** A property's schema through references, arrays and maps to the definition it names, as kubectl explain follows it. */
function target(schema: Schema, defs: Record<string, Schema>): Schema {
  const ref = schema.$ref ?? schema.allOf?.[0]?.$ref;
  if (ref) return defs[ref.split('/').at(-1)!];
  if (schema.items) return target(schema.items, defs);
  if (schema.additionalProperties) return target(schema.additionalProperties, defs);
  return schema;
}

/** The resource a kubectl explain argument names: plural, singular or short name. */
function resourceNamed(name: string) {
  const r = resources.find((x) => x.resource === name || x.singular === name || x.shortNames?.includes(name));
  assert.ok(r, `no served resource ${name}`);
  return r;
}

/** The description kubectl explain prints for a path (pod.spec.containers), from the v3 or the v2 document. */
function describe(path: string, version: 'v2' | 'v3'): string | undefined {
  const [head, ...fields] = path.split('.');
  const r = resourceNamed(head);
  const defs = version === 'v3' ? v3Schemas(r.group, r.version) : v2Definitions();
  let schema: Schema = defs[definitionName(r)];
  let description = schema.description;
  for (const field of fields) {
    const prop = target(schema, defs).properties?.[field];
    assert.ok(prop, `${path}: no field ${field} (${version})`);
    description = prop.description;
    schema = prop;
  }
  return description;
}

test('every served kind is described, in the v3 and the v2 documents', () => {
  const v2 = v2Definitions();
  for (const r of resources) {
    const name = definitionName(r);
    assert.ok(v3Schemas(r.group, r.version)[name]?.description, `v3 ${name}`);
    assert.ok(v2[name]?.description, `v2 ${name}`);
  }
  assert.ok(v3Schemas('apps', 'v1')['io.k8s.api.autoscaling.v1.Scale']?.description, 'Scale (the scale subresource)');
});

test('every field of every published definition is described (add it to the explain table of the fact file)', () => {
  // The <Kind>List definitions are made up from the resource table (kinds.ts), not the fact file;
  // kubectl explain never reaches them.
  const fromFacts = (name: string) => name in definitions;
  const missing = new Set<string>();
  const check = (defs: Record<string, Schema>, label: string) => {
    for (const [name, schema] of Object.entries(defs)) {
      if (!fromFacts(name)) continue;
      if (!schema.description) missing.add(`${label} ${name}`);
      for (const [field, prop] of Object.entries(schema.properties ?? {})) if (!prop.description) missing.add(`${label} ${name}.${field}`);
    }
  };
  for (const p of new Set(resources.map((r) => `${r.group}/${r.version}`))) {
    const [group, version] = p.split('/');
    check(v3Schemas(group, version), 'v3');
  }
  check(v2Definitions(), 'v2');
  assert.deepEqual([...missing], []);
});

test('the named scalar types carry a description too (kubectl explain prints it under the field)', () => {
  for (const defs of [v3Schemas('apps', 'v1'), v2Definitions()]) {
    assert.match(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].description ?? '', /integer or a string/);
    assert.match(defs['io.k8s.apimachinery.pkg.api.resource.Quantity'].description ?? '', /Mi/);
  }
});

// The fields users explain most, as kubectl explain arguments.
const commonPaths = [
  // Pod
  'pod',
  'pod.metadata',
  'pod.metadata.name',
  'pod.metadata.generateName',
  'pod.metadata.namespace',
  'pod.metadata.labels',
  'pod.metadata.annotations',
  'pod.metadata.uid',
  'pod.metadata.resourceVersion',
  'pod.metadata.generation',
  'pod.metadata.creationTimestamp',
  'pod.metadata.deletionTimestamp',
  'pod.metadata.finalizers',
  'pod.metadata.ownerReferences',
  'pod.metadata.ownerReferences.controller',
  'pod.metadata.ownerReferences.blockOwnerDeletion',
  'pod.metadata.managedFields',
  'pod.metadata.managedFields.manager',
  'pod.metadata.managedFields.operation',
  'pod.spec',
  'pod.spec.containers',
  'pod.spec.containers.name',
  'pod.spec.containers.image',
  'pod.spec.containers.imagePullPolicy',
  'pod.spec.containers.command',
  'pod.spec.containers.args',
  'pod.spec.containers.workingDir',
  'pod.spec.containers.ports',
  'pod.spec.containers.ports.containerPort',
  'pod.spec.containers.ports.name',
  'pod.spec.containers.ports.protocol',
  'pod.spec.containers.ports.hostPort',
  'pod.spec.containers.env',
  'pod.spec.containers.env.name',
  'pod.spec.containers.env.value',
  'pod.spec.containers.env.valueFrom',
  'pod.spec.containers.env.valueFrom.fieldRef',
  'pod.spec.containers.env.valueFrom.fieldRef.fieldPath',
  'pod.spec.containers.env.valueFrom.resourceFieldRef',
  'pod.spec.containers.env.valueFrom.resourceFieldRef.divisor',
  'pod.spec.containers.env.valueFrom.configMapKeyRef',
  'pod.spec.containers.env.valueFrom.configMapKeyRef.key',
  'pod.spec.containers.env.valueFrom.secretKeyRef',
  'pod.spec.containers.env.valueFrom.secretKeyRef.optional',
  'pod.spec.containers.envFrom',
  'pod.spec.containers.envFrom.prefix',
  'pod.spec.containers.envFrom.configMapRef',
  'pod.spec.containers.envFrom.secretRef',
  'pod.spec.containers.resources',
  'pod.spec.containers.resources.limits',
  'pod.spec.containers.resources.requests',
  'pod.spec.containers.volumeMounts',
  'pod.spec.containers.volumeMounts.name',
  'pod.spec.containers.volumeMounts.mountPath',
  'pod.spec.containers.volumeMounts.subPath',
  'pod.spec.containers.volumeMounts.readOnly',
  'pod.spec.containers.livenessProbe',
  'pod.spec.containers.livenessProbe.httpGet',
  'pod.spec.containers.livenessProbe.httpGet.path',
  'pod.spec.containers.livenessProbe.httpGet.port',
  'pod.spec.containers.livenessProbe.httpGet.scheme',
  'pod.spec.containers.livenessProbe.httpGet.httpHeaders',
  'pod.spec.containers.livenessProbe.exec',
  'pod.spec.containers.livenessProbe.exec.command',
  'pod.spec.containers.livenessProbe.tcpSocket',
  'pod.spec.containers.livenessProbe.tcpSocket.port',
  'pod.spec.containers.livenessProbe.grpc',
  'pod.spec.containers.livenessProbe.initialDelaySeconds',
  'pod.spec.containers.livenessProbe.periodSeconds',
  'pod.spec.containers.livenessProbe.timeoutSeconds',
  'pod.spec.containers.livenessProbe.failureThreshold',
  'pod.spec.containers.livenessProbe.successThreshold',
  'pod.spec.containers.readinessProbe',
  'pod.spec.containers.startupProbe',
  'pod.spec.containers.lifecycle',
  'pod.spec.containers.lifecycle.preStop',
  'pod.spec.containers.lifecycle.preStop.sleep',
  'pod.spec.containers.lifecycle.postStart',
  'pod.spec.containers.securityContext',
  'pod.spec.containers.securityContext.runAsUser',
  'pod.spec.containers.securityContext.runAsNonRoot',
  'pod.spec.containers.securityContext.privileged',
  'pod.spec.containers.securityContext.readOnlyRootFilesystem',
  'pod.spec.containers.securityContext.allowPrivilegeEscalation',
  'pod.spec.containers.securityContext.capabilities',
  'pod.spec.containers.securityContext.capabilities.add',
  'pod.spec.containers.securityContext.seccompProfile.type',
  'pod.spec.containers.stdin',
  'pod.spec.containers.tty',
  'pod.spec.containers.terminationMessagePolicy',
  'pod.spec.initContainers',
  'pod.spec.initContainers.restartPolicy',
  'pod.spec.ephemeralContainers',
  'pod.spec.ephemeralContainers.targetContainerName',
  'pod.spec.volumes',
  'pod.spec.volumes.name',
  'pod.spec.volumes.emptyDir',
  'pod.spec.volumes.emptyDir.medium',
  'pod.spec.volumes.emptyDir.sizeLimit',
  'pod.spec.volumes.configMap',
  'pod.spec.volumes.configMap.items',
  'pod.spec.volumes.configMap.items.key',
  'pod.spec.volumes.configMap.defaultMode',
  'pod.spec.volumes.secret',
  'pod.spec.volumes.secret.secretName',
  'pod.spec.volumes.persistentVolumeClaim',
  'pod.spec.volumes.persistentVolumeClaim.claimName',
  'pod.spec.volumes.hostPath',
  'pod.spec.volumes.hostPath.path',
  'pod.spec.volumes.hostPath.type',
  'pod.spec.volumes.projected',
  'pod.spec.volumes.projected.sources',
  'pod.spec.volumes.projected.sources.serviceAccountToken',
  'pod.spec.volumes.projected.sources.serviceAccountToken.expirationSeconds',
  'pod.spec.volumes.downwardAPI',
  'pod.spec.volumes.downwardAPI.items.fieldRef',
  'pod.spec.volumes.ephemeral.volumeClaimTemplate',
  'pod.spec.restartPolicy',
  'pod.spec.terminationGracePeriodSeconds',
  'pod.spec.activeDeadlineSeconds',
  'pod.spec.dnsPolicy',
  'pod.spec.dnsConfig',
  'pod.spec.dnsConfig.options',
  'pod.spec.nodeSelector',
  'pod.spec.nodeName',
  'pod.spec.serviceAccountName',
  'pod.spec.automountServiceAccountToken',
  'pod.spec.hostNetwork',
  'pod.spec.hostname',
  'pod.spec.subdomain',
  'pod.spec.imagePullSecrets',
  'pod.spec.priorityClassName',
  'pod.spec.enableServiceLinks',
  'pod.spec.shareProcessNamespace',
  'pod.spec.securityContext',
  'pod.spec.securityContext.fsGroup',
  'pod.spec.securityContext.runAsGroup',
  'pod.spec.securityContext.supplementalGroups',
  'pod.spec.securityContext.sysctls',
  'pod.spec.affinity',
  'pod.spec.affinity.nodeAffinity',
  'pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution',
  'pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms',
  'pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions.operator',
  'pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight',
  'pod.spec.affinity.podAffinity',
  'pod.spec.affinity.podAntiAffinity',
  'pod.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.topologyKey',
  'pod.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.podAffinityTerm',
  'pod.spec.tolerations',
  'pod.spec.tolerations.key',
  'pod.spec.tolerations.operator',
  'pod.spec.tolerations.effect',
  'pod.spec.tolerations.tolerationSeconds',
  'pod.spec.topologySpreadConstraints',
  'pod.spec.topologySpreadConstraints.maxSkew',
  'pod.spec.topologySpreadConstraints.whenUnsatisfiable',
  'pod.spec.readinessGates',
  'pod.spec.hostAliases',
  'pod.status',
  'pod.status.phase',
  'pod.status.conditions',
  'pod.status.conditions.type',
  'pod.status.conditions.status',
  'pod.status.conditions.reason',
  'pod.status.podIP',
  'pod.status.podIPs',
  'pod.status.hostIP',
  'pod.status.startTime',
  'pod.status.qosClass',
  'pod.status.reason',
  'pod.status.containerStatuses',
  'pod.status.containerStatuses.ready',
  'pod.status.containerStatuses.started',
  'pod.status.containerStatuses.restartCount',
  'pod.status.containerStatuses.state',
  'pod.status.containerStatuses.state.waiting.reason',
  'pod.status.containerStatuses.state.running.startedAt',
  'pod.status.containerStatuses.state.terminated.exitCode',
  'pod.status.containerStatuses.state.terminated.reason',
  'pod.status.containerStatuses.lastState',
  'pod.status.containerStatuses.imageID',
  'pod.status.initContainerStatuses',
  // Service, Endpoints, EndpointSlice
  'service',
  'service.spec',
  'service.spec.type',
  'service.spec.selector',
  'service.spec.clusterIP',
  'service.spec.clusterIPs',
  'service.spec.ports',
  'service.spec.ports.port',
  'service.spec.ports.targetPort',
  'service.spec.ports.nodePort',
  'service.spec.ports.protocol',
  'service.spec.ports.name',
  'service.spec.ports.appProtocol',
  'service.spec.sessionAffinity',
  'service.spec.sessionAffinityConfig.clientIP.timeoutSeconds',
  'service.spec.externalTrafficPolicy',
  'service.spec.internalTrafficPolicy',
  'service.spec.externalName',
  'service.spec.externalIPs',
  'service.spec.publishNotReadyAddresses',
  'service.spec.ipFamilyPolicy',
  'service.spec.ipFamilies',
  'service.spec.loadBalancerClass',
  'service.spec.allocateLoadBalancerNodePorts',
  'service.spec.healthCheckNodePort',
  'service.spec.trafficDistribution',
  'service.status',
  'service.status.loadBalancer',
  'service.status.loadBalancer.ingress',
  'service.status.loadBalancer.ingress.ip',
  'service.status.loadBalancer.ingress.ipMode',
  'endpoints',
  'endpoints.subsets',
  'endpoints.subsets.addresses',
  'endpoints.subsets.addresses.ip',
  'endpoints.subsets.addresses.targetRef',
  'endpoints.subsets.notReadyAddresses',
  'endpoints.subsets.ports.port',
  'endpointslices',
  'endpointslices.addressType',
  'endpointslices.endpoints',
  'endpointslices.endpoints.addresses',
  'endpointslices.endpoints.conditions',
  'endpointslices.endpoints.conditions.ready',
  'endpointslices.endpoints.conditions.serving',
  'endpointslices.endpoints.conditions.terminating',
  'endpointslices.endpoints.nodeName',
  'endpointslices.endpoints.targetRef',
  'endpointslices.ports',
  'endpointslices.ports.port',
  'endpointslices.ports.name',
  // Deployment, ReplicaSet
  'deployment',
  'deployment.spec',
  'deployment.spec.replicas',
  'deployment.spec.selector',
  'deployment.spec.selector.matchLabels',
  'deployment.spec.selector.matchExpressions',
  'deployment.spec.selector.matchExpressions.operator',
  'deployment.spec.template',
  'deployment.spec.template.metadata',
  'deployment.spec.template.spec',
  'deployment.spec.strategy',
  'deployment.spec.strategy.type',
  'deployment.spec.strategy.rollingUpdate',
  'deployment.spec.strategy.rollingUpdate.maxSurge',
  'deployment.spec.strategy.rollingUpdate.maxUnavailable',
  'deployment.spec.minReadySeconds',
  'deployment.spec.revisionHistoryLimit',
  'deployment.spec.paused',
  'deployment.spec.progressDeadlineSeconds',
  'deployment.status',
  'deployment.status.replicas',
  'deployment.status.updatedReplicas',
  'deployment.status.readyReplicas',
  'deployment.status.availableReplicas',
  'deployment.status.unavailableReplicas',
  'deployment.status.observedGeneration',
  'deployment.status.conditions',
  'deployment.status.conditions.type',
  'deployment.status.conditions.reason',
  'replicaset',
  'replicaset.spec.replicas',
  'replicaset.spec.selector',
  'replicaset.spec.template',
  'replicaset.status.fullyLabeledReplicas',
  'replicaset.status.availableReplicas',
  // HorizontalPodAutoscaler (autoscaling/v2, the preferred version)
  'horizontalpodautoscaler',
  'horizontalpodautoscaler.spec.scaleTargetRef',
  'horizontalpodautoscaler.spec.minReplicas',
  'horizontalpodautoscaler.spec.metrics',
  'horizontalpodautoscaler.spec.metrics.resource.target.averageUtilization',
  'horizontalpodautoscaler.spec.metrics.pods.metric.selector',
  'horizontalpodautoscaler.spec.behavior.scaleDown.stabilizationWindowSeconds',
  'horizontalpodautoscaler.spec.behavior.scaleUp.policies.periodSeconds',
  'horizontalpodautoscaler.status.currentMetrics.resource.current.averageValue',
  'horizontalpodautoscaler.status.conditions.reason',
  // Config, identity, cluster
  'configmap',
  'configmap.data',
  'configmap.binaryData',
  'configmap.immutable',
  'secret',
  'secret.type',
  'secret.data',
  'secret.stringData',
  'secret.immutable',
  'namespace',
  'namespace.spec.finalizers',
  'namespace.status.phase',
  'namespace.status.conditions',
  'node',
  'node.spec',
  'node.spec.unschedulable',
  'node.spec.podCIDR',
  'node.spec.taints',
  'node.spec.taints.effect',
  'node.status',
  'node.status.addresses',
  'node.status.addresses.type',
  'node.status.capacity',
  'node.status.allocatable',
  'node.status.conditions',
  'node.status.conditions.type',
  'node.status.conditions.lastHeartbeatTime',
  'node.status.nodeInfo',
  'node.status.nodeInfo.kubeletVersion',
  'node.status.images',
  'serviceaccount',
  'serviceaccount.secrets',
  'serviceaccount.imagePullSecrets',
  'serviceaccount.automountServiceAccountToken',
  'lease',
  'lease.spec',
  'lease.spec.holderIdentity',
  'lease.spec.leaseDurationSeconds',
  'lease.spec.renewTime',
  'event',
  'event.involvedObject',
  'event.involvedObject.fieldPath',
  'event.reason',
  'event.message',
  'event.type',
  'event.count',
  'event.source',
  'event.reportingComponent',
  'selfsubjectreview.status.userInfo.username',
  'selfsubjectaccessreview.spec.resourceAttributes.verb',
  'selfsubjectaccessreview.status.allowed',
  'selfsubjectrulesreview.status.resourceRules',
];

test('the commonly explained field paths are described, through the v3 and the v2 documents', () => {
  assert.ok(commonPaths.length >= 150);
  for (const path of commonPaths) {
    for (const version of ['v3', 'v2'] as const) assert.ok(describe(path, version), `kubectl explain ${path} (OpenAPI ${version}) has no description`);
  }
  // Spot checks of the text: the field's own words, not its type's.
  assert.match(describe('pod.spec.containers.livenessProbe.httpGet.port', 'v3')!, /number or the name of a container port/);
  assert.match(describe('deployment.spec.strategy.rollingUpdate.maxSurge', 'v2')!, /above the desired number/);
  assert.match(describe('service.spec.ports.targetPort', 'v3')!, /Default: the same as port/);
});
