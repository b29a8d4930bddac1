// printPersistentVolume from pkg/printers/internalversion/printers.go.
import type { PersistentVolume } from '../types.js';
import { accessModesAsString, persistentVolumeClass } from '../storage-helpers.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const persistentVolumeColumns = [
  nameColumn,
  column('Capacity', 'string', swaggerDoc['PersistentVolumeSpec.capacity']),
  column('Access Modes', 'string', swaggerDoc['PersistentVolumeSpec.accessModes']),
  column('Reclaim Policy', 'string', swaggerDoc['PersistentVolumeSpec.persistentVolumeReclaimPolicy']),
  column('Status', 'string', swaggerDoc['PersistentVolumeStatus.phase']),
  column('Claim', 'string', swaggerDoc['PersistentVolumeSpec.claimRef']),
  column('StorageClass', 'string', 'StorageClass of the pv'),
  column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
  column('Reason', 'string', swaggerDoc['PersistentVolumeStatus.reason']),
  ageColumn,
  wideColumn('VolumeMode', 'string', swaggerDoc['PersistentVolumeSpec.volumeMode']),
];

export function persistentVolumeRow(pv: PersistentVolume, now: Date): TableRow {
  const ref = pv.spec?.claimRef;
  const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
  const phase = pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
  return {
    cells: [
      pv.metadata.name ?? '',
      pv.spec?.capacity?.storage ?? '0',
      accessModesAsString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      phase,
      claim,
      persistentVolumeClass(pv),
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      translateTimestampSince(pv.metadata.creationTimestamp, now),
      pv.spec?.volumeMode ?? '<unset>',
    ],
    object: pv,
  };
}

export const persistentVolumePrinter: Printer<PersistentVolume> = { columns: persistentVolumeColumns, row: persistentVolumeRow };
