// What the benchmarks share: their command-line options, the build they run, free loopback
// ports and the node agents of the cluster they brought up (by their recorded PIDs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The build to run: $KANZEN_DIST, else this checkout's dist/. */
export const dist = path.resolve(process.env.KANZEN_DIST ?? path.join(root, 'dist'));

const argv = process.argv.slice(2);
/** `--name value` or the default. */
export const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
/** `--name` given at all. */
export const flag = (name) => argv.includes(`--${name}`);

/** The command is on PATH. */
export const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** A free TCP port on host (port 0: any), or 0 when the one asked for is taken. */
export function freePort(host = '127.0.0.1', port = 0) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(0));
    s.listen(port, host, () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

export function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * The node agent process of node <index> of the cluster in home: the PID the supervisor
 * records in <home>/nodes/node-<index>/agent.pid, checked against its own arguments (a
 * recorded PID may have been reused).
 */
export function nodeAgentPid(home, index) {
  const file = path.join(home, 'nodes', `node-${index}`, 'agent.pid');
  const pid = Number(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : NaN);
  const a = cmdline(pid);
  const at = (k) => a[a.indexOf(k) + 1];
  if (a.some((x) => x.endsWith('node-agent-main.js')) && a.includes('--home') && path.resolve(at('--home')) === path.resolve(home) && at('--index') === String(index)) return pid;
  throw new Error(`no node agent ${index} for ${home}`);
}

/**
 * Installs the Debian packages of the commands a benchmark needs (command → package) when
 * they are missing, as root with apt-get (the package lists refreshed only when the first
 * install fails: a fresh machine's may not know them yet); exits when it cannot.
 */
export function ensurePackages(bench, tools) {
  const packages = [...new Set(Object.entries(tools).filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg))];
  if (packages.length === 0) return;
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error(`${bench} needs ${packages.join(', ')}: install them with apt-get as root`);
    process.exit(1);
  }
  console.log(`installing ${packages.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env }).status === 0;
  if (!install() && !(spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env }).status === 0 && install())) process.exit(1);
}

function toMs(v, unit) {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/** wrk's figures (with --latency): requests, seconds, req/s, p50/p99 in ms, socket errors plus non-2xx answers. */
export function parseWrk(out) {
  const lat = (pct) => {
    const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    requests: done ? Number(done[1]) : NaN,
    seconds: done ? toMs(done[2], done[3]) / 1000 : NaN,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: lat(50),
    p99: lat(99),
    errors: (sock ? sock.slice(1).reduce((n, x) => n + Number(x), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0),
  };
}

/** The median of the finite numbers. */
export const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The start of the HAProxy configurations the benchmarks run: one thread, the given mode (tcp, http). */
export function haproxyHeader(mode) {
  return ['global', '  maxconn 4000', '  nbthread 1', 'defaults', `  mode ${mode}`];
}
