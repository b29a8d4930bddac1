// printPersistentVolumeClaim from pkg/printers/internalversion/printers.go: capacity and
// access modes are the bound volume's (status), blank while the claim has no volume.
import type { PersistentVolumeClaim } from '../types.js';
import { accessModesAsString, persistentVolumeClaimClass } from '../storage-helpers.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const persistentVolumeClaimColumns = [
  nameColumn,
  column('Status', 'string', swaggerDoc['PersistentVolumeClaimStatus.phase']),
  column('Volume', 'string', swaggerDoc['PersistentVolumeClaimSpec.volumeName']),
  column('Capacity', 'string', swaggerDoc['PersistentVolumeClaimStatus.capacity']),
  column('Access Modes', 'string', swaggerDoc['PersistentVolumeClaimStatus.accessModes']),
  column('StorageClass', 'string', 'StorageClass of the pvc'),
  column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
  ageColumn,
  wideColumn('VolumeMode', 'string', swaggerDoc['PersistentVolumeClaimSpec.volumeMode']),
];

export function persistentVolumeClaimRow(pvc: PersistentVolumeClaim, now: Date): TableRow {
  const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
  const bound = !!pvc.spec?.volumeName;
  return {
    cells: [
      pvc.metadata.name ?? '',
      phase,
      pvc.spec?.volumeName ?? '',
      bound ? (pvc.status?.capacity?.storage ?? '0') : '',
      bound ? accessModesAsString(pvc.status?.accessModes) : '',
      persistentVolumeClaimClass(pvc),
      pvc.status?.currentVolumeAttributesClassName ?? '<unset>',
      translateTimestampSince(pvc.metadata.creationTimestamp, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ],
    object: pvc,
  };
}

export const persistentVolumeClaimPrinter: Printer<PersistentVolumeClaim> = { columns: persistentVolumeClaimColumns, row: persistentVolumeClaimRow };
