// printPodDisruptionBudget from pkg/printers/internalversion/printers.go.

import type { PodDisruptionBudget } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const podDisruptionBudgetColumns = [
  nameColumn,
  column('Min Available', 'string', 'The minimum number of pods that must be available.'),
  column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
  column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
  ageColumn,
];

/** IntOrString.String(); "N/A" for a budget that does not set the field. */
function intOrStringCell(v: number | string | undefined | null): string {
  return v === undefined || v === null ? 'N/A' : String(v);
}

export function podDisruptionBudgetRow(pdb: PodDisruptionBudget, now: Date): TableRow {
  return {
    cells: [
      pdb.metadata.name ?? '',
      intOrStringCell(pdb.spec?.minAvailable),
      intOrStringCell(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      translateTimestampSince(pdb.metadata.creationTimestamp, now),
    ],
    object: pdb,
  };
}

export const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = { columns: podDisruptionBudgetColumns, row: podDisruptionBudgetRow };
