// Server-side printing: the Table the API server returns when kubectl asks for
// `application/json;as=Table;v=v1;g=meta.k8s.io`. Each resource's module names its printer
// (src/apiserver/resources), as upstream gives each registry its TableConvertor; a
// resource without one gets the default NAME / CREATED AT.

import type { KubeObject } from '../types.js';
import type { Printer, TableResult } from './table.js';

export type { Printer, TableColumnDefinition, TableResult, TableRow, TableRowCondition } from './table.js';
export { defaultPrinter } from './default-printer.js';

/** The Table columns and rows for objects of one kind (one row per object, in order). */
export function printTable(printer: Printer, objs: KubeObject[], now: Date): TableResult {
  return { columnDefinitions: printer.columns, rows: objs.map((obj) => printer.row(obj, now)) };
}
