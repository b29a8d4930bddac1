// printControllerRevision from pkg/printers/internalversion/printers.go: the controller is
// shown as `<kind>.<group>/<name>` in lower case (formatResourceName with its GroupKind).

import type { ControllerRevision, OwnerReference } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const controllerRevisionColumns = [
  nameColumn,
  column('Controller', 'string', 'Controller of the object'),
  column('Revision', 'string', swaggerDoc['ControllerRevision.revision']),
  ageColumn,
];

function controllerName(ref: OwnerReference | undefined): string {
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
  return groupKind ? `${groupKind.toLowerCase()}/${ref.name}` : ref.name;
}

export function controllerRevisionRow(rev: ControllerRevision, now: Date): TableRow {
  const ref = rev.metadata.ownerReferences?.find((r) => r.controller === true);
  // The Revision column is declared a string but carries the int64, as upstream's does.
  return { cells: [rev.metadata.name ?? '', controllerName(ref), rev.revision ?? 0, translateTimestampSince(rev.metadata.creationTimestamp, now)], object: rev };
}

export const controllerRevisionPrinter: Printer<ControllerRevision> = { columns: controllerRevisionColumns, row: controllerRevisionRow };
