// The scheduler's VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding),
// simplified to what kanzen's PV controller and local-path provisioner need:
//   PreFilter  every claim of the pod exists and is not being deleted, and none is unbound
//              with Immediate binding (those are the PV controller's to bind first);
//   Filter     a bound claim's volume must allow the node (node affinity); an unbound
//              WaitForFirstConsumer claim needs an Available volume that fits the node, or a
//              class with a provisioner; once a node was selected for it, that node only;
//   PreBind    (`prebind`, after the node is chosen) pre-binds the matching static volume
//              (claimRef) or annotates the claim with volume.kubernetes.io/selected-node for
//              the provisioner. Unlike upstream, the scheduler does not block in PreBind: the
//              pod stays unbound and is tried again when its claims change, and the filter
//              (the selected node, then the volume's node affinity) brings it to the same node.
import { persistentVolumeClaimClass, podClaimNames, volumeClaimName } from '../api/storage-helpers.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../api/types.js';
import { annBindCompleted, annSelectedNode, findMatchingVolume, noProvisioner, volumeFitsNode } from './volume/volume-matching.js';

// Reasons and messages as upstream's plugin words them.
export const reasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const reasonNodeConflict = 'node(s) had volume node affinity conflict';
export const reasonPVNotExist = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const unboundImmediateMessage = 'pod has unbound immediate PersistentVolumeClaims';

export interface VolumeListers {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volumes(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

/** What the pre-binding step writes through the API. */
export interface VolumeBinder {
  /** Pre-bind a static volume to the claim (set its claimRef). */
  bindVolume(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void>;
  /** Ask for provisioning on a node (annotate the claim). */
  selectNode(pvc: PersistentVolumeClaim, node: string): Promise<void>;
}

export function isClaimFullyBound(pvc: PersistentVolumeClaim): boolean {
  return !!pvc.spec.volumeName && pvc.metadata.annotations?.[annBindCompleted] === 'yes';
}

/** The pod's claims sorted for the plugin, or the PreFilter failure. */
export class PodVolumes {
  readonly bound: PersistentVolumeClaim[] = [];
  /** Unbound WaitForFirstConsumer claims. */
  readonly delayed: PersistentVolumeClaim[] = [];
  readonly preFilterFailure: string | undefined;

  constructor(
    private readonly pod: Pod,
    private readonly listers: VolumeListers,
  ) {
    this.preFilterFailure = this.sort();
  }

  get hasClaims(): boolean {
    return this.bound.length + this.delayed.length > 0;
  }

  private sort(): string | undefined {
    let immediate = false;
    const ns = this.pod.metadata.namespace ?? 'default';
    for (const name of podClaimNames(this.pod)) {
      const pvc = this.listers.claim(ns, name);
      const ephemeral = (this.pod.spec.volumes ?? []).some((v) => v.ephemeral && volumeClaimName(this.pod, v) === name);
      if (!pvc) return ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`;
      if (ephemeral && !pvc.metadata.ownerReferences?.some((r) => r.controller && r.uid === this.pod.metadata.uid)) {
        return `PVC ${ns}/${name} was not created for pod ${ns}/${this.pod.metadata.name} (pod is not owner)`;
      }
      if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
      if (isClaimFullyBound(pvc)) this.bound.push(pvc);
      else if (this.listers.storageClass(persistentVolumeClaimClass(pvc))?.volumeBindingMode === 'WaitForFirstConsumer') this.delayed.push(pvc);
      else immediate = true;
    }
    return immediate ? unboundImmediateMessage : undefined;
  }

  /** The Filter's reason against this node, or undefined when the pod's volumes allow it. */
  filter(node: Node): string | undefined {
    if (!this.hasClaims) return undefined;
    const volumes = this.listers.volumes();
    for (const pvc of this.bound) {
      const pv = volumes.find((v) => v.metadata.name === pvc.spec.volumeName);
      if (!pv) return reasonPVNotExist;
      if (!volumeFitsNode(pv, node)) return reasonNodeConflict;
    }
    for (const pvc of this.delayed) {
      const selected = pvc.metadata.annotations?.[annSelectedNode];
      if (selected && selected !== node.metadata.name) return reasonBindConflict;
      if (findMatchingVolume(pvc, volumes, node)) continue;
      const sc = this.listers.storageClass(persistentVolumeClaimClass(pvc));
      if (!sc || sc.provisioner === noProvisioner) return reasonBindConflict;
    }
    return undefined;
  }

  /**
   * PreBind for the chosen node: static volumes are pre-bound, the other claims get the node.
   * Resolves true when every claim is bound already (the pod may be bound to the node).
   */
  async prebind(node: Node, binder: VolumeBinder): Promise<boolean> {
    const volumes = this.listers.volumes();
    for (const pvc of this.delayed) {
      const pv = findMatchingVolume(pvc, volumes, node);
      if (pv) {
        if (!pv.spec.claimRef) await binder.bindVolume(pv, pvc);
      } else if (pvc.metadata.annotations?.[annSelectedNode] !== node.metadata.name) {
        await binder.selectNode(pvc, node.metadata.name!);
      }
    }
    return this.delayed.length === 0;
  }
}
