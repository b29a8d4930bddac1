// The API server reached from the same process (the daemon's controllers and fake kubelets):
// each request goes through the very handler the unix socket's requests go through — trusted
// as that socket is, the same authorization, admission, validation, field manager, watch
// events — with a request and a response that stand in for node:http's, so there is no
// socket, no HTTP framing and no re-parsing. A body the client handed over as an object is
// the request's decoded body (the client's transport hands over its own copy), and an object
// a verb handler sends with sendObject (a fresh decode of the store, built for that response
// alone) is the client's response. Everything else (errors, discovery, watch lines) travels
// as the bytes HTTP would carry.
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { InProcessServer, RawResponse, StreamSink } from '../client/transport.js';
import { goJSON } from '../util/go-json.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a response is delivered to: the head once, then data (or an object), then the end. */
interface ResponseSink {
  head(status: number, headers: IncomingHttpHeaders): void;
  data(chunk: string | Buffer): void;
  object(obj: unknown): void;
  end(err?: Error): void;
}

/** The request as a handler reads it: node:http's IncomingMessage surface, body included. */
export class InProcessRequest extends Readable {
  readonly httpVersion = '1.1';
  readonly rawHeaders: string[] = [];
  private body: unknown;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
    body: unknown,
  ) {
    // Closed by the client (a watch it stops), not by reading the body to its end.
    super({ autoDestroy: false });
    this.body = body;
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') this.rawHeaders.push(k, v);
  }

  /** The body as the client handed it over, decoded already (once: it then belongs to the handler). */
  takeObjectBody(): { value: unknown } | undefined {
    if (this.body === undefined || typeof this.body === 'string') return undefined;
    const value = this.body;
    this.body = undefined;
    return { value };
  }

  /** Handlers that read the body as bytes get the JSON HTTP would carry. */
  override _read(): void {
    const b = this.body;
    this.body = undefined;
    if (b !== undefined) this.push(Buffer.from(typeof b === 'string' ? b : JSON.stringify(b)));
    this.push(null);
  }
}

/** The response as a handler writes it: node:http's ServerResponse surface, delivered to a sink. */
export class InProcessResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  /** Delivery is immediate: nothing waits in a socket buffer. */
  readonly writableLength = 0;
  private readonly headerMap = new Map<string, number | string | string[]>();

  constructor(private readonly sink: ResponseSink) {
    super();
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.headerMap.set(name.toLowerCase(), Array.isArray(value) ? [...(value as string[])] : (value as number | string));
    return this;
  }

  getHeader(name: string): number | string | string[] | undefined {
    return this.headerMap.get(name.toLowerCase());
  }

  hasHeader(name: string): boolean {
    return this.headerMap.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.headerMap.delete(name.toLowerCase());
  }

  getHeaders(): OutgoingHttpHeaders {
    return Object.fromEntries(this.headerMap);
  }

  writeHead(code: number, a?: string | OutgoingHttpHeaders, b?: OutgoingHttpHeaders): this {
    this.statusCode = code;
    const headers = typeof a === 'string' ? b : a;
    for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) this.setHeader(k, v);
    this.sendHead();
    return this;
  }

  flushHeaders(): void {
    this.sendHead();
  }

  write(chunk: string | Buffer): boolean {
    if (this.writableEnded || this.destroyed) return false;
    this.sendHead();
    this.sink.data(chunk);
    return true;
  }

  end(chunk?: string | Buffer | (() => void)): this {
    if (this.writableEnded || this.destroyed) return this;
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) this.write(chunk);
    else this.sendHead();
    this.finish();
    return this;
  }

  /** sendObject's path: the object itself is the response body. */
  endWithObject(code: number, obj: unknown, headers: OutgoingHttpHeaders): void {
    if (this.writableEnded || this.destroyed) return;
    if (!this.headersSent) this.writeHead(code, headers);
    this.sink.object(obj);
    this.finish();
  }

  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableEnded) this.sink.end(err ?? new Error('socket hang up'));
    this.emit('close');
    return this;
  }

  /** The client went away (it stopped its watch): as a closed connection, 'close' and nothing more. */
  clientClosed(): void {
    if (this.writableEnded || this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }

  private sendHead(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const headers: IncomingHttpHeaders = {};
    for (const [k, v] of this.headerMap) headers[k] = typeof v === 'number' ? String(v) : v;
    this.sink.head(this.statusCode, headers);
  }

  private finish(): void {
    this.writableEnded = true;
    this.sink.end();
    this.emit('finish');
    this.emit('close');
  }
}

