// printStorageClass from pkg/printers/internalversion/printers.go: the default class's name
// carries " (default)"; unset policies print their defaults.
import type { StorageClass } from '../types.js';
import { isDefaultStorageClass } from '../storage-helpers.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const storageClassColumns = [
  nameColumn,
  column('Provisioner', 'string', swaggerDoc['StorageClass.provisioner']),
  column('ReclaimPolicy', 'string', swaggerDoc['StorageClass.reclaimPolicy']),
  column('VolumeBindingMode', 'string', swaggerDoc['StorageClass.volumeBindingMode']),
  column('AllowVolumeExpansion', 'string', swaggerDoc['StorageClass.allowVolumeExpansion']),
  ageColumn,
];

export function storageClassRow(sc: StorageClass, now: Date): TableRow {
  const name = (sc.metadata.name ?? '') + (isDefaultStorageClass(sc) ? ' (default)' : '');
  return {
    cells: [
      name,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      translateTimestampSince(sc.metadata.creationTimestamp, now),
    ],
    object: sc,
  };
}

export const storageClassPrinter: Printer<StorageClass> = { columns: storageClassColumns, row: storageClassRow };
