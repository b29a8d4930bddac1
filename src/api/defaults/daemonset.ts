// apps/v1 DaemonSet defaults (pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet): a rolling
// update replacing one pod at a time without surge, ten revisions kept, and the pod
// template defaulted as every pod spec is.
import type { DaemonSet } from '../types.js';
import { defaultPodSpec } from './pod-spec.js';

export function defaultDaemonSet(ds: DaemonSet): void {
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  const strategy = spec.updateStrategy;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxUnavailable ??= 1;
    strategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
}
