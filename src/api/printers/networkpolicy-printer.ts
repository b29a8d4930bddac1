// printNetworkPolicy from pkg/printers/internalversion/printers.go.
import { formatLabelSelector } from '../labels.js';
import type { NetworkPolicy } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const networkPolicyColumns = [nameColumn, column('Pod-Selector', 'string', swaggerDoc['NetworkPolicySpec.podSelector']), ageColumn];

export function networkPolicyRow(np: NetworkPolicy, now: Date): TableRow {
  return {
    cells: [np.metadata.name ?? '', formatLabelSelector(np.spec?.podSelector ?? {}), translateTimestampSince(np.metadata.creationTimestamp, now)],
    object: np,
  };
}

export const networkPolicyPrinter: Printer<NetworkPolicy> = { columns: networkPolicyColumns, row: networkPolicyRow };
