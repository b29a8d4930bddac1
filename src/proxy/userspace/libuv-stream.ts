// Node's own libuv stream bindings (tcp_wrap, stream_wrap), used without net.Socket.
//
// Why: a proxied connection needs nothing of net.Socket's stream machinery (Readable and
// Writable state, EventEmitter dispatch, a fresh buffer per read, timers) — only "read into
// this buffer, write that buffer, shut down, close". Measured on these machines, that
// machinery was most of the proxy's CPU per request (docs/benchmarks.md). These are the
// handles net.Socket itself is built on; `process.binding` keeps them reachable on Node 20
// (the allow-listed legacy entry points, not internals).
import { getSystemErrorMap } from 'node:util';

export interface ReqWrap {
  oncomplete: ((status: number) => void) | null;
}

/** A libuv stream handle (uv_tcp_t) as the binding exposes it. */
export interface StreamHandle {
  onread: (() => void) | null;
  readStart(): number;
  readStop(): number;
  useUserBuffer(buf: Uint8Array): void;
  writeBuffer(req: ReqWrap, buf: Uint8Array): number;
  shutdown(req: ReqWrap): number;
  close(cb?: () => void): void;
  reset(cb?: () => void): number;
  setNoDelay(on: boolean): number;
  getpeername(out: { address?: string; port?: number; family?: string }): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  connect(req: ReqWrap, address: string, port: number): number;
  connect6(req: ReqWrap, address: string, port: number): number;
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  onconnection: ((status: number, client?: StreamHandle) => void) | null;
  fd: number;
}

interface TcpWrapBinding {
  TCP: new (type: number) => StreamHandle;
  TCPConnectWrap: new () => ReqWrap;
  constants: { SOCKET: number; SERVER: number };
}

interface StreamWrapBinding {
  WriteWrap: new () => ReqWrap;
  ShutdownWrap: new () => ReqWrap;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
  streamBaseState: Int32Array;
}

type LegacyBinding = (name: string) => unknown;
const binding = (process as unknown as { binding: LegacyBinding }).binding;
const tcpWrap = binding('tcp_wrap') as TcpWrapBinding;
const streamWrap = binding('stream_wrap') as StreamWrapBinding;

export const { WriteWrap, ShutdownWrap } = streamWrap;
export const TCPConnectWrap = tcpWrap.TCPConnectWrap;
const state = streamWrap.streamBaseState;
const kReadBytesOrError = streamWrap.kReadBytesOrError;
const kLastWriteWasAsync = streamWrap.kLastWriteWasAsync;

/** libuv's UV_EOF: the peer shut down its side. */
export const UV_EOF = -4095;

export const newTcpSocket = (): StreamHandle => new tcpWrap.TCP(tcpWrap.constants.SOCKET);
export const newTcpServer = (): StreamHandle => new tcpWrap.TCP(tcpWrap.constants.SERVER);

/** Bytes read (> 0), UV_EOF or a negative errno, for the onread call in progress. */
export const lastReadResult = (): number => state[kReadBytesOrError];

/** True when the writeBuffer just made is still in flight (its req's oncomplete will run). */
export const lastWriteWasAsync = (): boolean => state[kLastWriteWasAsync] !== 0;

const errorMap = getSystemErrorMap();

/** The errno's code ("EMFILE") of a libuv status, without building an Error. */
export function uvCode(err: number): string {
  return errorMap.get(err)?.[0] ?? String(err);
}

/** An Error like net's: "listen EADDRINUSE: address already in use 10.96.0.1:80", with code and errno. */
export function uvError(err: number, syscall: string, address?: string): NodeJS.ErrnoException {
  const [code, text] = errorMap.get(err) ?? [`Unknown system error ${err}`, `unknown error`];
  const e: NodeJS.ErrnoException = new Error(`${syscall} ${code}: ${text}${address ? ` ${address}` : ''}`);
  e.code = code;
  e.errno = err;
  e.syscall = syscall;
  return e;
}
