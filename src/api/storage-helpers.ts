// Helpers for PersistentVolumes, claims and StorageClasses that the printers, the API server
// and the controllers share (upstream pkg/apis/core/helper and storage/util).
import type { KubeObject, PersistentVolume, PersistentVolumeAccessMode, PersistentVolumeClaim, Pod, StorageClass, Volume } from './types.js';

/** The beta annotation that named a claim's or volume's class before spec.storageClassName. */
export const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
export const isDefaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const betaIsDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesAsString(modes: PersistentVolumeAccessMode[] | undefined): string {
  const have = new Set(modes ?? []);
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

function betaClass(obj: KubeObject): string | undefined {
  return obj.metadata.annotations?.[betaStorageClassAnnotation];
}

/** helper.GetPersistentVolumeClass: the beta annotation wins over spec.storageClassName. */
export function persistentVolumeClass(pv: PersistentVolume): string {
  return betaClass(pv) ?? pv.spec?.storageClassName ?? '';
}

/** helper.GetPersistentVolumeClaimClass. */
export function persistentVolumeClaimClass(pvc: PersistentVolumeClaim): string {
  return betaClass(pvc) ?? pvc.spec?.storageClassName ?? '';
}

/** storageutil.IsDefaultAnnotation: the GA or beta is-default-class annotation is "true". */
export function isDefaultStorageClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[isDefaultStorageClassAnnotation] === 'true' || a[betaIsDefaultStorageClassAnnotation] === 'true';
}

/**
 * The default class (upstream GetDefaultClass, 1.28+): of several defaults the newest
 * (then by name) wins, so adding a new default takes over without removing the old flag.
 */
export function defaultStorageClass(classes: StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  defaults.sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

/** The claim's requested storage, "" when none. */
export function requestedStorage(pvc: PersistentVolumeClaim): string {
  return pvc.spec?.resources?.requests?.storage ?? '';
}

/**
 * The claim a pod volume uses: a persistentVolumeClaim's claimName, or for a generic
 * ephemeral volume the claim <pod>-<volume> the ephemeral volume controller makes.
 */
export function volumeClaimName(pod: Pod, volume: Volume): string | undefined {
  if (volume.persistentVolumeClaim) return volume.persistentVolumeClaim.claimName;
  if (volume.ephemeral) return `${pod.metadata.name}-${volume.name}`;
  return undefined;
}

/** The claims a pod's volumes use. */
export function podClaimNames(pod: Pod): string[] {
  return (pod.spec.volumes ?? []).map((v) => volumeClaimName(pod, v)).filter((n): n is string => !!n);
}
