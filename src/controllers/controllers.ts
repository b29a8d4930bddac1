// The controllers the daemon runs (upstream kube-controller-manager's set, plus the
// scheduler), in start order.
import type { Controller, ControllerContext } from './controller-context.js';
import { newDeploymentController } from './deployment/deployment-controller.js';
import { newReplicaSetController } from './replicaset-controller.js';
import { newReplicationManager } from './replication/replication-manager.js';
import { newJobController } from './job/job-controller.js';
import { newTTLAfterFinishedController } from './ttlafterfinished/ttl-after-finished-controller.js';
import { newCronJobController } from './cronjob/cronjob-controller.js';
import { newStatefulSetController } from './statefulset/statefulset-controller.js';
import { newDaemonSetsController } from './daemonset/daemonset-controller.js';
import { newEndpointSliceController } from './endpointslice/endpointslice-controller.js';
import { newEndpointsController } from './endpoints-controller.js';
import { newEndpointSliceMirroringController } from './endpointslice-mirroring-controller.js';
import { newGarbageCollector } from './garbage-collector.js';
import { newNamespaceController } from './namespace-controller.js';
import { newScheduler } from './scheduler.js';
import { newNodeLifecycleController } from './node-lifecycle-controller.js';
import { newLoadBalancerController } from './loadbalancer-controller.js';
import { newServiceAccountsController } from './serviceaccounts-controller.js';
import { newRootCACertPublisher } from './root-ca-cert-publisher.js';
import { newPersistentVolumeController } from './volume/persistentvolume-controller.js';
import { newLocalPathProvisioner } from './volume/local-path-provisioner.js';
import { newPVCProtectionController } from './volume/pvc-protection-controller.js';
import { newExpandController } from './volume/expand-controller.js';
import { newPVProtectionController } from './volume/pv-protection-controller.js';
import { newEphemeralVolumeController } from './volume/ephemeral-volume-controller.js';
import { newDisruptionController } from './disruption/disruption-controller.js';
import { newResourceQuotaController } from './resourcequota-controller.js';
import { newClusterRoleAggregationController } from './clusterrole-aggregation-controller.js';
import { newCRDConditionsController } from './crd-conditions-controller.js';
import { newCRDFinalizerController } from './crd-finalizer-controller.js';
import { newHorizontalController } from './podautoscaler/horizontal.js';

export const controllerConstructors: ((ctx: ControllerContext) => Controller)[] = [
  newDeploymentController,
  newReplicaSetController,
  newReplicationManager,
  newJobController,
  newTTLAfterFinishedController,
  newCronJobController,
  newStatefulSetController,
  newDaemonSetsController,
  newEndpointSliceController,
  newEndpointsController,
  newEndpointSliceMirroringController,
  newGarbageCollector,
  newNamespaceController,
  newScheduler,
  newNodeLifecycleController,
  newLoadBalancerController,
  newServiceAccountsController,
  newRootCACertPublisher,
  newPersistentVolumeController,
  newPVCProtectionController,
  newPVProtectionController,
  newExpandController,
  newLocalPathProvisioner,
  newEphemeralVolumeController,
  newDisruptionController,
  newResourceQuotaController,
  newClusterRoleAggregationController,
  newCRDConditionsController,
  newCRDFinalizerController,
  newHorizontalController,
];
