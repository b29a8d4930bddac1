// metav1.DeleteOptions from a DELETE's body and query (upstream: handlers/delete.go decodes
// the body, then the query parameters override it).
import { ApiError } from '../../api/errors.js';
import type { DeleteOptions } from '../../api/types.js';
import { queryBool, queryInt64 } from '../../api/query-params.js';
import { decodeBody } from '../http.js';

export function parseDeleteOptions(url: URL, body: Buffer): DeleteOptions {
  let opts: DeleteOptions = {};
  if (body.length && body.toString().trim()) {
    opts = asObjectLike(decodeBody(body, 'application/json')) as DeleteOptions;
  }
  const grace = queryInt64(url.searchParams, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = url.searchParams.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (url.searchParams.has('orphanDependents')) opts.orphanDependents = queryBool(url.searchParams, 'orphanDependents');
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw ApiError.invalid('', 'DeleteOptions', '', [
      { type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: opts.propagationPolicy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' },
    ]);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    opts.gracePeriodSeconds = opts.gracePeriodSeconds < 0 ? 1 : Math.floor(opts.gracePeriodSeconds);
  }
  return opts;
}

function asObjectLike(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw ApiError.badRequest('Object is not a valid JSON object');
  return v as Record<string, unknown>;
}
