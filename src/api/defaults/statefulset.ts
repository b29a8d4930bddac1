// apps/v1 StatefulSet defaults (pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet, and the
// generated SetObjectDefaults_StatefulSet that defaults the pod template and each claim template).
import type { StatefulSet, StatefulSetVolumeClaimTemplate } from '../types.js';
import { defaultPodSpec } from './pod-spec.js';

export function defaultStatefulSet(set: StatefulSet): void {
  const spec = set.spec;
  spec.podManagementPolicy ||= 'OrderedReady';
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) {
    spec.updateStrategy.type = 'RollingUpdate';
    spec.updateStrategy.rollingUpdate ??= {};
  }
  if (spec.updateStrategy.type === 'RollingUpdate' && spec.updateStrategy.rollingUpdate) {
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  // StatefulSetAutoDeletePVC is GA: every set states its claim retention.
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
  for (const claim of spec.volumeClaimTemplates ?? []) defaultClaimTemplate(claim);
}

/**
 * A claim template is a full PersistentVolumeClaim as served: apps/v1 writes its apiVersion and
 * kind, and the claim defaults apply (SetDefaults_PersistentVolumeClaim: phase Pending;
 * SetDefaults_PersistentVolumeClaimSpec: volumeMode Filesystem).
 */
function defaultClaimTemplate(claim: StatefulSetVolumeClaimTemplate): void {
  claim.apiVersion ??= 'v1';
  claim.kind ??= 'PersistentVolumeClaim';
  claim.metadata ??= {};
  claim.spec ??= {};
  claim.spec.volumeMode ??= 'Filesystem';
  claim.status ??= {};
  claim.status.phase ||= 'Pending';
}
