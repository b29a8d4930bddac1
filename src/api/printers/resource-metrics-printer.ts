// The NodeMetrics and PodMetrics tables metrics-server registers (pkg/api/table.go): the name,
// one column per resource in the usage, sorted (cpu, memory), and the window. A pod's usage is
// its containers' summed. The resource columns have no description, as upstream's.
import { formatQuantity, isBinaryQuantity, parseQuantity } from '../quantity.js';
import type { NodeMetrics, PodMetrics } from '../types.js';
import { column, type Printer, type TableColumnDefinition } from './table.js';

const resourceNames = ['cpu', 'memory'];

const columns: TableColumnDefinition[] = [
  column('Name', 'string', 'Name of the resource', { format: 'name' }),
  ...resourceNames.map((name) => column(name, 'string', '', { format: 'quantity' })),
  column('Window', 'string', '', { format: 'duration' }),
];

/** The sum of quantities as Quantity.Add leaves it: in the first one's format, written canonically. */
function sum(quantities: (string | undefined)[]): string {
  const present = quantities.filter((q): q is string => q !== undefined);
  return formatQuantity(
    present.reduce((a, q) => a + parseQuantity(q), 0),
    present.length > 0 && isBinaryQuantity(present[0]),
  );
}

export const nodeMetricsPrinter: Printer<NodeMetrics> = {
  columns,
  row: (m) => ({ cells: [m.metadata.name ?? '', ...resourceNames.map((r) => sum([m.usage?.[r]])), m.window ?? ''], object: m }),
};

export const podMetricsPrinter: Printer<PodMetrics> = {
  columns,
  row: (m) => ({
    cells: [m.metadata.name ?? '', ...resourceNames.map((r) => sum((m.containers ?? []).map((c) => c.usage?.[r]))), m.window ?? ''],
    object: m,
  }),
};
