// HTTP plumbing shared by every handler: bounded body reading, decoding of JSON/YAML
// bodies, and rendering of objects and Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api/errors.js';
import { decodeKubernetesProtobuf, protobufContentType } from '../api/protobuf/decode.js';

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

/** Decodes a request body as JSON, or YAML when the content type says so (apply-patch+yaml, application/yaml). */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const ct = (contentType ?? '').split(';')[0].trim();
  // kubectl ≥1.30's typed clients send protobuf and do not fall back to JSON.
  if (ct === protobufContentType) return decodeKubernetesProtobuf(body).object;
  if (ct.includes('cbor')) throw ApiError.unsupportedMediaType(ct);
  const text = body.toString('utf8');
  if (text.trim() === '') throw ApiError.badRequest('the body of the request was empty');
  if (ct.endsWith('yaml')) {
    try {
      return parseYaml(text);
    } catch (e) {
      throw ApiError.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

export function sendJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // The API server's JSON serializer is a json.Encoder: every body ends in a newline.
  const data = JSON.stringify(body) + '\n';
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(data),
    ...headers,
  });
  res.end(data);
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
  sendJSON(res, apiErr.code, apiErr.status);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}
