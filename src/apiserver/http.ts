// HTTP plumbing shared by every handler: bounded body reading, decoding of JSON/YAML
// bodies, and rendering of objects and Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api/errors.js';
import { decodeKubernetesProtobuf, protobufContentType } from '../api/protobuf/decode.js';
import { checkYamlDepth, scanJson } from './json-scan.js';
import { goJSON } from '../util/go-json.js';
import { InProcessRequest, InProcessResponse } from './in-process.js';

/** The API server's request body limit (apiserver's MaxRequestBodyBytes default, 3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxRequestBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw ApiError.tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw ApiError.tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The media types an object body may have (the serializers NegotiateInputSerializer
 * offers; CBOR is behind a feature gate that is off in 1.33).
 */
export const objectMediaTypes = ['application/json', 'application/yaml', protobufContentType] as const;
/** The patch types the PATCH handler accepts, in the order its 415 lists them. */
export const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

const jsonMediaTypes = new Set<string>(['application/json', ...patchMediaTypes.filter((t) => t.endsWith('+json'))]);
const yamlMediaTypes = new Set<string>(['application/yaml', 'application/apply-patch+yaml']);

/** The media type of a Content-Type header, without parameters, as mime.ParseMediaType lowercases it. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export interface DecodedBody {
  value: unknown;
  /** Strict paths of keys a JSON body repeats (the strict decoder's duplicate fields). */
  duplicates: string[];
}

/**
 * Decodes a request body by its media type: JSON (and the JSON patch types), YAML
 * (application/yaml, apply-patch+yaml) or protobuf; no Content-Type means JSON, as the
 * API server's negotiation defaults. Any other type is 415 (text/plain, XML, forms).
 */
export function decodeRequestBody(body: Buffer, contentType: string | undefined): DecodedBody {
  const ct = mediaType(contentType) || 'application/json';
  // kubectl ≥1.30's typed clients send protobuf and do not fall back to JSON.
  if (ct === protobufContentType) return { value: decodeKubernetesProtobuf(body).object, duplicates: [] };
  if (!jsonMediaTypes.has(ct) && !yamlMediaTypes.has(ct)) throw ApiError.unsupportedMediaType(objectMediaTypes);
  const text = body.toString('utf8');
  if (text.trim() === '') throw ApiError.badRequest('the body of the request was empty');
  if (yamlMediaTypes.has(ct)) {
    checkYamlDepth(text);
    try {
      return { value: parseYaml(text), duplicates: [] };
    } catch (e) {
      throw ApiError.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  // Depth first: the decoder refuses over-deep bodies before anything walks them.
  const duplicates = scanJson(text);
  try {
    return { value: JSON.parse(text), duplicates };
  } catch (e) {
    throw ApiError.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/** decodeRequestBody's value alone, for bodies that are not checked field by field. */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  return decodeRequestBody(body, contentType).value;
}

/**
 * The request's body, decoded by its media type: read and decoded, or — from a client in
 * this process (in-process.ts) — the object it handed over, which is what decoding its JSON
 * gives (a JSON object has no duplicate keys). Other media types go the way of the bytes.
 */
export async function requestBody(req: IncomingMessage, contentType: string | undefined = req.headers['content-type']): Promise<DecodedBody> {
  if (req instanceof InProcessRequest) {
    const ct = mediaType(contentType) || 'application/json';
    const given = jsonMediaTypes.has(ct) || yamlMediaTypes.has(ct) ? req.takeObjectBody() : undefined;
    if (given) return { value: given.value, duplicates: [] };
  }
  return decodeRequestBody(await readBody(req), contentType);
}

export function sendJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // The API server's JSON serializer is a json.Encoder: Go's escaping, and every body ends in a newline.
  const data = goJSON(body) + '\n';
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
}

/**
 * Sends an object built for this response alone (a fresh decode of the store, never shared):
 * a client in this process takes the object itself, others get its JSON.
 */
export function sendObject(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res instanceof InProcessResponse) return res.endWithObject(code, body, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
  sendJSON(res, code, body, headers);
}

/** Adds a `Warning: 299 - "…"` header (warning.AddWarning), keeping any already set. */
export function addWarning(res: ServerResponse, text: string): void {
  if (res.headersSent) return;
  const prev = res.getHeader('Warning');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  const value = `299 - ${JSON.stringify(text)}`;
  if (!list.includes(value)) res.setHeader('Warning', [...list, value]);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : ApiError.internal(err);
  // responsewriters.ErrorNegotiated: a Status that says when to retry says it in a header too.
  const retryAfter = apiErr.status.details?.retryAfterSeconds;
  sendJSON(res, apiErr.code, apiErr.status, retryAfter ? { 'Retry-After': String(retryAfter) } : undefined);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}
