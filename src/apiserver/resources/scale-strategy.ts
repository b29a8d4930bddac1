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

/** Where a kind keeps what its Scale shows: desired and observed replicas, the selector string. */
export interface ReplicaFields {
  specReplicas(obj: KubeObject): number;
  statusReplicas(obj: KubeObject): number;
  /** Scale status.selector; undefined leaves it out. */
  selector(obj: KubeObject): string | undefined;
  /** Writes the desired replicas into (a copy of) the object. */
  setReplicas(obj: KubeObject, replicas: number): void;
}

/** A Scale over the replica fields fields names (upstream: each registry's ScaleREST). */
export function replicaScale(fields: ReplicaFields): ScaleStrategy {
  return {
    toScale(obj: KubeObject): Scale {
      const selector = fields.selector(obj);
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
        spec: { replicas: fields.specReplicas(obj) },
        status: { replicas: fields.statusReplicas(obj), ...(selector === undefined ? {} : { selector }) },
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
      fields.setReplicas(next, replicas ?? 0);
      return next;
    },
  };
}

/** A Scale over spec.replicas / status.replicas; selector writes spec.selector in Scale.status.selector's string form. */
export function scaleStrategy(selector: (specSelector: unknown) => string): ScaleStrategy {
  return replicaScale({
    specReplicas: (obj) => ((obj.spec ?? {}) as ReplicasSpec).replicas ?? 0,
    statusReplicas: (obj) => ((obj.status ?? {}) as { replicas?: number }).replicas ?? 0,
    selector: (obj) => selector(((obj.spec ?? {}) as ReplicasSpec).selector),
    setReplicas: (obj, replicas) => {
      (obj.spec as ReplicasSpec).replicas = replicas;
    },
  });
}

/** apps/v1 workloads: metav1.LabelSelectorAsSelector(spec.selector).String() ("" when none). */
export const labelSelectorScale: ScaleStrategy = scaleStrategy((sel) => labelSelectorString(sel as LabelSelector | undefined));

/** ReplicationController: labels.SelectorFromSet(spec.selector).String(). */
export const mapSelectorScale: ScaleStrategy = scaleStrategy((sel) => selectorString(selectorFromSet(sel as Record<string, string> | undefined)));
