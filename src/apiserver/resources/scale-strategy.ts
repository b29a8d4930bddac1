// The scale subresource of workloads whose desired count is spec.replicas and observed
// count status.replicas (upstream: ScaleREST in the deployment, replicaset, statefulset
// and replicationcontroller registries). They differ only in how status.selector is
// written: a metav1.LabelSelector (apps/v1) or a plain label map (ReplicationController).
// A module declares one with `scale: labelSelectorScale` (or mapSelectorScale).
import { ApiError } from '../../api/errors.js';
import { labelSelectorString, selectorFromSet, selectorString } from '../../api/labels.js';
import type { KubeObject, LabelSelector, Scale } from '../../api/types.js';
import type { ScaleStrategy } from '../strategy.js';

interface ReplicasSpec {
  replicas?: number;
  selector?: unknown;
}

/** A Scale over spec.replicas / status.replicas; selector writes spec.selector in Scale.status.selector's string form. */
export function scaleStrategy(selector: (specSelector: unknown) => string): ScaleStrategy {
  return {
    toScale(obj: KubeObject): Scale {
      const spec = (obj.spec ?? {}) as ReplicasSpec;
      const status = (obj.status ?? {}) as { replicas?: number };
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
          creationTimestamp: obj.metadata.creationTimestamp,
        },
        spec: { replicas: spec.replicas ?? 0 },
        status: { replicas: status.replicas ?? 0, selector: selector(spec.selector) },
      };
    },
    fromScale(obj, scale, info) {
      const s = scale as Scale;
      const replicas = s.spec?.replicas;
      // upstream ValidateScale.
      if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
        throw ApiError.invalid('autoscaling', 'Scale', obj.metadata.name ?? '', [
          { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
        ]);
      }
      // A Scale that names a resourceVersion is a precondition on the object it scales.
      if (s.metadata?.resourceVersion && s.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        throw ApiError.conflict({ group: info.group, resource: info.resource }, obj.metadata.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const next = structuredClone(obj);
      (next.spec as ReplicasSpec).replicas = replicas ?? 0;
      return next;
    },
  };
}

/** apps/v1 workloads: metav1.LabelSelectorAsSelector(spec.selector).String() ("" when none). */
export const labelSelectorScale: ScaleStrategy = scaleStrategy((sel) => labelSelectorString(sel as LabelSelector | undefined));

/** ReplicationController: labels.SelectorFromSet(spec.selector).String(). */
export const mapSelectorScale: ScaleStrategy = scaleStrategy((sel) => selectorString(selectorFromSet(sel as Record<string, string> | undefined)));
