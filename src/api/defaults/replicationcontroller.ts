// core/v1 ReplicationController defaults (SetDefaults_ReplicationController): the selector and
// the object's labels come from the template's labels when unset; one replica.
import type { ReplicationController } from '../types.js';
import { defaultPodSpec } from './pod-spec.js';

export function defaultReplicationController(rc: ReplicationController): void {
  const labels = rc.spec.template?.metadata?.labels;
  if (labels) {
    if (!Object.keys(rc.spec.selector ?? {}).length) rc.spec.selector = { ...labels };
    if (!Object.keys(rc.metadata.labels ?? {}).length) rc.metadata.labels = { ...labels };
  }
  rc.spec.replicas ??= 1;
  if (rc.spec.template?.spec) defaultPodSpec(rc.spec.template.spec);
}
