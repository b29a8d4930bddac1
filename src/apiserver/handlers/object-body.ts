// A request body that must be an object (upstream: what the decoder accepts as a
// runtime.Object): a JSON object whose metadata, if present, is an object.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';

export function asObject(body: unknown): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw ApiError.badRequest('Object is not a valid JSON object');
  const obj = body as KubeObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw ApiError.badRequest('metadata must be an object');
  return obj;
}
