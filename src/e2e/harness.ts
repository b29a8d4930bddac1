// Brings a real cluster up for end-to-end tests and drives it with the real kubectl
// (the client named by $KANZEN_KUBECTL, else `kubectl`). Each test file gets its own
// cluster name, home and port, and always takes it down, even when a test fails.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Transport } from '../client/transport.js';
import { waitFor } from '../testing/wait.js';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = path.join(distDir, 'cli', 'main.js');
export const kubectlBin = process.env.KANZEN_KUBECTL ?? 'kubectl';
/** The oldest and newest kubectl the project supports (SPDY-only and WebSocket streaming clients). */
export const kubectl127Bin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';
export const kubectl133Bin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
/**
 * The clients a test drives a long flow with: the pass's own when the runner names one
 * ($KANZEN_KUBECTL: scripts/run-tests.mjs runs the suite once with the oldest and once with
 * the newest client), else both, so a file run on its own still covers both.
 */
export const passClients: string[] = process.env.KANZEN_KUBECTL ? [process.env.KANZEN_KUBECTL] : [kubectl127Bin, kubectl133Bin].filter((b) => existsSync(b));
/**
 * The Service data plane of this pass's netns clusters ($KANZEN_PROXY_MODE: scripts/run-tests.mjs
 * gives each kubectl pass its own mode, so every Service e2e runs in both at no extra pass);
 * unset, a cluster runs the default (nftables where the kernel can). Explicit --proxy-mode wins.
 */
export const passProxyMode: string | undefined = process.env.KANZEN_PROXY_MODE || undefined;
/** "1.27" for …/kubectl.1.27; "" for a client whose file name says no version. */
export const clientVersion = (bin: string): string => /kubectl\.(\d+\.\d+)$/.exec(bin)?.[1] ?? '';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function runKanzen(args: string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface TestCluster {
  name: string;
  home: string;
  port: number;
  kubeconfig: string;
  /** Runs kubectl against the cluster; rejects never, returns code and output. */
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number; bin?: string }): Promise<RunResult>;
  /** kubectl that must succeed: returns stdout. */
  k(args: string[], opts?: { input?: string; env?: Record<string, string> }): Promise<string>;
  /** A client over the cluster's unix socket (no token needed). */
  transport(): Transport;
  up(extra?: string[]): RunResult;
  down(purge?: boolean): RunResult;
}

/** Whether a program is on the PATH (tests that need one skip without it). */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** A cluster for one test file; the fake runtime unless extraArgs names another (API-only tests need no root). */
export async function startCluster(opts: { nodes?: number; extraArgs?: string[] } = {}): Promise<TestCluster> {
  if (!opts.extraArgs?.includes('--runtime')) opts = { ...opts, extraArgs: [...(opts.extraArgs ?? []), '--runtime', 'fake'] };
  if (passProxyMode && !opts.extraArgs?.includes('--proxy-mode')) opts = { ...opts, extraArgs: [...(opts.extraArgs ?? []), '--proxy-mode', passProxyMode] };
  const name = `e2e-${randomBytes(3).toString('hex')}`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `kanzen-${name}-`));
  const port = await freePort();
  const kubeconfig = path.join(home, 'kubeconfig');
  const cacheDir = path.join(home, 'kubectl-cache');
  const transports: Transport[] = [];
  const cluster: TestCluster = {
    name,
    home,
    port,
    kubeconfig,
    kubectl(args, o = {}) {
      return new Promise((resolve) => {
        const child = spawn(o.bin ?? kubectlBin, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], {
          env: { ...process.env, KUBECONFIG: kubeconfig, ...(o.env ?? {}) },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? -1, stdout, stderr });
        });
        // kubectl may exit before it reads its stdin (most commands never do): the write then
        // fails with EPIPE, which is no failure of the command.
        child.stdin.on('error', () => undefined);
        child.stdin.end(o.input ?? '');
      });
    },
    async k(args, o) {
      const r = await cluster.kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    transport() {
      const t = new Transport({ socketPath: path.join(home, 'run', 'apiserver.sock') });
      transports.push(t);
      return t;
    },
    up(extra = []) {
      return runKanzen(['up', '--name', name, '--home', home, '--api-port', String(port), '--no-kubeconfig', ...(opts.nodes ? ['--nodes', String(opts.nodes)] : []), ...(opts.extraArgs ?? []), ...extra]);
    },
    down(purge = false) {
      for (const t of transports.splice(0)) t.close();
      // KANZEN_E2E_KEEP=1 leaves a cluster up for inspection after a failing run.
      if (purge && process.env.KANZEN_E2E_KEEP) {
        process.stderr.write(`keeping cluster ${name} (home ${home})\n`);
        return { code: 0, stdout: '', stderr: '' };
      }
      return runKanzen(['down', '--name', name, '--home', home, ...(purge ? ['--purge'] : [])]);
    },
  };
  const r = cluster.up();
  if (r.code !== 0) {
    const log = fs.existsSync(path.join(home, 'logs', 'daemon.log')) ? fs.readFileSync(path.join(home, 'logs', 'daemon.log'), 'utf8').slice(-4000) : '';
    cluster.down(true);
    throw new Error(`kanzen up failed (${r.code}): ${r.stderr}\n${log}`);
  }
  return cluster;
}

