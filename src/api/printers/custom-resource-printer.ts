// The Table columns of a custom resource (upstream apiextensions-apiserver
// pkg/registry/customresource/tableconvertor): NAME, then the version's additionalPrinterColumns
// (an AGE column of creationTimestamp when it declares none), each cell read from the object by
// its simple JSON path; a date cell is printed as an age, a missing value as nothing.
import type { CustomResourceColumnDefinition, KubeObject } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { column, nameColumn, type Printer, type TableColumnDefinition } from './table.js';

const ageColumn: CustomResourceColumnDefinition = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: swaggerDoc['ObjectMeta.creationTimestamp'] };

/** A simple JSON path (.spec.replicas, .status.conditions[0].type) read off an object. */
export function readJsonPath(obj: unknown, jsonPath: string): unknown {
  let cur = obj;
  for (const part of jsonPath.replace(/^\{?\.?/, '').replace(/\}$/, '').split('.').filter(Boolean)) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[m[1]] : undefined;
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) cur = Array.isArray(cur) ? cur[Number(idx[1])] : undefined;
  }
  return cur;
}

function cell(c: CustomResourceColumnDefinition, obj: KubeObject, now: Date): unknown {
  const v = readJsonPath(obj, c.jsonPath);
  if (v === undefined || v === null) return null;
  if (c.type === 'date' && typeof v === 'string') return translateTimestampSince(v, now);
  // A string column prints what its path finds as JSONPath text: a list or object as JSON
  // (upstream PrintResults), so HTTPRoute's HOSTNAMES reads ["a.example.com","b.example.com"].
  if (c.type === 'string' && typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function customResourcePrinter(declared: CustomResourceColumnDefinition[] | undefined): Printer {
  const columns = declared?.length ? declared : [ageColumn];
  const defs: TableColumnDefinition[] = [
    nameColumn,
    ...columns.map((c) => column(c.name, c.type as TableColumnDefinition['type'], c.description ?? '', { format: c.format, priority: c.priority })),
  ];
  return {
    columns: defs,
    row: (obj, now) => ({ cells: [obj.metadata.name ?? '', ...columns.map((c) => cell(c, obj, now))], object: obj }),
  };
}
