// agnhost netexec (test/images/agnhost/netexec/netexec.go): an HTTP server with
// /hostname, /clientip, /echo, /exit, /healthz, /shell, /dial, /redirect … and a UDP
// server answering "hostname", "echo <msg>" and "clientip".
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { bindUDP, listenAll } from '../shared/listen.js';
import { createGoHttpServer, shutdownGoServer, formatGoDuration, goJSONMap, goLog, goRemoteAddr, goRespond, joinHostPort, parseGoDuration } from '../shared/go-runtime.js';

export interface NetexecOptions {
  httpPort: number;
  /** -1 disables the UDP server (and with it readiness of /healthz, as upstream). */
  udpPort: number;
  udpListenAddresses?: string[];
  httpOverride?: string;
  /** Bind address for tests; upstream always listens on every address. */
  host?: string;
  hostname?: () => string;
  log?: (msg: string) => void;
  exit?: (code: number) => void;
  shellPath?: string;
}

export interface Netexec {
  http: http.Server;
  udp: dgram.Socket[];
  httpPort(): number;
  udpPort(): number;
  close(): Promise<void>;
}

export async function startNetexec(opts: NetexecOptions): Promise<Netexec> {
  const log = opts.log ?? ((m: string) => goLog(m));
  const hostname = opts.hostname ?? (() => os.hostname());
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const shellPath = opts.shellPath ?? '/bin/sh';
  let ready = false;

  const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams) => void | Promise<void>> = {
    '/clientip': (req, res) => {
      log('GET /clientip');
      goRespond(res, 200, goRemoteAddr(req));
    },
    '/echo': (_req, res, q) => {
      const msg = q.get('msg') ?? '';
      const code = q.get('code') ?? '';
      log(`GET /echo?msg=${msg}&code=${code}`);
      if (code !== '') {
        if (!/^[-+]?\d+$/.test(code)) {
          goRespond(res, 200, `argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n`);
          return;
        }
        goRespond(res, Number(code), msg);
        return;
      }
      goRespond(res, 200, msg);
    },
    '/exit': (req, res, q) => exitHandler(req, res, q),
    '/healthz': (_req, res) => {
      log('GET /healthz');
      goRespond(res, ready ? 200 : 412, '');
    },
    '/hostname': (_req, res) => {
      log('GET /hostname');
      goRespond(res, 200, hostname());
    },
    '/hostName': (_req, res) => {
      log('GET /hostName');
      goRespond(res, 200, hostname());
    },
    '/redirect': (req, res, q) => {
      const location = q.get('location') ?? '';
      const codeString = q.get('code') ?? '';
      log(`${req.method} /redirect?msg=${location}&code=${codeString}`);
      let code = 302;
      if (codeString !== '') {
        if (!/^[-+]?\d+$/.test(codeString)) {
          goRespond(res, 200, `argument 'code' must be an integer or empty, got ${JSON.stringify(codeString)}\n`);
          return;
        }
        code = Number(codeString);
      }
      // http.Redirect: a short HTML body for GET and HEAD.
      const text = http.STATUS_CODES[code] ?? '';
      const body = req.method === 'GET' || req.method === 'HEAD' ? `<a href="${escapeHTML(location)}">${text}</a>.\n\n` : '';
      goRespond(res, code, body, { Location: location, ...(body ? { 'Content-Type': 'text/html; charset=utf-8' } : {}) });
    },
    '/shell': (_req, res, q) =>
      new Promise<void>((resolve) => {
        const cmd = q.get('shellCommand') || q.get('cmd') || '';
        log(`GET /shell?cmd=${cmd}`);
        execFile(shellPath, ['-c', cmd], { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
          const output: Record<string, string> = {};
          const combined = stdout + stderr;
          if (combined.length > 0) output.output = combined;
          if (err) output.error = goExecError(err as NodeJS.ErrnoException & { code?: number | string; signal?: string });
          log(`Output: map[${Object.entries(output).sort().map(([k, v]) => `${k}:${v}`).join(' ')}]`);
          goRespond(res, 200, goJSONMap(output));
          resolve();
        });
      }),
    '/dial': (req, res, q) => dialHandler(req, res, q),
    '/upload': (_req, res) => {
      log('GET /upload');
      goRespond(res, 200, goJSONMap({ error: 'Unable to upload file.' }));
    },
    '/shutdown': () => {
      log('GET /shutdown');
      exit(0);
    },
  };

  const rootHandler = (res: http.ServerResponse): void => {
    log('GET /');
    goRespond(res, 200, `NOW: ${goTimeNow()}`);
  };

  const server = createGoHttpServer((req, res) => {
    const target = opts.httpOverride || req.url || '/';
    const url = new URL(target, 'http://netexec');
    const route = routes[url.pathname];
    void readForm(req, url.searchParams).then(async (q) => {
      if (route) await route(req, res, q);
      else rootHandler(res);
    });
  });

  function exitHandler(_req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): void {
    const waitString = q.get('wait') ?? '';
    const timeoutString = q.get('timeout') ?? '';
    const codeString = q.get('code') ?? '';
    log(`GET /exit?code=${codeString}&timeout=${timeoutString}&wait=${waitString}`);
    const timeout = timeoutString === '' ? 0 : parseGoDuration(timeoutString);
    if (timeout === null) {
      goRespond(res, 200, `argument 'timeout' must be a valid golang duration or empty, got ${JSON.stringify(timeoutString)}\n`);
      return;
    }
    const wait = waitString === '' ? 0 : parseGoDuration(waitString);
    if (wait === null) {
      goRespond(res, 200, `argument 'wait' must be a valid golang duration or empty, got ${JSON.stringify(waitString)}\n`);
      return;
    }
    let code = 0;
    if (codeString !== '') {
      if (!/^[-+]?\d+$/.test(codeString)) {
        goRespond(res, 200, `argument 'code' must be an integer [0-127] or empty, got ${JSON.stringify(codeString)}\n`);
        return;
      }
      code = Number(codeString);
    }
    log(`Will begin shutdown in ${durationText(wait)}, allowing ${durationText(timeout)} for connections to close, then will exit with ${code}`);
    setTimeout(() => {
      if (timeout === 0) {
        exit(code);
        return;
      }
      goRespond(res, 200, '');
      void shutdownGoServer(server, timeout / 1e6).then((done) => {
        log(`Graceful shutdown completed with: ${done ? '<nil>' : 'context deadline exceeded'}`);
        exit(code);
      });
    }, wait / 1e6);
  }

  async function dialHandler(_req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): Promise<void> {
    const host = q.get('host') ?? '';
    const port = q.get('port') ?? '';
    const request = q.get('request') ?? '';
    const protocol = q.get('protocol') ?? '';
    const tryParam = q.get('tries') ?? '';
    log(`GET /dial?host=${host}&protocol=${protocol}&port=${port}&request=${request}&tries=${tryParam}`);
    let tries = 1;
    if (tryParam !== '') {
      if (!/^[-+]?\d+$/.test(tryParam)) {
        goRespond(res, 400, `tries parameter is invalid. strconv.Atoi: parsing ${JSON.stringify(tryParam)}: invalid syntax\n`);
        return;
      }
      tries = Number(tryParam);
    }
    if (request === '') {
      goRespond(res, 400, 'request parameter not specified. <nil>\n');
      return;
    }
    const proto = protocol.toLowerCase();
    if (proto !== '' && proto !== 'http' && proto !== 'udp') {
      goRespond(res, 400, `unsupported protocol. ${protocol}\n`);
      return;
    }
    const responses: string[] = [];
    const errors: string[] = [];
    let last = '';
    for (let i = 0; i < tries; i++) {
      try {
        last = proto === 'udp' ? await dialUDP(host, Number(port), request) : await dialHTTP(host, Number(port), request);
        responses.push(last);
      } catch (err) {
        last = '';
        errors.push((err as Error).message);
      }
    }
    const output: Record<string, string[]> = {};
    if (last.length > 0) output.responses = responses;
    if (errors.length > 0) output.errors = errors;
    goRespond(res, 200, goJSONMap(output));
  }

  // UDP server
  const udp: dgram.Socket[] = [];
  if (opts.udpPort !== -1) {
    const addresses = opts.udpListenAddresses?.length ? [...new Set(opts.udpListenAddresses)].sort() : [''];
    for (const address of addresses) {
      const sock = await bindUDP(opts.udpPort, address || opts.host);
      sock.on('message', (msg, rinfo) => {
        const text = msg.toString('utf8').trim().toLowerCase();
        const client = joinHostPort(rinfo.address, rinfo.port);
        const reply = (s: string): void => sock.send(s, rinfo.port, rinfo.address);
        if (text === 'hostname') {
          log('Sending udp hostName response');
          reply(hostname());
        } else if (text.startsWith('echo ')) {
          const resp = text.slice(5);
          log(`Echoing ${resp} to UDP client ${client}`);
          reply(resp);
        } else if (text === 'clientip') {
          log(`Sending clientip back to UDP client ${client}`);
          reply(client);
        } else if (text.length > 0) {
          log(`Unknown UDP command received from ${client}: ${text}`);
        }
      });
      udp.push(sock);
      log(`Started UDP server on port ${address} ${opts.udpPort}`);
      ready = true;
    }
  }

  await listenAll(server, opts.httpPort, opts.host);
  log(`Started HTTP server on port ${opts.httpPort}`);

  return {
    http: server,
    udp,
    httpPort: () => (server.address() as AddressInfo).port,
    udpPort: () => (udp[0] ? udp[0].address().port : -1),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of udp) s.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** r.FormValue: POSTed url-encoded form values first, then the query. */