/** The proxy mode a netns cluster's nodes run, once node-1's proxy has published it (proxy-sync-reporter.ts). */
export function nodeProxyMode(c: Pick<TestCluster, 'k'>, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => (await c.k(['get', 'node', 'node-1', '-o', 'jsonpath={.metadata.annotations.kanzen\\.io/proxy-mode}'])).trim(), timeoutMs);
}

/** A GET straight to the cluster's HTTPS API, no kubectl, with only the headers given (none: a client without credentials). */
export function httpsGet(c: Pick<TestCluster, 'port'>, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port: c.port, path: p, rejectUnauthorized: false, headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** Column values of a kubectl table output, by header name. */
export function parseTable(out: string): Record<string, string>[] {
  const lines = out.split('\n').filter((l) => l.trim());
  if (!lines.length) return [];
  const header = lines[0];
  const cols: { name: string; start: number }[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) cols.push({ name: m[0], start: m.index });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    cols.forEach((c, i) => {
      const end = i + 1 < cols.length ? cols[i + 1].start : undefined;
      row[c.name] = line.slice(c.start, end).trim();
    });
    return row;
  });
}

/**
 * The cluster's LoadBalancer pool as its config records it: each cluster claims its own range
 * (lb-pool-claims.ts), so which one depends on the clusters running beside it.
 */
export function loadBalancerPool(c: TestCluster): string {
  return (JSON.parse(fs.readFileSync(path.join(c.home, 'cluster.json'), 'utf8')) as { lbPool: string }).lbPool;
}

/** True when ip is in a /24 pool such as 127.0.101.0/24. */
export function inPool24(ip: string, pool: string): boolean {
  return pool.endsWith('.0/24') && ip.startsWith(pool.slice(0, -'0/24'.length)) && /^\d+$/.test(ip.slice(pool.length - '0/24'.length));
}

export function writeTemp(dir: string, name: string, content: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** A row of `kubectl get pods -o wide`: the columns tests read by name. */
export interface PodRow extends Record<string, string> {
  NAME: string;
  READY: string;
  STATUS: string;
  IP: string;
  NODE: string;
}

/** `kubectl get pods -o wide`, of the pods matching selector when one is given. */
export async function podRows(c: TestCluster, selector?: string): Promise<PodRow[]> {
  const args = selector === undefined ? ['get', 'pods', '-o', 'wide'] : ['get', 'pods', '-l', selector, '-o', 'wide'];
  return parseTable(await c.k(args)) as PodRow[];
}

/** The pods once exactly n match (all of the namespace without a selector), each Running with READY 1/1. */
export function runningPods(c: TestCluster, selector: string | undefined, n: number, timeoutMs: number): Promise<PodRow[]> {
  return eventually(async () => {
    const rows = await podRows(c, selector);
    return rows.length === n && rows.every((r) => r.STATUS === 'Running' && r.READY === '1/1') ? rows : undefined;
  }, timeoutMs);
}

/**
 * One kubectl binary against the cluster, for files that run their tests once per client:
 * `run` answers code and output, `k` must succeed and answers stdout.
 */
export function kubectlClient(c: Pick<TestCluster, 'kubectl'>, bin: string) {
  const run = (args: string[], input?: string) => c.kubectl(args, { input, bin });
  const k = async (args: string[], input?: string): Promise<string> => {
    const r = await run(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  return { run, k };
}

/** waitFor at the pace of kubectl round trips; any falsy value (an empty output too) is "not yet". */
export function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 200): Promise<T> {
  return waitFor(async () => (await fn()) || undefined, timeoutMs, `condition (${timeoutMs} ms)`, intervalMs);
}

/**
 * Runs kubectl on a terminal (util-linux script gives it a pty, as a user's shell would),
 * typing `input` once kubectl says it is attached; ends when kubectl exits.
 */
export function kubectlOnTty(c: Pick<TestCluster, 'kubeconfig'>, bin: string, args: string[], input: string, timeoutMs = 60_000): Promise<RunResult> {
  const cmd = [bin, `--kubeconfig=${c.kubeconfig}`, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined); // the session may end before the input is written (EPIPE)
    let stdout = '';
    let typed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // kubectl prints this once the attach stream is up; typing earlier would go to the local line discipline.
      if (!typed && stdout.includes("If you don't see a command prompt, try pressing enter.")) {
        typed = true;
        setTimeout(() => child.stdin.write(input), 300);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // stdin stays open: an EOF would make script(1) type ^D into the session.
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code: code ?? -1, stdout, stderr: '' });
    });
  });
}
