// The one error type for API errors. Thrown anywhere (validation, store, allocators,
// handlers), rendered once by the API server as a metav1.Status. Messages follow
// k8s.io/apimachinery/pkg/api/errors and pkg/util/validation/field exactly, because
// kubectl prints them verbatim.
import type { Status, StatusCause } from './types.js';

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const fieldErrorTypeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a field error whose bad value must not be printed (field.OmitValueType). */
export const omitValue = Symbol('omitValue');

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue?: unknown;
  detail?: string;
}

/** Go's %q for a string: double-quoted with escapes (JSON escaping is the same for printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's %#v for the values validation reports (slices of strings, maps, structs as JSON-ish). */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  // Values that know their Go %#v spelling (struct literals in "field is immutable" errors).
  if (typeof (v as { goString?: unknown }).goString === 'function') return (v as { goString(): string }).goString();
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => goQuote(x as string)).join(', ')}}`;
    return `[]interface {}{${v.map(goValue).join(', ')}}`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string')) {
      return `map[string]string{${entries.map(([k, x]) => `${goQuote(k)}:${goQuote(x as string)}`).join(', ')}}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** field.Error.ErrorBody(): the message without the field path. */
export function fieldErrorBody(e: FieldError): string {
  let s: string;
  const text = fieldErrorTypeText[e.type];
  if (
    e.type === 'FieldValueRequired' ||
    e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooLong' ||
    e.type === 'InternalError' ||
    e.badValue === omitValue
  ) {
    s = text;
  } else {
    s = `${text}: ${goValue(e.badValue)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** field.Error.Error(): "spec.ports[0].nodePort: Invalid value: 8080: …". */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
export function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0];
  return `[${unique.join(', ')}]`;
}

// Constructors for field errors, named after field.Invalid, field.Required, …
export const field = {
  invalid: (path: string, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field: path, badValue: value, detail }),
  required: (path: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field: path, badValue: '', detail }),
  duplicate: (path: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: path, badValue: value }),
  forbidden: (path: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: path, badValue: '', detail }),
  notFound: (path: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field: path, badValue: value }),
  tooLong: (path: string, value: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field: path,
    badValue: value,
    detail: `may not be more than ${max} bytes`,
  }),
  tooMany: (path: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field: path,
    badValue: actual,
    detail: `must have at most ${max} items`,
  }),
  notSupported: (path: string, value: unknown, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field: path,
    badValue: value,
    detail: supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : undefined,
  }),
  internal: (path: string, detail: string): FieldError => ({ type: 'InternalError', field: path, detail }),
};

export interface GroupResource {
  group: string;
  resource: string;
}

/** "pods" or "deployments.apps", as schema.GroupResource.String(). */
export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

type StatusDetails = NonNullable<Status['details']>;

/**
 * A Status with its fields in the order the API server writes them (the Go struct order of
 * metav1.Status, StatusDetails and StatusCause): some clients compare the text. Every
 * Status kanzen writes (errors, delete results, watch ERROR events) goes through here.
 */
export function orderedStatus(s: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'code'> & { metadata?: Status['metadata']; code?: number }): Status {
  const out = { kind: 'Status', apiVersion: 'v1', metadata: s.metadata ?? {}, status: s.status } as Status;
  if (s.message) out.message = s.message;
  if (s.reason) out.reason = s.reason;
  if (s.details !== undefined) out.details = orderedDetails(s.details);
  // code is omitempty upstream: a delete's Success Status carries none.
  if (s.code) out.code = s.code;
  return out;
}

function orderedDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes?.length) {
    out.causes = d.causes.map((c) => {
      const cause: StatusCause = {};
      if (c.reason) cause.reason = c.reason;
      if (c.message) cause.message = c.message;
      if (c.field) cause.field = c.field;
      return cause;
    });
  }
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

export class ApiError extends Error {
  readonly status: Status;

  constructor(code: number, reason: string, message: string, details?: Status['details']) {
    super(message);
    this.name = 'ApiError';
    this.status = orderedStatus({ status: 'Failure', message, reason, details, code });
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string {
    return this.status.reason ?? '';
  }

  static notFound(gr: GroupResource, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${groupResourceString(gr)} ${goQuote(name)} not found`, detailsOf(gr, name));
  }

  static alreadyExists(gr: GroupResource, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${groupResourceString(gr)} ${goQuote(name)} already exists`, detailsOf(gr, name));
  }

  static conflict(gr: GroupResource, name: string, cause: string): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} ${goQuote(name)}: ${cause}`, detailsOf(gr, name));
  }

  /** The optimistic-concurrency conflict (registry.OptimisticLockErrorMsg). */
  static modified(gr: GroupResource, name: string): ApiError {
    return ApiError.conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
  }

  /** NewInvalid: kind is the qualified kind ("Service", "Deployment.apps"). */
  static invalid(group: string, kind: string, name: string, errs: FieldError[]): ApiError {
    const qualified = group ? `${kind}.${group}` : kind;
    const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    const message = `${qualified} ${goQuote(name)} is invalid: ${aggregateMessage(errs.map(fieldErrorString))}`;
    const details: Status['details'] = { name, kind, causes };
    if (group) details.group = group;
    return new ApiError(422, 'Invalid', message, details);
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  }

  static forbidden(gr: GroupResource, name: string, reason: string): ApiError {
    return new ApiError(403, 'Forbidden', `${groupResourceString(gr)} ${goQuote(name)} is forbidden: ${reason}`, detailsOf(gr, name));
  }

  static methodNotSupported(gr: GroupResource, action: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${goQuote(groupResourceString(gr))}`, {
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }

  static notAcceptable(message: string): ApiError {
    return new ApiError(406, 'NotAcceptable', message);
  }

  /** negotiation.NewUnsupportedMediaTypeError: lists what the verb accepts (objects or patch types). */
  static unsupportedMediaType(accepted: readonly string[]): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }

  static expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  }

  static tooLarge(limit: number): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  }

  /** NewTooManyRequests: a 429 that asks the client to come back, after retryAfterSeconds when > 0 (the Retry-After header). */
  static tooManyRequests(message: string, retryAfterSeconds: number, causes?: StatusCause[]): ApiError {
    return new ApiError(429, 'TooManyRequests', message, { causes, retryAfterSeconds });
  }

  static internal(err: unknown): ApiError {
    const msg = err instanceof Error ? err.message : String(err);
    return new ApiError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
  }

  static serviceUnavailable(message: string): ApiError {
    return new ApiError(503, 'ServiceUnavailable', message);
  }

  static timeout(message: string): ApiError {
    return new ApiError(504, 'Timeout', message);
  }
}

function detailsOf(gr: GroupResource, name: string): Status['details'] {
  const d: Status['details'] = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return d;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.reason === 'Conflict';
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof ApiError && e.reason === 'AlreadyExists';
}