async function readForm(req: http.IncomingMessage, query: URLSearchParams): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!['POST', 'PUT', 'PATCH'].includes(req.method ?? '') || !type.startsWith('application/x-www-form-urlencoded')) {
    return query;
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  for (const [k, v] of query) if (!form.has(k)) form.append(k, v);
  return form;
}

function dialHTTP(host: string, port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: `/${request}`, timeout: 5000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`Get "http://${joinHostPort(host, port)}/${request}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code ? new Error(`Get "http://${joinHostPort(host, port)}/${request}": dial tcp ${joinHostPort(host, port)}: connect: ${goErrno(err.code)}`) : err),
    );
  });
}

function dialUDP(host: string, port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`reading from udp connection failed. err:'read udp ${joinHostPort(host, port)}: i/o timeout'`));
    }, 5000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg.toString('utf8'));
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.close();
      reject(new Error(`reading from udp connection failed. err:'read udp ${joinHostPort(host, port)}: ${goErrno(err.code ?? '')}'`));
    });
    sock.connect(port, host, () => sock.send(request));
  });
}

function goErrno(code: string): string {
  return (
    { ECONNREFUSED: 'connection refused', EHOSTUNREACH: 'no route to host', ENETUNREACH: 'network is unreachable', ETIMEDOUT: 'connection timed out' }[code] ??
    code.toLowerCase()
  );
}

// exec.ExitError's text: "exit status 1", "signal: killed".
function goExecError(err: { code?: number | string; signal?: string | null; message: string }): string {
  if (typeof err.code === 'number') return `exit status ${err.code}`;
  if (err.signal) return `signal: ${err.signal === 'SIGKILL' ? 'killed' : err.signal.toLowerCase()}`;
  return err.message;
}

function durationText(ns: number): string {
  return formatGoDuration(ns);
}

function escapeHTML(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

// time.Now().String(): "2026-11-26 02:16:28.123456789 +0000 UTC m=+12.345678901".
function goTimeNow(): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = (String(d.getUTCMilliseconds()).padStart(3, '0') + String(Math.floor(Math.random() * 1e6)).padStart(6, '0')).replace(/0+$/, '');
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac ? '.' + frac : ''} +0000 UTC ` +
    `m=+${process.uptime().toFixed(9)}`
  );
}
