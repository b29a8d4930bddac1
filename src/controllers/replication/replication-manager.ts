// The replication manager (upstream pkg/controller/replication): the ReplicaSet controller
// run on ReplicationControllers through a conversion adapter (upstream conversion.go). An RC
// differs from a ReplicaSet only in its selector, a plain label map, which the adapter turns
// into matchLabels and back; events name the RC itself.
import type { KubeObject, ReplicaSet, ReplicationController } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { newReplicaSetLikeController, type ReplicaSetKind } from '../replicaset-controller.js';

export const replicationControllerKind: ReplicaSetKind = {
  name: 'replication-controller',
  resource: resourceFor('replicationcontrollers'),
  controllerKind: { apiVersion: 'v1', kind: 'ReplicationController' },
  toReplicaSet(obj: KubeObject): ReplicaSet {
    const rc = obj as ReplicationController;
    return { ...rc, spec: { ...rc.spec, selector: { matchLabels: rc.spec.selector ?? {} } }, status: rc.status };
  },
  fromReplicaSet(rs: ReplicaSet): ReplicationController {
    return { ...rs, spec: { ...rs.spec, selector: rs.spec.selector?.matchLabels ?? {} }, status: rs.status };
  },
};

export function newReplicationManager(ctx: ControllerContext): Controller & { idle(): Promise<void> } {
  return newReplicaSetLikeController(ctx, replicationControllerKind);
}
