// Query parameters as the API server converts them into option structs (ListOptions,
// PodLogOptions, PodExecOptions, …) through its parameter codec: the conversions of
// k8s.io/apimachinery/pkg/runtime/conversion.go. One parser for every boolean and
// integer parameter, so `watch=True` (the Python client) means what it means upstream.
import { ApiError } from './errors.js';

/**
 * Convert_Slice_string_To_bool: absent, "false" or "0" (any case) is false; every other
 * value, the empty string included, is true. Upstream never rejects a boolean parameter.
 */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  const lower = v.toLowerCase();
  return lower !== 'false' && lower !== '0';
}

/** Go's strconv.ParseInt(s, 10, 64) syntax: an optional sign and decimal digits. */
const int64Syntax = /^[+-]?[0-9]+$/;

/**
 * Convert_Slice_string_To_int64 (limit, timeoutSeconds, …): strconv.ParseInt, whose error
 * the handlers return as 400 BadRequest; undefined when the parameter is absent.
 */
export function queryInt64(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!int64Syntax.test(v)) throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(n);
}

/** Go's strconv.ParseUint(s, 10, 64) syntax: decimal digits only. */
const uint64Syntax = /^[0-9]+$/;

/**
 * APIObjectVersioner.ParseResourceVersion: "" and "0" mean "any", anything else must be a
 * uint64. Upstream's storage reports a bad one as an Invalid field error that the API
 * server renders as 500 (kubernetes#101350); kanzen gives the same message as 400
 * BadRequest, since bad input never earns a 5xx.
 */
export function parseResourceVersion(rv: string): number {
  if (rv === '' || rv === '0') return 0;
  if (!uint64Syntax.test(rv) || BigInt(rv) > 2n ** 64n - 1n) {
    const reason = uint64Syntax.test(rv) ? 'value out of range' : 'invalid syntax';
    throw ApiError.badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${reason}`);
  }
  return Number(rv);
}
