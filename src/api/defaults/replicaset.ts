// apps/v1 ReplicaSet defaults (SetDefaults_ReplicaSet).
import type { ReplicaSet } from '../types.js';
import { defaultPodSpec } from './pod-spec.js';

export function defaultReplicaSet(rs: ReplicaSet): void {
  rs.spec.replicas ??= 1;
  if (rs.spec.template?.spec) defaultPodSpec(rs.spec.template.spec);
}
