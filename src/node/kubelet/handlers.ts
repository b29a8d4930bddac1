// The actions probes and lifecycle hooks run (upstream pkg/probe/{http,tcp,exec} and
// pkg/kubelet/lifecycle/handlers.go), with upstream's result texts. The kubelet runs in the
// node's network namespace, so httpGet and tcpSocket reach the pod at its IP directly;
// exec runs inside the container's sandbox through a SandboxExec.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container, HTTPGetAction } from '../../api/types.js';
import { kubeletVersion } from '../node-registration.js';

export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface ActionOutcome {
  result: ProbeResult;
  /** Upstream's output text: what follows "Liveness probe failed: ". */
  output: string;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

/** Runs a command inside a container's sandbox (nsenter into its namespaces); rejects with a timeout error after timeoutMs. */
export type SandboxExec = (target: { podUID: string; container: string; pid?: number }, argv: string[], timeoutMs: number) => Promise<ExecResult>;

export class ExecTimeoutError extends Error {}

/** "kube-probe/1.33" (upstream's probe User-Agent: kube-probe/<major>.<minor>). */
export const probeUserAgent = `kube-probe/${kubeletVersion.replace(/^v(\d+)\.(\d+).*$/, '$1.$2')}`;

/** A named port → its number from the container's ports (upstream probe.ResolveContainerPort). */
export function resolvePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The text Go's net package gives a failed dial. */
function dialError(host: string, port: number, e: NodeJS.ErrnoException): string {
  const target = `dial tcp ${hostPort(host, port)}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `${target}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${target}: connect: no route to host`;
    case 'ENETUNREACH':
      return `${target}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `${target}: i/o timeout`;
    default:
      return `${target}: ${e.message}`;
  }
}

export function httpGetURL(action: HTTPGetAction, host: string, port: number): string {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  let p = action.path ?? '';
  if (p && !p.startsWith('/')) p = '/' + p;
  return `${scheme}://${hostPort(action.host || host, port)}${p}`;
}

/** upstream pkg/probe/http DoHTTPProbe: 2xx/3xx succeed, others fail with "HTTP probe failed with statuscode: N". */
export function httpGet(action: HTTPGetAction, podIP: string, port: number, timeoutMs: number): Promise<ActionOutcome> {
  const url = httpGetURL(action, podIP, port);
  const headers: Record<string, string> = { 'User-Agent': probeUserAgent, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) {
    if (h.name.toLowerCase() === 'host') continue;
    headers[h.name] = h.value;
  }
  const hostHeader = action.httpHeaders?.find((h) => h.name.toLowerCase() === 'host')?.value;
  if (hostHeader) headers.Host = hostHeader;
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: ActionOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = mod.get(url, { headers, agent: false, rejectUnauthorized: false }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      res.on('error', () => undefined);
      if (code >= 200 && code < 400) done({ result: 'Success', output: '' });
      else done({ result: 'Failure', output: `HTTP probe failed with statuscode: ${code}` });
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ result: 'Failure', output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      done({ result: 'Failure', output: `Get "${url}": ${dialError(action.host || podIP, port, e)}` });
    });
  });
}

/** upstream pkg/probe/tcp DoTCPProbe. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ActionOutcome> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ result: 'Failure', output: `dial tcp ${hostPort(host, port)}: i/o timeout` });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ result: 'Success', output: '' });
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: 'Failure', output: dialError(host, port, e) });
    });
  });
}

/** upstream pkg/probe/exec: exit 0 succeeds; otherwise the command's output is the failure text. */
export async function execProbe(exec: SandboxExec, target: { podUID: string; container: string; pid?: number }, argv: string[], timeoutMs: number): Promise<ActionOutcome> {
  try {
    const r = await exec(target, argv, timeoutMs);
    return r.exitCode === 0 ? { result: 'Success', output: r.output } : { result: 'Failure', output: r.output };
  } catch (e) {
    if (e instanceof ExecTimeoutError) return { result: 'Failure', output: `command ${JSON.stringify(argv.join(' '))} timed out` };
    return { result: 'Unknown', output: (e as Error).message };
  }
}
