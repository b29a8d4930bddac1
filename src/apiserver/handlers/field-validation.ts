// Server-side field validation (upstream: the fieldValidation query parameter and the
// strict decoding in handlers/rest.go): what a body's unknown and duplicate fields cost.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { decodeTyped } from '../../api/schema/index.js';
import { groupVersion, type ResourceInfo } from '../../api/resources.js';
import { addWarning } from '../http.js';

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidation(url: URL): FieldValidation {
  const mode = url.searchParams.get('fieldValidation') ?? 'Warn';
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') throw ApiError.badRequest(`fieldValidation parameter unsupported: ${mode}`);
  return mode;
}

/** The Go type a body decodes as. */
export interface BodyKind {
  apiVersion: string;
  kind: string;
}

/** The resource's own kind, as its requests' bodies decode. */
export function resourceKind(info: ResourceInfo): BodyKind {
  return { apiVersion: groupVersion(info), kind: info.kind };
}

export interface FieldCheck {
  /** Keys the JSON body repeated (the strict decoder's duplicate fields). */
  duplicates?: string[];
  /** A strategic merge patch body: its "$…" directive keys are not fields. */
  directives?: boolean;
}

/**
 * Decodes obj as its kind's Go type does under fieldValidation: unknown fields never
 * reach storage — Strict rejects them (and duplicate keys) with 400, Warn (the default)
 * drops them with a Warning header each, Ignore drops them silently. A value of the wrong
 * shape fails the decode in every mode, as the API server's transformDecodeError says.
 */
export function checkFields(as: BodyKind, obj: unknown, url: URL, res: ServerResponse, check: FieldCheck = {}): void {
  const mode = fieldValidation(url);
  const { apiVersion, kind } = as;
  const { unknown, typeError } = decodeTyped(apiVersion, kind, obj, { drop: mode !== 'Strict', directives: check.directives });
  if (typeError) {
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    throw ApiError.badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${typeError}`);
  }
  if (mode === 'Ignore') return;
  const problems = [...(check.duplicates ?? []).map((p) => `duplicate field ${JSON.stringify(p)}`), ...unknown.map((p) => `unknown field ${JSON.stringify(p)}`)];
  if (!problems.length) return;
  if (mode === 'Strict') throw ApiError.badRequest(`strict decoding error: ${problems.join(', ')}`);
  for (const p of problems) addWarning(res, p);
}
