// Every field of every kind kanzen serves, as upstream k8s.io/api v0.33.0 and
// k8s.io/apimachinery v0.33.0 declare them (JSON names; Go types mapped to FieldType:
// metav1.Time/MicroTime/Duration and types.UID → string, resource.Quantity → quantity,
// intstr.IntOrString → int-or-string, FieldsV1/RawExtension → object-any, []byte → string).
// Order within a definition follows the Go struct; inline structs are flattened.
import { def, list, map, ref, type Definition } from './fieldtype.js';

export const definitions: Record<string, Definition> = {
  'io.k8s.api.core.v1.Pod': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.PodSpec'),
      status: ref('io.k8s.api.core.v1.PodStatus'),
    },
  ),
  'io.k8s.api.core.v1.Service': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.ServiceSpec'),
      status: ref('io.k8s.api.core.v1.ServiceStatus'),
    },
  ),
  'io.k8s.api.core.v1.Namespace': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.NamespaceSpec'),
      status: ref('io.k8s.api.core.v1.NamespaceStatus'),
    },
  ),
  'io.k8s.api.core.v1.Node': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.NodeSpec'),
      status: ref('io.k8s.api.core.v1.NodeStatus'),
    },
  ),
  'io.k8s.api.core.v1.Endpoints': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      subsets: list(ref('io.k8s.api.core.v1.EndpointSubset')),
    },
  ),
  'io.k8s.api.core.v1.ConfigMap': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      immutable: 'boolean',
      data: map('string'),
      binaryData: map('string'),
    },
  ),
  'io.k8s.api.core.v1.Secret': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      immutable: 'boolean',
      data: map('string'),
      stringData: map('string'),
      type: 'string',
    },
  ),
  'io.k8s.api.core.v1.ServiceAccount': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      secrets: list(ref('io.k8s.api.core.v1.ObjectReference')),
      imagePullSecrets: list(ref('io.k8s.api.core.v1.LocalObjectReference')),
      automountServiceAccountToken: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.Event': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      involvedObject: ref('io.k8s.api.core.v1.ObjectReference'),
      reason: 'string',
      message: 'string',
      source: ref('io.k8s.api.core.v1.EventSource'),
      firstTimestamp: 'string',
      lastTimestamp: 'string',
      count: 'integer',
      type: 'string',
      eventTime: 'string',
      series: ref('io.k8s.api.core.v1.EventSeries'),
      action: 'string',
      related: ref('io.k8s.api.core.v1.ObjectReference'),
      reportingComponent: 'string',
      reportingInstance: 'string',
    },
    ['metadata', 'involvedObject'],
  ),
  'io.k8s.api.apps.v1.Deployment': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.apps.v1.DeploymentSpec'),
      status: ref('io.k8s.api.apps.v1.DeploymentStatus'),
    },
  ),
  'io.k8s.api.apps.v1.ReplicaSet': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.apps.v1.ReplicaSetSpec'),
      status: ref('io.k8s.api.apps.v1.ReplicaSetStatus'),
    },
  ),
  'io.k8s.api.discovery.v1.EndpointSlice': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      addressType: 'string',
      endpoints: list(ref('io.k8s.api.discovery.v1.Endpoint')),
      ports: list(ref('io.k8s.api.discovery.v1.EndpointPort')),
    },
    ['addressType', 'endpoints'],
  ),
  'io.k8s.api.coordination.v1.Lease': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.coordination.v1.LeaseSpec'),
    },
  ),
  // authorization.k8s.io/v1 and authentication.k8s.io/v1 reviews (kubectl auth can-i / whoami).
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec'),
      status: ref('io.k8s.api.authorization.v1.SubjectAccessReviewStatus'),
    },
    ['spec'],
  ),
  'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec': def({
    resourceAttributes: ref('io.k8s.api.authorization.v1.ResourceAttributes'),
    nonResourceAttributes: ref('io.k8s.api.authorization.v1.NonResourceAttributes'),
  }),
  'io.k8s.api.authorization.v1.ResourceAttributes': def({
    namespace: 'string',
    verb: 'string',
    group: 'string',
    version: 'string',
    resource: 'string',
    subresource: 'string',
    name: 'string',
  }),
  'io.k8s.api.authorization.v1.NonResourceAttributes': def({ path: 'string', verb: 'string' }),
  'io.k8s.api.authorization.v1.SubjectAccessReviewStatus': def({ allowed: 'boolean', denied: 'boolean', reason: 'string', evaluationError: 'string' }, ['allowed']),
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec'),
      status: ref('io.k8s.api.authorization.v1.SubjectRulesReviewStatus'),
    },
    ['spec'],
  ),
  'io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec': def({ namespace: 'string' }),
  'io.k8s.api.authorization.v1.SubjectRulesReviewStatus': def(
    {
      resourceRules: list(ref('io.k8s.api.authorization.v1.ResourceRule')),
      nonResourceRules: list(ref('io.k8s.api.authorization.v1.NonResourceRule')),
      incomplete: 'boolean',
      evaluationError: 'string',
    },
    ['resourceRules', 'nonResourceRules', 'incomplete'],
  ),
  'io.k8s.api.authorization.v1.ResourceRule': def({ verbs: list('string'), apiGroups: list('string'), resources: list('string'), resourceNames: list('string') }, ['verbs']),
  'io.k8s.api.authorization.v1.NonResourceRule': def({ verbs: list('string'), nonResourceURLs: list('string') }, ['verbs']),
  'io.k8s.api.authentication.v1.SelfSubjectReview': def({
    apiVersion: 'string',
    kind: 'string',
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    status: ref('io.k8s.api.authentication.v1.SelfSubjectReviewStatus'),
  }),
  'io.k8s.api.authentication.v1.SelfSubjectReviewStatus': def({ userInfo: ref('io.k8s.api.authentication.v1.UserInfo') }),
  'io.k8s.api.authentication.v1.UserInfo': def({ username: 'string', uid: 'string', groups: list('string'), extra: map(list('string')) }),
  'io.k8s.api.autoscaling.v1.Scale': def(
    {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.autoscaling.v1.ScaleSpec'),
      status: ref('io.k8s.api.autoscaling.v1.ScaleStatus'),
    },
  ),
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': def(
    {
      selfLink: 'string',
      resourceVersion: 'string',
      continue: 'string',
      remainingItemCount: 'integer',
    },
  ),
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': def(
    {
      name: 'string',
      generateName: 'string',
      namespace: 'string',
      selfLink: 'string',
      uid: 'string',
      resourceVersion: 'string',
      generation: 'integer',
      creationTimestamp: 'string',
      deletionTimestamp: 'string',
      deletionGracePeriodSeconds: 'integer',
      labels: map('string'),
      annotations: map('string'),
      ownerReferences: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference')),
      finalizers: list('string'),
      managedFields: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry')),
    },
  ),
  'io.k8s.api.core.v1.PodSpec': def(
    {
      volumes: list(ref('io.k8s.api.core.v1.Volume')),
      initContainers: list(ref('io.k8s.api.core.v1.Container')),
      containers: list(ref('io.k8s.api.core.v1.Container')),
      ephemeralContainers: list(ref('io.k8s.api.core.v1.EphemeralContainer')),
      restartPolicy: 'string',
      terminationGracePeriodSeconds: 'integer',
      activeDeadlineSeconds: 'integer',
      dnsPolicy: 'string',
      nodeSelector: map('string'),
      serviceAccountName: 'string',
      serviceAccount: 'string',
      automountServiceAccountToken: 'boolean',
      nodeName: 'string',
      hostNetwork: 'boolean',
      hostPID: 'boolean',
      hostIPC: 'boolean',
      shareProcessNamespace: 'boolean',
      securityContext: ref('io.k8s.api.core.v1.PodSecurityContext'),
      imagePullSecrets: list(ref('io.k8s.api.core.v1.LocalObjectReference')),
      hostname: 'string',
      subdomain: 'string',
      affinity: ref('io.k8s.api.core.v1.Affinity'),
      schedulerName: 'string',
      tolerations: list(ref('io.k8s.api.core.v1.Toleration')),
      hostAliases: list(ref('io.k8s.api.core.v1.HostAlias')),
      priorityClassName: 'string',
      priority: 'integer',
      dnsConfig: ref('io.k8s.api.core.v1.PodDNSConfig'),
      readinessGates: list(ref('io.k8s.api.core.v1.PodReadinessGate')),
      runtimeClassName: 'string',
      enableServiceLinks: 'boolean',
      preemptionPolicy: 'string',
      overhead: map('quantity'),
      topologySpreadConstraints: list(ref('io.k8s.api.core.v1.TopologySpreadConstraint')),
      setHostnameAsFQDN: 'boolean',
      os: ref('io.k8s.api.core.v1.PodOS'),
      hostUsers: 'boolean',
      schedulingGates: list(ref('io.k8s.api.core.v1.PodSchedulingGate')),
      resourceClaims: list(ref('io.k8s.api.core.v1.PodResourceClaim')),
      resources: ref('io.k8s.api.core.v1.ResourceRequirements'),
    },
    ['containers'],
  ),
  'io.k8s.api.core.v1.PodStatus': def(
    {
      observedGeneration: 'integer',
      phase: 'string',
      conditions: list(ref('io.k8s.api.core.v1.PodCondition')),
      message: 'string',
      reason: 'string',
      nominatedNodeName: 'string',
      hostIP: 'string',
      hostIPs: list(ref('io.k8s.api.core.v1.HostIP')),
      podIP: 'string',
      podIPs: list(ref('io.k8s.api.core.v1.PodIP')),
      startTime: 'string',
      initContainerStatuses: list(ref('io.k8s.api.core.v1.ContainerStatus')),
      containerStatuses: list(ref('io.k8s.api.core.v1.ContainerStatus')),
      qosClass: 'string',
      ephemeralContainerStatuses: list(ref('io.k8s.api.core.v1.ContainerStatus')),
      resize: 'string',
      resourceClaimStatuses: list(ref('io.k8s.api.core.v1.PodResourceClaimStatus')),
    },
  ),
  'io.k8s.api.core.v1.ServiceSpec': def(
    {
      ports: list(ref('io.k8s.api.core.v1.ServicePort')),
      selector: map('string'),
      clusterIP: 'string',
      clusterIPs: list('string'),
      type: 'string',
      externalIPs: list('string'),
      sessionAffinity: 'string',
      loadBalancerIP: 'string',
      loadBalancerSourceRanges: list('string'),
      externalName: 'string',
      externalTrafficPolicy: 'string',
      healthCheckNodePort: 'integer',
      publishNotReadyAddresses: 'boolean',
      sessionAffinityConfig: ref('io.k8s.api.core.v1.SessionAffinityConfig'),
      ipFamilies: list('string'),
      ipFamilyPolicy: 'string',
      allocateLoadBalancerNodePorts: 'boolean',
      loadBalancerClass: 'string',
      internalTrafficPolicy: 'string',
      trafficDistribution: 'string',
    },
  ),
  'io.k8s.api.core.v1.ServiceStatus': def(
    {
      loadBalancer: ref('io.k8s.api.core.v1.LoadBalancerStatus'),
      conditions: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Condition')),
    },
  ),
  'io.k8s.api.core.v1.NamespaceSpec': def(
    {
      finalizers: list('string'),
    },
  ),
  'io.k8s.api.core.v1.NamespaceStatus': def(
    {
      phase: 'string',
      conditions: list(ref('io.k8s.api.core.v1.NamespaceCondition')),
    },
  ),
  'io.k8s.api.core.v1.NodeSpec': def(
    {
      podCIDR: 'string',
      podCIDRs: list('string'),
      providerID: 'string',
      unschedulable: 'boolean',
      taints: list(ref('io.k8s.api.core.v1.Taint')),
      configSource: ref('io.k8s.api.core.v1.NodeConfigSource'),
      externalID: 'string',
    },
  ),
  'io.k8s.api.core.v1.NodeStatus': def(
    {
      capacity: map('quantity'),
      allocatable: map('quantity'),
      phase: 'string',
      conditions: list(ref('io.k8s.api.core.v1.NodeCondition')),
      addresses: list(ref('io.k8s.api.core.v1.NodeAddress')),
      daemonEndpoints: ref('io.k8s.api.core.v1.NodeDaemonEndpoints'),
      nodeInfo: ref('io.k8s.api.core.v1.NodeSystemInfo'),
      images: list(ref('io.k8s.api.core.v1.ContainerImage')),
      volumesInUse: list('string'),
      volumesAttached: list(ref('io.k8s.api.core.v1.AttachedVolume')),
      config: ref('io.k8s.api.core.v1.NodeConfigStatus'),
      runtimeHandlers: list(ref('io.k8s.api.core.v1.NodeRuntimeHandler')),
      features: ref('io.k8s.api.core.v1.NodeFeatures'),
    },
  ),
  'io.k8s.api.core.v1.EndpointSubset': def(
    {
      addresses: list(ref('io.k8s.api.core.v1.EndpointAddress')),
      notReadyAddresses: list(ref('io.k8s.api.core.v1.EndpointAddress')),
      ports: list(ref('io.k8s.api.core.v1.EndpointPort')),
    },
  ),
  'io.k8s.api.core.v1.ObjectReference': def(
    {
      kind: 'string',
      namespace: 'string',
      name: 'string',
      uid: 'string',
      apiVersion: 'string',
      resourceVersion: 'string',
      fieldPath: 'string',
    },
  ),
  'io.k8s.api.core.v1.LocalObjectReference': def(
    {
      name: 'string',
    },
  ),
  'io.k8s.api.core.v1.EventSource': def(
    {
      component: 'string',
      host: 'string',
    },
  ),
  'io.k8s.api.core.v1.EventSeries': def(
    {
      count: 'integer',
      lastObservedTime: 'string',
    },
  ),
  'io.k8s.api.apps.v1.DeploymentSpec': def(
    {
      replicas: 'integer',
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
      strategy: ref('io.k8s.api.apps.v1.DeploymentStrategy'),
      minReadySeconds: 'integer',
      revisionHistoryLimit: 'integer',
      paused: 'boolean',
      progressDeadlineSeconds: 'integer',
    },
    ['selector', 'template'],
  ),
  'io.k8s.api.apps.v1.DeploymentStatus': def(
    {
      observedGeneration: 'integer',
      replicas: 'integer',
      updatedReplicas: 'integer',
      readyReplicas: 'integer',
      availableReplicas: 'integer',
      unavailableReplicas: 'integer',
      terminatingReplicas: 'integer',
      conditions: list(ref('io.k8s.api.apps.v1.DeploymentCondition')),
      collisionCount: 'integer',
    },
  ),
  'io.k8s.api.apps.v1.ReplicaSetSpec': def(
    {
      replicas: 'integer',
      minReadySeconds: 'integer',
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      template: ref('io.k8s.api.core.v1.PodTemplateSpec'),
    },
    ['selector'],
  ),
  'io.k8s.api.apps.v1.ReplicaSetStatus': def(
    {
      replicas: 'integer',
      fullyLabeledReplicas: 'integer',
      readyReplicas: 'integer',
      availableReplicas: 'integer',
      terminatingReplicas: 'integer',
      observedGeneration: 'integer',
      conditions: list(ref('io.k8s.api.apps.v1.ReplicaSetCondition')),
    },
    ['replicas'],
  ),
  'io.k8s.api.discovery.v1.Endpoint': def(
    {
      addresses: list('string'),
      conditions: ref('io.k8s.api.discovery.v1.EndpointConditions'),
      hostname: 'string',
      targetRef: ref('io.k8s.api.core.v1.ObjectReference'),
      deprecatedTopology: map('string'),
      nodeName: 'string',
      zone: 'string',
      hints: ref('io.k8s.api.discovery.v1.EndpointHints'),
    },
    ['addresses'],
  ),
  'io.k8s.api.discovery.v1.EndpointPort': def(
    {
      name: 'string',
      protocol: 'string',
      port: 'integer',
      appProtocol: 'string',
    },
  ),
  'io.k8s.api.coordination.v1.LeaseSpec': def(
    {
      holderIdentity: 'string',
      leaseDurationSeconds: 'integer',
      acquireTime: 'string',
      renewTime: 'string',
      leaseTransitions: 'integer',
      strategy: 'string',
      preferredHolder: 'string',
    },
  ),
  'io.k8s.api.autoscaling.v1.ScaleSpec': def(
    {
      replicas: 'integer',
    },
  ),
  'io.k8s.api.autoscaling.v1.ScaleStatus': def(
    {
      replicas: 'integer',
      selector: 'string',
    },
    ['replicas'],
  ),
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': def(
    {
      apiVersion: 'string',
      kind: 'string',
      name: 'string',
      uid: 'string',
      controller: 'boolean',
      blockOwnerDeletion: 'boolean',
    },
    ['name', 'uid'],
  ),
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': def(
    {
      manager: 'string',
      operation: 'string',
      apiVersion: 'string',
      time: 'string',
      fieldsType: 'string',
      fieldsV1: 'object-any',
      subresource: 'string',
    },
  ),
  'io.k8s.api.core.v1.Volume': def(
    {
      name: 'string',
      hostPath: ref('io.k8s.api.core.v1.HostPathVolumeSource'),
      emptyDir: ref('io.k8s.api.core.v1.EmptyDirVolumeSource'),
      gcePersistentDisk: ref('io.k8s.api.core.v1.GCEPersistentDiskVolumeSource'),
      awsElasticBlockStore: ref('io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource'),
      gitRepo: ref('io.k8s.api.core.v1.GitRepoVolumeSource'),
      secret: ref('io.k8s.api.core.v1.SecretVolumeSource'),
      nfs: ref('io.k8s.api.core.v1.NFSVolumeSource'),
      iscsi: ref('io.k8s.api.core.v1.ISCSIVolumeSource'),
      glusterfs: ref('io.k8s.api.core.v1.GlusterfsVolumeSource'),
      persistentVolumeClaim: ref('io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource'),
      rbd: ref('io.k8s.api.core.v1.RBDVolumeSource'),
      flexVolume: ref('io.k8s.api.core.v1.FlexVolumeSource'),
      cinder: ref('io.k8s.api.core.v1.CinderVolumeSource'),
      cephfs: ref('io.k8s.api.core.v1.CephFSVolumeSource'),
      flocker: ref('io.k8s.api.core.v1.FlockerVolumeSource'),
      downwardAPI: ref('io.k8s.api.core.v1.DownwardAPIVolumeSource'),
      fc: ref('io.k8s.api.core.v1.FCVolumeSource'),
      azureFile: ref('io.k8s.api.core.v1.AzureFileVolumeSource'),
      configMap: ref('io.k8s.api.core.v1.ConfigMapVolumeSource'),
      vsphereVolume: ref('io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource'),
      quobyte: ref('io.k8s.api.core.v1.QuobyteVolumeSource'),
      azureDisk: ref('io.k8s.api.core.v1.AzureDiskVolumeSource'),
      photonPersistentDisk: ref('io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource'),
      projected: ref('io.k8s.api.core.v1.ProjectedVolumeSource'),
      portworxVolume: ref('io.k8s.api.core.v1.PortworxVolumeSource'),
      scaleIO: ref('io.k8s.api.core.v1.ScaleIOVolumeSource'),
      storageos: ref('io.k8s.api.core.v1.StorageOSVolumeSource'),
      csi: ref('io.k8s.api.core.v1.CSIVolumeSource'),
      ephemeral: ref('io.k8s.api.core.v1.EphemeralVolumeSource'),
      image: ref('io.k8s.api.core.v1.ImageVolumeSource'),
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.Container': def(
    {
      name: 'string',
      image: 'string',
      command: list('string'),
      args: list('string'),
      workingDir: 'string',
      ports: list(ref('io.k8s.api.core.v1.ContainerPort')),
      envFrom: list(ref('io.k8s.api.core.v1.EnvFromSource')),
      env: list(ref('io.k8s.api.core.v1.EnvVar')),
      resources: ref('io.k8s.api.core.v1.ResourceRequirements'),
      resizePolicy: list(ref('io.k8s.api.core.v1.ContainerResizePolicy')),
      restartPolicy: 'string',
      volumeMounts: list(ref('io.k8s.api.core.v1.VolumeMount')),
      volumeDevices: list(ref('io.k8s.api.core.v1.VolumeDevice')),
      livenessProbe: ref('io.k8s.api.core.v1.Probe'),
      readinessProbe: ref('io.k8s.api.core.v1.Probe'),
      startupProbe: ref('io.k8s.api.core.v1.Probe'),
      lifecycle: ref('io.k8s.api.core.v1.Lifecycle'),
      terminationMessagePath: 'string',
      terminationMessagePolicy: 'string',
      imagePullPolicy: 'string',
      securityContext: ref('io.k8s.api.core.v1.SecurityContext'),
      stdin: 'boolean',
      stdinOnce: 'boolean',
      tty: 'boolean',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.EphemeralContainer': def(
    {
      name: 'string',
      image: 'string',
      command: list('string'),
      args: list('string'),
      workingDir: 'string',
      ports: list(ref('io.k8s.api.core.v1.ContainerPort')),
      envFrom: list(ref('io.k8s.api.core.v1.EnvFromSource')),
      env: list(ref('io.k8s.api.core.v1.EnvVar')),
      resources: ref('io.k8s.api.core.v1.ResourceRequirements'),
      resizePolicy: list(ref('io.k8s.api.core.v1.ContainerResizePolicy')),
      restartPolicy: 'string',
      volumeMounts: list(ref('io.k8s.api.core.v1.VolumeMount')),
      volumeDevices: list(ref('io.k8s.api.core.v1.VolumeDevice')),
      livenessProbe: ref('io.k8s.api.core.v1.Probe'),
      readinessProbe: ref('io.k8s.api.core.v1.Probe'),
      startupProbe: ref('io.k8s.api.core.v1.Probe'),
      lifecycle: ref('io.k8s.api.core.v1.Lifecycle'),
      terminationMessagePath: 'string',
      terminationMessagePolicy: 'string',
      imagePullPolicy: 'string',
      securityContext: ref('io.k8s.api.core.v1.SecurityContext'),
      stdin: 'boolean',
      stdinOnce: 'boolean',
      tty: 'boolean',
      targetContainerName: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.PodSecurityContext': def(
    {
      seLinuxOptions: ref('io.k8s.api.core.v1.SELinuxOptions'),
      windowsOptions: ref('io.k8s.api.core.v1.WindowsSecurityContextOptions'),
      runAsUser: 'integer',
      runAsGroup: 'integer',
      runAsNonRoot: 'boolean',
      supplementalGroups: list('integer'),
      supplementalGroupsPolicy: 'string',
      fsGroup: 'integer',
      sysctls: list(ref('io.k8s.api.core.v1.Sysctl')),
      fsGroupChangePolicy: 'string',
      seccompProfile: ref('io.k8s.api.core.v1.SeccompProfile'),
      appArmorProfile: ref('io.k8s.api.core.v1.AppArmorProfile'),
      seLinuxChangePolicy: 'string',
    },
  ),
  'io.k8s.api.core.v1.Affinity': def(
    {
      nodeAffinity: ref('io.k8s.api.core.v1.NodeAffinity'),
      podAffinity: ref('io.k8s.api.core.v1.PodAffinity'),
      podAntiAffinity: ref('io.k8s.api.core.v1.PodAntiAffinity'),
    },
  ),
  'io.k8s.api.core.v1.Toleration': def(
    {
      key: 'string',
      operator: 'string',
      value: 'string',
      effect: 'string',
      tolerationSeconds: 'integer',
    },
  ),
  'io.k8s.api.core.v1.HostAlias': def(
    {
      ip: 'string',
      hostnames: list('string'),
    },
    ['ip'],
  ),
  'io.k8s.api.core.v1.PodDNSConfig': def(
    {
      nameservers: list('string'),
      searches: list('string'),
      options: list(ref('io.k8s.api.core.v1.PodDNSConfigOption')),
    },
  ),
  'io.k8s.api.core.v1.PodReadinessGate': def(
    {
      conditionType: 'string',
    },
    ['conditionType'],
  ),
  'io.k8s.api.core.v1.TopologySpreadConstraint': def(
    {
      maxSkew: 'integer',
      topologyKey: 'string',
      whenUnsatisfiable: 'string',
      labelSelector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      minDomains: 'integer',
      nodeAffinityPolicy: 'string',
      nodeTaintsPolicy: 'string',
      matchLabelKeys: list('string'),
    },
    ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
  ),
  'io.k8s.api.core.v1.PodOS': def(
    {
      name: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.PodSchedulingGate': def(
    {
      name: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.PodResourceClaim': def(
    {
      name: 'string',
      resourceClaimName: 'string',
      resourceClaimTemplateName: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.ResourceRequirements': def(
    {
      limits: map('quantity'),
      requests: map('quantity'),
      claims: list(ref('io.k8s.api.core.v1.ResourceClaim')),
    },
  ),
  'io.k8s.api.core.v1.PodCondition': def(
    {
      type: 'string',
      observedGeneration: 'integer',
      status: 'string',
      lastProbeTime: 'string',
      lastTransitionTime: 'string',
      reason: 'string',
      message: 'string',
    },
    ['type', 'status'],
  ),
  'io.k8s.api.core.v1.HostIP': def(
    {
      ip: 'string',
    },
    ['ip'],
  ),
  'io.k8s.api.core.v1.PodIP': def(
    {
      ip: 'string',
    },
    ['ip'],
  ),
  'io.k8s.api.core.v1.ContainerStatus': def(
    {
      name: 'string',
      state: ref('io.k8s.api.core.v1.ContainerState'),
      lastState: ref('io.k8s.api.core.v1.ContainerState'),
      ready: 'boolean',
      restartCount: 'integer',
      image: 'string',
      imageID: 'string',
      containerID: 'string',
      started: 'boolean',
      allocatedResources: map('quantity'),
      resources: ref('io.k8s.api.core.v1.ResourceRequirements'),
      volumeMounts: list(ref('io.k8s.api.core.v1.VolumeMountStatus')),
      user: ref('io.k8s.api.core.v1.ContainerUser'),
      allocatedResourcesStatus: list(ref('io.k8s.api.core.v1.ResourceStatus')),
      stopSignal: 'string',
    },
    ['name', 'ready', 'restartCount', 'image', 'imageID'],
  ),
  'io.k8s.api.core.v1.PodResourceClaimStatus': def(
    {
      name: 'string',
      resourceClaimName: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.ServicePort': def(
    {
      name: 'string',
      protocol: 'string',
      appProtocol: 'string',
      port: 'integer',
      targetPort: 'int-or-string',
      nodePort: 'integer',
    },
    ['port'],
  ),
  'io.k8s.api.core.v1.SessionAffinityConfig': def(
    {
      clientIP: ref('io.k8s.api.core.v1.ClientIPConfig'),
    },
  ),
  'io.k8s.api.core.v1.LoadBalancerStatus': def(
    {
      ingress: list(ref('io.k8s.api.core.v1.LoadBalancerIngress')),
    },
  ),
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': def(
    {
      type: 'string',
      status: 'string',
      observedGeneration: 'integer',
      lastTransitionTime: 'string',
      reason: 'string',
      message: 'string',
    },
    ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  ),
  'io.k8s.api.core.v1.NamespaceCondition': def(
    {
      type: 'string',
      status: 'string',
      lastTransitionTime: 'string',
      reason: 'string',
      message: 'string',
    },
    ['type', 'status'],
  ),
  'io.k8s.api.core.v1.Taint': def(
    {
      key: 'string',
      value: 'string',
      effect: 'string',
      timeAdded: 'string',
    },
    ['key', 'effect'],
  ),
  'io.k8s.api.core.v1.NodeConfigSource': def(
    {
      configMap: ref('io.k8s.api.core.v1.ConfigMapNodeConfigSource'),
    },
  ),
  'io.k8s.api.core.v1.NodeCondition': def(
    {
      type: 'string',
      status: 'string',
      lastHeartbeatTime: 'string',
      lastTransitionTime: 'string',
      reason: 'string',
      message: 'string',
    },
    ['type', 'status'],
  ),
  'io.k8s.api.core.v1.NodeAddress': def(
    {
      type: 'string',
      address: 'string',
    },
    ['type', 'address'],
  ),
  'io.k8s.api.core.v1.NodeDaemonEndpoints': def(
    {
      kubeletEndpoint: ref('io.k8s.api.core.v1.DaemonEndpoint'),
    },
  ),
  'io.k8s.api.core.v1.NodeSystemInfo': def(
    {
      machineID: 'string',
      systemUUID: 'string',
      bootID: 'string',
      kernelVersion: 'string',
      osImage: 'string',
      containerRuntimeVersion: 'string',
      kubeletVersion: 'string',
      kubeProxyVersion: 'string',
      operatingSystem: 'string',
      architecture: 'string',
      swap: ref('io.k8s.api.core.v1.NodeSwapStatus'),
    },
    ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'],
  ),
  'io.k8s.api.core.v1.ContainerImage': def(
    {
      names: list('string'),
      sizeBytes: 'integer',
    },
  ),
  'io.k8s.api.core.v1.AttachedVolume': def(
    {
      name: 'string',
      devicePath: 'string',
    },
    ['name', 'devicePath'],
  ),
  'io.k8s.api.core.v1.NodeConfigStatus': def(
    {
      assigned: ref('io.k8s.api.core.v1.NodeConfigSource'),
      active: ref('io.k8s.api.core.v1.NodeConfigSource'),
      lastKnownGood: ref('io.k8s.api.core.v1.NodeConfigSource'),
      error: 'string',
    },
  ),
  'io.k8s.api.core.v1.NodeRuntimeHandler': def(
    {
      name: 'string',
      features: ref('io.k8s.api.core.v1.NodeRuntimeHandlerFeatures'),
    },
  ),
  'io.k8s.api.core.v1.NodeFeatures': def(
    {
      supplementalGroupsPolicy: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.EndpointAddress': def(
    {
      ip: 'string',
      hostname: 'string',
      nodeName: 'string',
      targetRef: ref('io.k8s.api.core.v1.ObjectReference'),
    },
    ['ip'],
  ),
  'io.k8s.api.core.v1.EndpointPort': def(
    {
      name: 'string',
      port: 'integer',
      protocol: 'string',
      appProtocol: 'string',
    },
    ['port'],
  ),
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': def(
    {
      matchLabels: map('string'),
      matchExpressions: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement')),
    },
  ),
  'io.k8s.api.core.v1.PodTemplateSpec': def(
    {
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.PodSpec'),
    },
  ),
  'io.k8s.api.apps.v1.DeploymentStrategy': def(
    {
      type: 'string',
      rollingUpdate: ref('io.k8s.api.apps.v1.RollingUpdateDeployment'),
    },
  ),
  'io.k8s.api.apps.v1.DeploymentCondition': def(
    {
      type: 'string',
      status: 'string',
      lastUpdateTime: 'string',
      lastTransitionTime: 'string',
      reason: 'string',
      message: 'string',
    },
    ['type', 'status'],
  ),
  'io.k8s.api.apps.v1.ReplicaSetCondition': def(
    {
      type: 'string',
      status: 'string',
      lastTransitionTime: 'string',
      reason: 'string',
      message: 'string',
    },
    ['type', 'status'],
  ),
  'io.k8s.api.discovery.v1.EndpointConditions': def(
    {
      ready: 'boolean',
      serving: 'boolean',
      terminating: 'boolean',
    },
  ),
  'io.k8s.api.discovery.v1.EndpointHints': def(
    {
      forZones: list(ref('io.k8s.api.discovery.v1.ForZone')),
      forNodes: list(ref('io.k8s.api.discovery.v1.ForNode')),
    },
  ),
  'io.k8s.api.core.v1.HostPathVolumeSource': def(
    {
      path: 'string',
      type: 'string',
    },
    ['path'],
  ),
  'io.k8s.api.core.v1.EmptyDirVolumeSource': def(
    {
      medium: 'string',
      sizeLimit: 'quantity',
    },
  ),
  'io.k8s.api.core.v1.GCEPersistentDiskVolumeSource': def(
    {
      pdName: 'string',
      fsType: 'string',
      partition: 'integer',
      readOnly: 'boolean',
    },
    ['pdName'],
  ),
  'io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource': def(
    {
      volumeID: 'string',
      fsType: 'string',
      partition: 'integer',
      readOnly: 'boolean',
    },
    ['volumeID'],
  ),
  'io.k8s.api.core.v1.GitRepoVolumeSource': def(
    {
      repository: 'string',
      revision: 'string',
      directory: 'string',
    },
    ['repository'],
  ),
  'io.k8s.api.core.v1.SecretVolumeSource': def(
    {
      secretName: 'string',
      items: list(ref('io.k8s.api.core.v1.KeyToPath')),
      defaultMode: 'integer',
      optional: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.NFSVolumeSource': def(
    {
      server: 'string',
      path: 'string',
      readOnly: 'boolean',
    },
    ['server', 'path'],
  ),
  'io.k8s.api.core.v1.ISCSIVolumeSource': def(
    {
      targetPortal: 'string',
      iqn: 'string',
      lun: 'integer',
      iscsiInterface: 'string',
      fsType: 'string',
      readOnly: 'boolean',
      portals: list('string'),
      chapAuthDiscovery: 'boolean',
      chapAuthSession: 'boolean',
      secretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
      initiatorName: 'string',
    },
    ['targetPortal', 'iqn', 'lun'],
  ),
  'io.k8s.api.core.v1.GlusterfsVolumeSource': def(
    {
      endpoints: 'string',
      path: 'string',
      readOnly: 'boolean',
    },
    ['endpoints', 'path'],
  ),
  'io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource': def(
    {
      claimName: 'string',
      readOnly: 'boolean',
    },
    ['claimName'],
  ),
  'io.k8s.api.core.v1.RBDVolumeSource': def(
    {
      monitors: list('string'),
      image: 'string',
      fsType: 'string',
      pool: 'string',
      user: 'string',
      keyring: 'string',
      secretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
      readOnly: 'boolean',
    },
    ['monitors', 'image'],
  ),
  'io.k8s.api.core.v1.FlexVolumeSource': def(
    {
      driver: 'string',
      fsType: 'string',
      secretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
      readOnly: 'boolean',
      options: map('string'),
    },
    ['driver'],
  ),
  'io.k8s.api.core.v1.CinderVolumeSource': def(
    {
      volumeID: 'string',
      fsType: 'string',
      readOnly: 'boolean',
      secretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
    },
    ['volumeID'],
  ),
  'io.k8s.api.core.v1.CephFSVolumeSource': def(
    {
      monitors: list('string'),
      path: 'string',
      user: 'string',
      secretFile: 'string',
      secretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
      readOnly: 'boolean',
    },
    ['monitors'],
  ),
  'io.k8s.api.core.v1.FlockerVolumeSource': def(
    {
      datasetName: 'string',
      datasetUUID: 'string',
    },
  ),
  'io.k8s.api.core.v1.DownwardAPIVolumeSource': def(
    {
      items: list(ref('io.k8s.api.core.v1.DownwardAPIVolumeFile')),
      defaultMode: 'integer',
    },
  ),
  'io.k8s.api.core.v1.FCVolumeSource': def(
    {
      targetWWNs: list('string'),
      lun: 'integer',
      fsType: 'string',
      readOnly: 'boolean',
      wwids: list('string'),
    },
  ),
  'io.k8s.api.core.v1.AzureFileVolumeSource': def(
    {
      secretName: 'string',
      shareName: 'string',
      readOnly: 'boolean',
    },
    ['secretName', 'shareName'],
  ),
  'io.k8s.api.core.v1.ConfigMapVolumeSource': def(
    {
      name: 'string',
      items: list(ref('io.k8s.api.core.v1.KeyToPath')),
      defaultMode: 'integer',
      optional: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource': def(
    {
      volumePath: 'string',
      fsType: 'string',
      storagePolicyName: 'string',
      storagePolicyID: 'string',
    },
    ['volumePath'],
  ),
  'io.k8s.api.core.v1.QuobyteVolumeSource': def(
    {
      registry: 'string',
      volume: 'string',
      readOnly: 'boolean',
      user: 'string',
      group: 'string',
      tenant: 'string',
    },
    ['registry', 'volume'],
  ),
  'io.k8s.api.core.v1.AzureDiskVolumeSource': def(
    {
      diskName: 'string',
      diskURI: 'string',
      cachingMode: 'string',
      fsType: 'string',
      readOnly: 'boolean',
      kind: 'string',
    },
    ['diskName', 'diskURI'],
  ),
  'io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource': def(
    {
      pdID: 'string',
      fsType: 'string',
    },
    ['pdID'],
  ),
  'io.k8s.api.core.v1.ProjectedVolumeSource': def(
    {
      sources: list(ref('io.k8s.api.core.v1.VolumeProjection')),
      defaultMode: 'integer',
    },
  ),
  'io.k8s.api.core.v1.PortworxVolumeSource': def(
    {
      volumeID: 'string',
      fsType: 'string',
      readOnly: 'boolean',
    },
    ['volumeID'],
  ),
  'io.k8s.api.core.v1.ScaleIOVolumeSource': def(
    {
      gateway: 'string',
      system: 'string',
      secretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
      sslEnabled: 'boolean',
      protectionDomain: 'string',
      storagePool: 'string',
      storageMode: 'string',
      volumeName: 'string',
      fsType: 'string',
      readOnly: 'boolean',
    },
    ['gateway', 'system', 'secretRef'],
  ),
  'io.k8s.api.core.v1.StorageOSVolumeSource': def(
    {
      volumeName: 'string',
      volumeNamespace: 'string',
      fsType: 'string',
      readOnly: 'boolean',
      secretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
    },
  ),
  'io.k8s.api.core.v1.CSIVolumeSource': def(
    {
      driver: 'string',
      readOnly: 'boolean',
      fsType: 'string',
      volumeAttributes: map('string'),
      nodePublishSecretRef: ref('io.k8s.api.core.v1.LocalObjectReference'),
    },
    ['driver'],
  ),
  'io.k8s.api.core.v1.EphemeralVolumeSource': def(
    {
      volumeClaimTemplate: ref('io.k8s.api.core.v1.PersistentVolumeClaimTemplate'),
    },
  ),
  'io.k8s.api.core.v1.ImageVolumeSource': def(
    {
      reference: 'string',
      pullPolicy: 'string',
    },
  ),
  'io.k8s.api.core.v1.ContainerPort': def(
    {
      name: 'string',
      hostPort: 'integer',
      containerPort: 'integer',
      protocol: 'string',
      hostIP: 'string',
    },
    ['containerPort'],
  ),
  'io.k8s.api.core.v1.EnvFromSource': def(
    {
      prefix: 'string',
      configMapRef: ref('io.k8s.api.core.v1.ConfigMapEnvSource'),
      secretRef: ref('io.k8s.api.core.v1.SecretEnvSource'),
    },
  ),
  'io.k8s.api.core.v1.EnvVar': def(
    {
      name: 'string',
      value: 'string',
      valueFrom: ref('io.k8s.api.core.v1.EnvVarSource'),
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.ContainerResizePolicy': def(
    {
      resourceName: 'string',
      restartPolicy: 'string',
    },
    ['resourceName', 'restartPolicy'],
  ),
  'io.k8s.api.core.v1.VolumeMount': def(
    {
      name: 'string',
      readOnly: 'boolean',
      recursiveReadOnly: 'string',
      mountPath: 'string',
      subPath: 'string',
      mountPropagation: 'string',
      subPathExpr: 'string',
    },
    ['name', 'mountPath'],
  ),
  'io.k8s.api.core.v1.VolumeDevice': def(
    {
      name: 'string',
      devicePath: 'string',
    },
    ['name', 'devicePath'],
  ),
  'io.k8s.api.core.v1.Probe': def(
    {
      exec: ref('io.k8s.api.core.v1.ExecAction'),
      httpGet: ref('io.k8s.api.core.v1.HTTPGetAction'),
      tcpSocket: ref('io.k8s.api.core.v1.TCPSocketAction'),
      grpc: ref('io.k8s.api.core.v1.GRPCAction'),
      initialDelaySeconds: 'integer',
      timeoutSeconds: 'integer',
      periodSeconds: 'integer',
      successThreshold: 'integer',
      failureThreshold: 'integer',
      terminationGracePeriodSeconds: 'integer',
    },
  ),
  'io.k8s.api.core.v1.Lifecycle': def(
    {
      postStart: ref('io.k8s.api.core.v1.LifecycleHandler'),
      preStop: ref('io.k8s.api.core.v1.LifecycleHandler'),
      stopSignal: 'string',
    },
  ),
  'io.k8s.api.core.v1.SecurityContext': def(
    {
      capabilities: ref('io.k8s.api.core.v1.Capabilities'),
      privileged: 'boolean',
      seLinuxOptions: ref('io.k8s.api.core.v1.SELinuxOptions'),
      windowsOptions: ref('io.k8s.api.core.v1.WindowsSecurityContextOptions'),
      runAsUser: 'integer',
      runAsGroup: 'integer',
      runAsNonRoot: 'boolean',
      readOnlyRootFilesystem: 'boolean',
      allowPrivilegeEscalation: 'boolean',
      procMount: 'string',
      seccompProfile: ref('io.k8s.api.core.v1.SeccompProfile'),
      appArmorProfile: ref('io.k8s.api.core.v1.AppArmorProfile'),
    },
  ),
  'io.k8s.api.core.v1.SELinuxOptions': def(
    {
      user: 'string',
      role: 'string',
      type: 'string',
      level: 'string',
    },
  ),
  'io.k8s.api.core.v1.WindowsSecurityContextOptions': def(
    {
      gmsaCredentialSpecName: 'string',
      gmsaCredentialSpec: 'string',
      runAsUserName: 'string',
      hostProcess: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.Sysctl': def(
    {
      name: 'string',
      value: 'string',
    },
    ['name', 'value'],
  ),
  'io.k8s.api.core.v1.SeccompProfile': def(
    {
      type: 'string',
      localhostProfile: 'string',
    },
    ['type'],
  ),
  'io.k8s.api.core.v1.AppArmorProfile': def(
    {
      type: 'string',
      localhostProfile: 'string',
    },
    ['type'],
  ),
  'io.k8s.api.core.v1.NodeAffinity': def(
    {
      requiredDuringSchedulingIgnoredDuringExecution: ref('io.k8s.api.core.v1.NodeSelector'),
      preferredDuringSchedulingIgnoredDuringExecution: list(ref('io.k8s.api.core.v1.PreferredSchedulingTerm')),
    },
  ),
  'io.k8s.api.core.v1.PodAffinity': def(
    {
      requiredDuringSchedulingIgnoredDuringExecution: list(ref('io.k8s.api.core.v1.PodAffinityTerm')),
      preferredDuringSchedulingIgnoredDuringExecution: list(ref('io.k8s.api.core.v1.WeightedPodAffinityTerm')),
    },
  ),
  'io.k8s.api.core.v1.PodAntiAffinity': def(
    {
      requiredDuringSchedulingIgnoredDuringExecution: list(ref('io.k8s.api.core.v1.PodAffinityTerm')),
      preferredDuringSchedulingIgnoredDuringExecution: list(ref('io.k8s.api.core.v1.WeightedPodAffinityTerm')),
    },
  ),
  'io.k8s.api.core.v1.PodDNSConfigOption': def(
    {
      name: 'string',
      value: 'string',
    },
  ),
  'io.k8s.api.core.v1.ResourceClaim': def(
    {
      name: 'string',
      request: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.ContainerState': def(
    {
      waiting: ref('io.k8s.api.core.v1.ContainerStateWaiting'),
      running: ref('io.k8s.api.core.v1.ContainerStateRunning'),
      terminated: ref('io.k8s.api.core.v1.ContainerStateTerminated'),
    },
  ),
  'io.k8s.api.core.v1.VolumeMountStatus': def(
    {
      name: 'string',
      mountPath: 'string',
      readOnly: 'boolean',
      recursiveReadOnly: 'string',
    },
    ['name', 'mountPath'],
  ),
  'io.k8s.api.core.v1.ContainerUser': def(
    {
      linux: ref('io.k8s.api.core.v1.LinuxContainerUser'),
    },
  ),
  'io.k8s.api.core.v1.ResourceStatus': def(
    {
      name: 'string',
      resources: list(ref('io.k8s.api.core.v1.ResourceHealth')),
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.ClientIPConfig': def(
    {
      timeoutSeconds: 'integer',
    },
  ),
  'io.k8s.api.core.v1.LoadBalancerIngress': def(
    {
      ip: 'string',
      hostname: 'string',
      ipMode: 'string',
      ports: list(ref('io.k8s.api.core.v1.PortStatus')),
    },
  ),
  'io.k8s.api.core.v1.ConfigMapNodeConfigSource': def(
    {
      namespace: 'string',
      name: 'string',
      uid: 'string',
      resourceVersion: 'string',
      kubeletConfigKey: 'string',
    },
    ['namespace', 'name', 'kubeletConfigKey'],
  ),
  'io.k8s.api.core.v1.DaemonEndpoint': def(
    {
      Port: 'integer',
    },
    ['Port'],
  ),
  'io.k8s.api.core.v1.NodeSwapStatus': def(
    {
      capacity: 'integer',
    },
  ),
  'io.k8s.api.core.v1.NodeRuntimeHandlerFeatures': def(
    {
      recursiveReadOnlyMounts: 'boolean',
      userNamespaces: 'boolean',
    },
  ),
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': def(
    {
      key: 'string',
      operator: 'string',
      values: list('string'),
    },
    ['key', 'operator'],
  ),
  'io.k8s.api.apps.v1.RollingUpdateDeployment': def(
    {
      maxUnavailable: 'int-or-string',
      maxSurge: 'int-or-string',
    },
  ),
  'io.k8s.api.discovery.v1.ForZone': def(
    {
      name: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.discovery.v1.ForNode': def(
    {
      name: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.KeyToPath': def(
    {
      key: 'string',
      path: 'string',
      mode: 'integer',
    },
    ['key', 'path'],
  ),
  'io.k8s.api.core.v1.DownwardAPIVolumeFile': def(
    {
      path: 'string',
      fieldRef: ref('io.k8s.api.core.v1.ObjectFieldSelector'),
      resourceFieldRef: ref('io.k8s.api.core.v1.ResourceFieldSelector'),
      mode: 'integer',
    },
    ['path'],
  ),
  'io.k8s.api.core.v1.VolumeProjection': def(
    {
      secret: ref('io.k8s.api.core.v1.SecretProjection'),
      downwardAPI: ref('io.k8s.api.core.v1.DownwardAPIProjection'),
      configMap: ref('io.k8s.api.core.v1.ConfigMapProjection'),
      serviceAccountToken: ref('io.k8s.api.core.v1.ServiceAccountTokenProjection'),
      clusterTrustBundle: ref('io.k8s.api.core.v1.ClusterTrustBundleProjection'),
    },
  ),
  'io.k8s.api.core.v1.PersistentVolumeClaimTemplate': def(
    {
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('io.k8s.api.core.v1.PersistentVolumeClaimSpec'),
    },
    ['spec'],
  ),
  'io.k8s.api.core.v1.ConfigMapEnvSource': def(
    {
      name: 'string',
      optional: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.SecretEnvSource': def(
    {
      name: 'string',
      optional: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.EnvVarSource': def(
    {
      fieldRef: ref('io.k8s.api.core.v1.ObjectFieldSelector'),
      resourceFieldRef: ref('io.k8s.api.core.v1.ResourceFieldSelector'),
      configMapKeyRef: ref('io.k8s.api.core.v1.ConfigMapKeySelector'),
      secretKeyRef: ref('io.k8s.api.core.v1.SecretKeySelector'),
    },
  ),
  'io.k8s.api.core.v1.ExecAction': def(
    {
      command: list('string'),
    },
  ),
  'io.k8s.api.core.v1.HTTPGetAction': def(
    {
      path: 'string',
      port: 'int-or-string',
      host: 'string',
      scheme: 'string',
      httpHeaders: list(ref('io.k8s.api.core.v1.HTTPHeader')),
    },
    ['port'],
  ),
  'io.k8s.api.core.v1.TCPSocketAction': def(
    {
      port: 'int-or-string',
      host: 'string',
    },
    ['port'],
  ),
  'io.k8s.api.core.v1.GRPCAction': def(
    {
      port: 'integer',
      service: 'string',
    },
    ['port'],
  ),
  'io.k8s.api.core.v1.LifecycleHandler': def(
    {
      exec: ref('io.k8s.api.core.v1.ExecAction'),
      httpGet: ref('io.k8s.api.core.v1.HTTPGetAction'),
      tcpSocket: ref('io.k8s.api.core.v1.TCPSocketAction'),
      sleep: ref('io.k8s.api.core.v1.SleepAction'),
    },
  ),
  'io.k8s.api.core.v1.Capabilities': def(
    {
      add: list('string'),
      drop: list('string'),
    },
  ),
  'io.k8s.api.core.v1.NodeSelector': def(
    {
      nodeSelectorTerms: list(ref('io.k8s.api.core.v1.NodeSelectorTerm')),
    },
    ['nodeSelectorTerms'],
  ),
  'io.k8s.api.core.v1.PreferredSchedulingTerm': def(
    {
      weight: 'integer',
      preference: ref('io.k8s.api.core.v1.NodeSelectorTerm'),
    },
    ['weight', 'preference'],
  ),
  'io.k8s.api.core.v1.PodAffinityTerm': def(
    {
      labelSelector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      namespaces: list('string'),
      topologyKey: 'string',
      namespaceSelector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      matchLabelKeys: list('string'),
      mismatchLabelKeys: list('string'),
    },
    ['topologyKey'],
  ),
  'io.k8s.api.core.v1.WeightedPodAffinityTerm': def(
    {
      weight: 'integer',
      podAffinityTerm: ref('io.k8s.api.core.v1.PodAffinityTerm'),
    },
    ['weight', 'podAffinityTerm'],
  ),
  'io.k8s.api.core.v1.ContainerStateWaiting': def(
    {
      reason: 'string',
      message: 'string',
    },
  ),
  'io.k8s.api.core.v1.ContainerStateRunning': def(
    {
      startedAt: 'string',
    },
  ),
  'io.k8s.api.core.v1.ContainerStateTerminated': def(
    {
      exitCode: 'integer',
      signal: 'integer',
      reason: 'string',
      message: 'string',
      startedAt: 'string',
      finishedAt: 'string',
      containerID: 'string',
    },
    ['exitCode'],
  ),
  'io.k8s.api.core.v1.LinuxContainerUser': def(
    {
      uid: 'integer',
      gid: 'integer',
      supplementalGroups: list('integer'),
    },
    ['uid', 'gid'],
  ),
  'io.k8s.api.core.v1.ResourceHealth': def(
    {
      resourceID: 'string',
      health: 'string',
    },
    ['resourceID'],
  ),
  'io.k8s.api.core.v1.PortStatus': def(
    {
      port: 'integer',
      protocol: 'string',
      error: 'string',
    },
    ['port', 'protocol'],
  ),
  'io.k8s.api.core.v1.ObjectFieldSelector': def(
    {
      apiVersion: 'string',
      fieldPath: 'string',
    },
    ['fieldPath'],
  ),
  'io.k8s.api.core.v1.ResourceFieldSelector': def(
    {
      containerName: 'string',
      resource: 'string',
      divisor: 'quantity',
    },
    ['resource'],
  ),
  'io.k8s.api.core.v1.SecretProjection': def(
    {
      name: 'string',
      items: list(ref('io.k8s.api.core.v1.KeyToPath')),
      optional: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.DownwardAPIProjection': def(
    {
      items: list(ref('io.k8s.api.core.v1.DownwardAPIVolumeFile')),
    },
  ),
  'io.k8s.api.core.v1.ConfigMapProjection': def(
    {
      name: 'string',
      items: list(ref('io.k8s.api.core.v1.KeyToPath')),
      optional: 'boolean',
    },
  ),
  'io.k8s.api.core.v1.ServiceAccountTokenProjection': def(
    {
      audience: 'string',
      expirationSeconds: 'integer',
      path: 'string',
    },
    ['path'],
  ),
  'io.k8s.api.core.v1.ClusterTrustBundleProjection': def(
    {
      name: 'string',
      signerName: 'string',
      labelSelector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      optional: 'boolean',
      path: 'string',
    },
    ['path'],
  ),
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': def(
    {
      accessModes: list('string'),
      selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
      resources: ref('io.k8s.api.core.v1.VolumeResourceRequirements'),
      volumeName: 'string',
      storageClassName: 'string',
      volumeMode: 'string',
      dataSource: ref('io.k8s.api.core.v1.TypedLocalObjectReference'),
      dataSourceRef: ref('io.k8s.api.core.v1.TypedObjectReference'),
      volumeAttributesClassName: 'string',
    },
  ),
  'io.k8s.api.core.v1.ConfigMapKeySelector': def(
    {
      name: 'string',
      key: 'string',
      optional: 'boolean',
    },
    ['key'],
  ),
  'io.k8s.api.core.v1.SecretKeySelector': def(
    {
      name: 'string',
      key: 'string',
      optional: 'boolean',
    },
    ['key'],
  ),
  'io.k8s.api.core.v1.HTTPHeader': def(
    {
      name: 'string',
      value: 'string',
    },
    ['name', 'value'],
  ),
  'io.k8s.api.core.v1.SleepAction': def(
    {
      seconds: 'integer',
    },
    ['seconds'],
  ),
  'io.k8s.api.core.v1.NodeSelectorTerm': def(
    {
      matchExpressions: list(ref('io.k8s.api.core.v1.NodeSelectorRequirement')),
      matchFields: list(ref('io.k8s.api.core.v1.NodeSelectorRequirement')),
    },
  ),
  'io.k8s.api.core.v1.VolumeResourceRequirements': def(
    {
      limits: map('quantity'),
      requests: map('quantity'),
    },
  ),
  'io.k8s.api.core.v1.TypedLocalObjectReference': def(
    {
      apiGroup: 'string',
      kind: 'string',
      name: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.TypedObjectReference': def(
    {
      apiGroup: 'string',
      kind: 'string',
      name: 'string',
      namespace: 'string',
    },
    ['name'],
  ),
  'io.k8s.api.core.v1.NodeSelectorRequirement': def(
    {
      key: 'string',
      operator: 'string',
      values: list('string'),
    },
    ['key', 'operator'],
  ),
};
