// PersistentVolume, PersistentVolumeClaim (pkg/apis/core/validation) and StorageClass
// (pkg/apis/storage/validation) validation, with upstream's messages and paths.
import { field, type FieldError } from '../errors.js';
import { isValidQuantity, parseQuantity, quantityFormatError, quantityOrZero } from '../quantity.js';
import type { NodeSelector, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, StorageClass } from '../types.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain, validateQualifiedName } from './names.js';
import { jsonEqual, validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

// Upstream's sets, listed sorted as sets.List prints them.
const supportedAccessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const supportedPVReclaimPolicies = ['Delete', 'Recycle', 'Retain'];
const supportedClassReclaimPolicies = ['Delete', 'Retain'];
const supportedVolumeModes = ['Block', 'Filesystem'];
const supportedVolumeBindingModes = ['Immediate', 'WaitForFirstConsumer'];
export const supportedHostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** The persistent volume sources a PV may carry (PersistentVolumeSource's fields). */
const persistentVolumeSources = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

const isNotPositiveErrorMsg = 'must be greater than zero';

function validateAccessModes(modes: string[] | undefined, path: string, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!modes?.length) errs.push(field.required(path, requiredDetail));
  let rwop = false;
  let other = false;
  for (const m of modes ?? []) {
    if (!supportedAccessModes.includes(m)) errs.push(field.notSupported(path, m, supportedAccessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(field.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** ValidatePositiveQuantityValue (with the format check quantities get on decode). */
function validatePositiveQuantity(value: string, path: string): FieldError[] {
  if (!isValidQuantity(value)) return [field.invalid(path, value, quantityFormatError)];
  return parseQuantity(value) > 0 ? [] : [field.invalid(path, value, isNotPositiveErrorMsg)];
}

/** ValidateClassName: a class name is a DNS subdomain. */
function validateClassName(name: string, path: string): FieldError[] {
  return isDNS1123Subdomain(name).map((m) => field.invalid(path, name, m));
}

function validateVolumeMode(mode: string | undefined, path: string): FieldError[] {
  return mode !== undefined && !supportedVolumeModes.includes(mode) ? [field.notSupported(path, mode, supportedVolumeModes)] : [];
}

function validateHostPathType(type: string | undefined, path: string): FieldError[] {
  return type !== undefined && !supportedHostPathTypes.includes(type) ? [field.notSupported(path, type, supportedHostPathTypes)] : [];
}

/** validateNodeSelector for a volume's node affinity: at least one term with requirements. */
function validateNodeSelector(sel: NodeSelector | undefined, path: string): FieldError[] {
  if (!sel?.nodeSelectorTerms?.length) return [field.required(`${path}.nodeSelectorTerms`, 'must have at least one node selector term')];
  const errs: FieldError[] = [];
  sel.nodeSelectorTerms.forEach((term, i) => {
    (term.matchExpressions ?? []).forEach((r, j) => {
      const p = `${path}.nodeSelectorTerms[${i}].matchExpressions[${j}]`;
      if (!r.key) errs.push(field.required(`${p}.key`));
      if ((r.operator === 'In' || r.operator === 'NotIn') && !r.values?.length) errs.push(field.required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    });
  });
  return errs;
}

/**
 * A short rendering of what changed in an immutable spec, in place of the cmp.Diff text
 * upstream appends (kanzen lists the changed fields as -old/+new lines).
 */
export function specDiff(typeName: string, old: Record<string, unknown>, next: Record<string, unknown>): string {
  const lines = [`  ${typeName}{`];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(next)])].sort()) {
    if (jsonEqual(old[k], next[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(next[k])},`);
  }
  lines.push('  }', '');
  return lines.join('\n');
}

// ---- PersistentVolume ----

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain);
  const spec = pv.spec ?? {};
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', ''));
  const capacity = spec.capacity ?? {};
  if (!Object.keys(capacity).length) errs.push(field.required('spec.capacity'));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(field.notSupported('spec.capacity', capacity, ['storage']));
  for (const [r, q] of Object.entries(capacity)) errs.push(...validatePositiveQuantity(String(q), `spec.capacity[${r}]`));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !supportedPVReclaimPolicies.includes(policy)) errs.push(field.notSupported('spec.persistentVolumeReclaimPolicy', policy, supportedPVReclaimPolicies));
  const sources = persistentVolumeSources.filter((k) => (spec as Record<string, unknown>)[k] !== undefined && (spec as Record<string, unknown>)[k] !== null);
  for (const extra of sources.slice(1)) errs.push(field.forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (!sources.length) errs.push(field.required('spec', 'must specify a volume type'));
  if (spec.hostPath) {
    if (!spec.hostPath.path) errs.push(field.required('spec.hostPath.path'));
    errs.push(...validateHostPathType(spec.hostPath.type, 'spec.hostPath.type'));
    if (spec.hostPath.path && spec.hostPath.path.replace(/\/+$/, '') === '' && policy === 'Recycle') {
      errs.push(field.forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"));
    }
  }
  if (spec.local) {
    if (!spec.local.path) errs.push(field.required('spec.local.path'));
    if (!spec.nodeAffinity?.required) errs.push(field.required('metadata.annotations', 'Local volume requires node affinity'));
  }
  if (spec.storageClassName) errs.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (spec.nodeAffinity) errs.push(...validateNodeSelector(spec.nodeAffinity.required, 'spec.nodeAffinity.required'));
  return errs;
}

function persistentVolumeSource(pv: PersistentVolume): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const spec = (pv.spec ?? {}) as Record<string, unknown>;
  for (const k of persistentVolumeSources) if (spec[k] !== undefined) out[k] = spec[k];
  return out;
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validateObjectMetaUpdate(pv.metadata, old.metadata);
  errs.push(...validatePersistentVolume(pv).filter((e) => !e.field.startsWith('metadata.')));
  const src = persistentVolumeSource(pv);
  const oldSrc = persistentVolumeSource(old);
  if (!jsonEqual(src, oldSrc)) {
    errs.push(field.forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${specDiff('core.PersistentVolumeSource', oldSrc, src)}`));
  }
  errs.push(...validateImmutableField(pv.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  // Node affinity may be set once, then is immutable (validatePvNodeAffinity).
  if (old.spec?.nodeAffinity) errs.push(...validateImmutableField(pv.spec?.nodeAffinity, old.spec.nodeAffinity, 'nodeAffinity'));
  return errs;
}

// ---- PersistentVolumeClaim ----

export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec, path: string): FieldError[] {
  const errs = validateAccessModes(spec.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(field.required(`${path}.resources[storage]`));
  else errs.push(...validatePositiveQuantity(String(storage), `${path}.resources[storage]`));
  if (spec.storageClassName) errs.push(...validateClassName(spec.storageClassName, `${path}.storageClassName`));
  errs.push(...validateVolumeMode(spec.volumeMode, `${path}.volumeMode`));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain);
  errs.push(...validatePersistentVolumeClaimSpec(pvc.spec ?? {}, 'spec'));
  return errs;
}

/**
 * ValidatePersistentVolumeClaimUpdate: the spec is immutable, except that volumeName may be
 * set once (the binder does) and a bound claim's storage request may change (expansion; the
 * PersistentVolumeClaimResize admission says whether its class allows it).
 */
export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  errs.push(...validatePersistentVolumeClaimSpec(pvc.spec ?? {}, 'spec'));
  const next = structuredClone(pvc.spec ?? {});
  const prev = structuredClone(old.spec ?? {});
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  // A claim made before a default class existed may get one (retroactive default class).
  if (prev.storageClassName === undefined || prev.storageClassName === null) prev.storageClassName = next.storageClassName;
  if (pvc.status?.phase === 'Bound' && next.resources?.requests) next.resources.requests.storage = old.spec?.resources?.requests?.storage as string;
  for (const s of [next, prev]) {
    if (s.volumeName === undefined) delete s.volumeName;
    if (s.storageClassName === undefined) delete s.storageClassName;
  }
  if (!jsonEqual(next, prev)) {
    errs.push(
      field.forbidden(
        'spec',
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff('core.PersistentVolumeClaimSpec', prev as Record<string, unknown>, next as Record<string, unknown>)}`,
      ),
    );
  }
  const newSize = quantityOrZero(pvc.spec?.resources?.requests?.storage);
  // RecoverVolumeExpansionFailure (on by default in 1.33): a request may come back down after a
  // failed expansion, but never to the capacity the volume already has.
  if (newSize < quantityOrZero(old.spec?.resources?.requests?.storage) && newSize <= quantityOrZero(old.status?.capacity?.storage)) {
    errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  // Upstream's path here is "volumeMode", not spec.volumeMode.
  errs.push(...validateImmutableField(pvc.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  return errs;
}

// ---- StorageClass ----

export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  if (!sc.provisioner) errs.push(field.required('provisioner'));
  else errs.push(...validateQualifiedName(sc.provisioner.toLowerCase(), 'provisioner'));
  if (sc.reclaimPolicy !== undefined && !supportedClassReclaimPolicies.includes(sc.reclaimPolicy)) {
    errs.push(field.notSupported('reclaimPolicy', sc.reclaimPolicy, supportedClassReclaimPolicies));
  }
  if (sc.volumeBindingMode === undefined) errs.push(field.required('volumeBindingMode'));
  else if (!supportedVolumeBindingModes.includes(sc.volumeBindingMode)) errs.push(field.notSupported('volumeBindingMode', sc.volumeBindingMode, supportedVolumeBindingModes));
  return errs;
}

export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata);
  errs.push(...validateStorageClass(sc).filter((e) => !e.field.startsWith('metadata.')));
  if (!jsonEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}
