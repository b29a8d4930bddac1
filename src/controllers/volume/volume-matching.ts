// Which PersistentVolume a claim may bind to (upstream pkg/controller/volume/persistentvolume/
// util: FindMatchingVolume, CheckVolumeModeMismatches, CheckNodeAffinity), pure and shared by
// the PV controller and the scheduler's volume binding. The smallest volume that fits wins.
import { labelSelectorAsRequirements, matchLabels } from '../../api/labels.js';
import { parseQuantity } from '../../api/quantity.js';
import { persistentVolumeClaimClass, persistentVolumeClass, requestedStorage } from '../../api/storage-helpers.js';
import type { Node, PersistentVolume, PersistentVolumeClaim } from '../../api/types.js';
import { nodeSelectorTermMatches } from '../scheduler-affinity.js';

/** Annotations the binder writes (pkg/controller/volume/persistentvolume/util). */
export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const annSelectedNode = 'volume.kubernetes.io/selected-node';
export const annStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const annBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
export const annDynamicallyProvisioned = 'pv.kubernetes.io/provisioned-by';
/** A class with this provisioner has none: its volumes are made by hand (local volumes). */
export const noProvisioner = 'kubernetes.io/no-provisioner';

function quantity(s: string | undefined): number {
  try {
    return s === undefined || s === '' ? 0 : parseQuantity(s);
  } catch {
    return 0;
  }
}

/** The volume is pre-bound to this claim (claimRef by name, and by UID when it has one). */
export function isVolumeBoundToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** CheckNodeAffinity: a volume without node affinity is reachable from every node. */
export function volumeFitsNode(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** The claim's access modes are all offered by the volume. */
function accessModesFit(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const have = new Set(pv.spec.accessModes ?? []);
  return (pvc.spec.accessModes ?? []).every((m) => have.has(m));
}

/**
 * FindMatchingVolume. With `delayBinding` (WaitForFirstConsumer) and no node, only a volume
 * pre-bound to the claim is returned: the scheduler picks the others, for a node. With a node,
 * volumes whose node affinity excludes it are skipped.
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, volumes: PersistentVolume[], node?: Node, delayBinding = false): PersistentVolume | undefined {
  const requested = quantity(requestedStorage(pvc));
  const claimClass = persistentVolumeClaimClass(pvc);
  let selector: ReturnType<typeof labelSelectorAsRequirements> | undefined;
  try {
    selector = pvc.spec.selector ? labelSelectorAsRequirements(pvc.spec.selector) : undefined;
  } catch {
    return undefined;
  }
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp) continue;
    if ((pv.spec.volumeMode ?? 'Filesystem') !== (pvc.spec.volumeMode ?? 'Filesystem')) continue;
    const size = quantity(pv.spec.capacity?.storage);
    if (isVolumeBoundToClaim(pv, pvc)) {
      // A volume the user pre-bound to this claim is taken if it is big enough, whatever its class.
      if (size >= requested && (!node || volumeFitsNode(pv, node))) return pv;
      continue;
    }
    if (node === undefined && delayBinding) continue;
    if (pv.spec.claimRef) continue;
    if (pv.status?.phase && pv.status.phase !== 'Available' && pv.status.phase !== 'Pending') continue;
    if (persistentVolumeClass(pv) !== claimClass) continue;
    if (selector !== undefined && !matchLabels(selector, pv.metadata.labels ?? {})) continue;
    if (node && !volumeFitsNode(pv, node)) continue;
    if (!accessModesFit(pv, pvc) || size < requested) continue;
    if (!best || size < quantity(best.spec.capacity?.storage)) best = pv;
  }
  return best;
}

/** The claim is bound (the binder completed it). */
export function isClaimBound(pvc: PersistentVolumeClaim): boolean {
  return !!pvc.spec.volumeName && pvc.status?.phase === 'Bound';
}
