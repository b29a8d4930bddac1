// Turns objects into a meta.k8s.io/v1 Table when the client asks for one in Accept
// (kubectl get always does), with the printer the resource's module declares (upstream:
// the TableConvertor each registry's Store is given) or the default one.
import type { KubeObject } from '../api/types.js';
import { printTable, type Printer } from '../api/printers/index.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Whether Accept asks for a Table (`application/json;as=Table;v=v1;g=meta.k8s.io`, v1beta1 too). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io');
  });
}

function tableApiVersion(accept: string | undefined): string {
  // Answer with the first Table version the client lists.
  for (const part of (accept ?? '').split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (params.includes('as=Table')) return params.includes('v=v1beta1') ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1';
  }
  return 'meta.k8s.io/v1';
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export interface TableOptions {
  accept?: string;
  includeObject?: IncludeObject;
  resourceVersion?: string;
  continueToken?: string;
  remainingItemCount?: number;
  now?: Date;
}

export function toTable(printer: Printer, objs: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const result = printTable(printer, objs, opts.now ?? new Date());
  const include = opts.includeObject ?? 'Metadata';
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: tableApiVersion(opts.accept),
    metadata,
    columnDefinitions: result.columnDefinitions,
    rows: result.rows.map((r) => {
      const row: Record<string, unknown> = { cells: r.cells };
      if (r.conditions?.length) row.conditions = r.conditions;
      const o = rowObject(r.object, include);
      if (o !== undefined) row.object = o;
      return row;
    }),
  };
}
