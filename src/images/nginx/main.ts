#!/usr/bin/env node
// The `nginx` image: this program is both its ENTRYPOINT (/docker-entrypoint.sh, which
// prints its configuration steps and then runs the CMD) and the `nginx` binary itself.
//
//   main.js                      → serve (like `nginx -g 'daemon off;'`)
//   main.js nginx -g 'daemon off;' → entrypoint messages, then serve (the image's default)
//   main.js nginx -v | -V | -t | -s <signal>
//   main.js <other command…>     → run it, as the entrypoint's `exec "$@"` would
//
// Environment: NGINX_VERSION (the image's ENV; picks Server: and the welcome page),
// KANZEN_NGINX_LISTEN ("80", "127.0.0.1:8080", "[::1]:8080"; default port 80 on all
// addresses), KANZEN_NGINX_ROOT (default /usr/share/nginx/html), KANZEN_NGINX_PID
// (pid file used by `nginx -s`; none by default).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { NGINX_HTML_ROOT } from './html.js';
import { errorLogTime, LineBuffer } from './logs.js';
import { createNginxServer } from './server.js';
import { NGINX_MAINLINE } from './version.js';

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR1: 10, SIGTERM: 15 };

const version = process.env.NGINX_VERSION || NGINX_MAINLINE;
const pid = process.pid;

function notice(msg: string): void {
  process.stderr.write(`${errorLogTime(Date.now())} [notice] ${pid}#${pid}: ${msg}\n`);
}

function entrypointMessages(): void {
  const e = '/docker-entrypoint.sh';
  const d = '/docker-entrypoint.d';
  process.stdout.write(
    [
      `${e}: ${d}/ is not empty, will attempt to perform configuration`,
      `${e}: Looking for shell scripts in ${d}/`,
      `${e}: Launching ${d}/10-listen-on-ipv6-by-default.sh`,
      `10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf`,
      `10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf`,
      `${e}: Sourcing ${d}/15-local-resolvers.envsh`,
      `${e}: Launching ${d}/20-envsubst-on-templates.sh`,
      `${e}: Launching ${d}/30-tune-worker-processes.sh`,
      `${e}: Configuration complete; ready for start up`,
      '',
    ].join('\n'),
  );
}

function parseListen(spec: string | undefined): { host?: string; port: number } {
  if (!spec) return { port: 80 };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(spec);
  if (m) return { host: m[1] ?? m[2], port: Number(m[3]) };
  return { port: Number(spec) };
}

function runCommand(argv: string[]): void {
  const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit' });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP'] as const) {
    process.on(sig, () => child.kill(sig));
  }
  child.on('error', () => {
    process.stderr.write(`/docker-entrypoint.sh: exec: line 47: ${argv[0]}: not found\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
}

function signalMaster(name: string): void {
  const sig = { stop: 'SIGTERM', quit: 'SIGQUIT', reopen: 'SIGUSR1', reload: 'SIGHUP' }[name] as NodeJS.Signals | undefined;
  if (!sig) {
    process.stderr.write(`nginx: invalid option: "-s ${name}"\n`);
    process.exit(1);
  }
  const pidFile = process.env.KANZEN_NGINX_PID || '/run/nginx.pid';
  let masterPid: number;
  try {
    masterPid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? '2: No such file or directory' : `${Math.abs(e.errno ?? 5)}: ${e.message}`;
    process.stderr.write(`nginx: [error] open() "${pidFile}" failed (${reason})\n`);
    process.exit(1);
  }
  process.kill(masterPid, sig);
  process.exit(0);
}

async function serve(): Promise<void> {
  // A log reader that went away must not take the server down with EPIPE.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const access = new LineBuffer((chunk) => process.stdout.write(chunk));
  const errors = new LineBuffer((chunk) => process.stderr.write(chunk));
  const nginx = createNginxServer({
    root: process.env.KANZEN_NGINX_ROOT || NGINX_HTML_ROOT,
    version,
    accessLog: (line) => access.push(line),
    errorLog: (line) => errors.push(line),
  });
  const { host, port } = parseListen(process.env.KANZEN_NGINX_LISTEN);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      // The image listens on [::]:80 too; a namespace without IPv6 still gets IPv4.
      if (!host && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')) {
        nginx.server.listen(port, '0.0.0.0', resolve);
        return;
      }
      reject(err);
    };
    nginx.server.once('error', onError);
    nginx.server.listen({ port, host: host ?? '::', ipv6Only: false }, () => {
      nginx.server.off('error', onError);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    const addr = `${host ?? '0.0.0.0'}:${port}`;
    process.stderr.write(`${errorLogTime(Date.now())} [emerg] ${pid}#${pid}: bind() to ${addr} failed (${err.errno ? -err.errno : 98}: ${err.message})\n`);
    process.stderr.write(`nginx: [emerg] bind() to ${addr} failed (${err.errno ? -err.errno : 98}: ${err.message})\n`);
    process.exit(1);
  });

  const pidFile = process.env.KANZEN_NGINX_PID;
  if (pidFile) fs.writeFileSync(pidFile, `${pid}\n`);

  notice('using the "epoll" event method');
  notice(`nginx/${version}`);
  notice(`OS: Linux ${os.release()}`);
  notice('start worker processes');
  notice(`start worker process ${pid}`);

  let stopping = false;
  const stop = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    notice(`signal ${SIGNAL_NUMBERS[sig]} (${sig}) received, ${sig === 'SIGQUIT' ? 'shutting down' : 'exiting'}`);
    notice('gracefully shutting down');
    void nginx.shutdown().then(() => {
      notice('exiting');
      notice('exit');
      access.flush();
      errors.flush();
      if (pidFile) fs.rmSync(pidFile, { force: true });
      process.exit(0);
    });
  };
  // nginx treats QUIT as graceful and TERM/INT as fast shutdown; here every stop
  // signal is graceful, so a pod being replaced never drops a request it accepted.
  process.on('SIGQUIT', () => stop('SIGQUIT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    notice(`signal 1 (SIGHUP) received from ${process.ppid}, reconfiguring`);
    nginx.fileCache.invalidate();
  });
  process.on('SIGUSR1', () => notice(`signal 10 (SIGUSR1) received from ${process.ppid}, reopening logs`));
}

function main(args: string[]): void {
  if (args.length === 0) {
    void serve();
    return;
  }
  const [cmd, ...rest] = args;
  if (cmd !== 'nginx' && cmd !== 'nginx-debug') {
    runCommand(args);
    return;
  }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '-v') {
      process.stderr.write(`nginx version: nginx/${version}\n`);
      process.exit(0);
    }
    if (a === '-V') {
      process.stderr.write(`nginx version: nginx/${version}\nbuilt-in static server of kanzen\n`);
      process.exit(0);
    }
    if (a === '-t' || a === '-T') {
      process.stderr.write(
        'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n',
      );
      process.exit(0);
    }
    if (a === '-s') {
      signalMaster(rest[i + 1] ?? '');
      return;
    }
    // -g, -c, -p, -e take a value and are accepted without effect.
    if (a === '-g' || a === '-c' || a === '-p' || a === '-e') i++;
  }
  entrypointMessages();
  void serve();
}

main(process.argv.slice(2));