function lowerCased(headers: Record<string, string>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** A response whose body is the object a handler sent, or the bytes it wrote (the JSON HTTP would carry, on demand). */
function rawResponse(status: number, headers: IncomingHttpHeaders, chunks: Buffer[], object: unknown): RawResponse {
  let body: Buffer | undefined;
  return {
    status,
    headers,
    object,
    get body(): Buffer {
      body ??= object !== undefined ? Buffer.from(goJSON(object) + '\n') : Buffer.concat(chunks);
      return body;
    },
  };
}

/** The server's side: the open streams end when it stops, as its sockets' connections do. */
export interface InProcessConnections extends InProcessServer {
  closeAll(): void;
}

/** The transport's side of the server: requests and streams handed to the handler directly. */
export function inProcessServer(handle: Handler): InProcessConnections {
  const serve = (req: InProcessRequest, res: InProcessResponse) => handle(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  const open = new Set<InProcessResponse>();
  return {
    request(method, path, headers, body) {
      return new Promise<RawResponse>((resolve, reject) => {
        let status = 0;
        let head: IncomingHttpHeaders = {};
        const chunks: Buffer[] = [];
        let object: unknown;
        const res = new InProcessResponse({
          head: (s, h) => ((status = s), (head = h)),
          data: (c) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c),
          object: (o) => (object = o),
          // On a later turn of the event loop, as a socket's response would come: a caller
          // looping on requests never starves timers and other I/O.
          end: (err) => setImmediate(() => (err ? reject(err) : resolve(rawResponse(status, head, chunks, object)))),
        });
        serve(new InProcessRequest(method, path, lowerCased(headers), body), res);
      });
    },
    stream(path, headers, sink) {
      return streamTo(serve, new InProcessRequest('GET', path, lowerCased(headers), undefined), sink, open);
    },
    closeAll() {
      for (const res of open) res.destroy();
      open.clear();
    },
  };
}

/**
 * A streaming response (a watch) is delivered on a later turn of the event loop, as a
 * socket's data would be, in order and in batches: a client's handler never runs inside
 * the write that caused the event (the store's dispatch to every watcher completes first).
 */
function streamTo(
  serve: (req: InProcessRequest, res: InProcessResponse) => void,
  req: InProcessRequest,
  sink: StreamSink,
  open: Set<InProcessResponse>,
): { close(): void } {
  let pending: (() => void)[] = [];
  let scheduled = false;
  let closed = false;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (const deliver of batch) if (!closed) deliver();
  };
  const later = (deliver: () => void) => {
    pending.push(deliver);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const res = new InProcessResponse({
    head: (status) => later(() => sink.head(status)),
    data: (c) => {
      const text = typeof c === 'string' ? c : c.toString('utf8');
      later(() => sink.data(text));
    },
    object: (o) => later(() => sink.data(goJSON(o) + '\n')),
    end: (err) => {
      open.delete(res);
      later(() => ((closed = true), sink.end(err)));
    },
  });
  // A dropped connection: the handler's request closes too (the watch stops).
  res.on('close', () => req.destroy());
  open.add(res);
  serve(req, res);
  return {
    close() {
      closed = true;
      open.delete(res);
      res.clientClosed();
      req.destroy();
    },
  };
}
