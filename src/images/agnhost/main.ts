#!/usr/bin/env node
// registry.k8s.io/e2e-test-images/agnhost: one binary, many subcommands (cobra). The
// image's ENTRYPOINT is /agnhost and its CMD is `pause`. Implemented here: netexec,
// serve-hostname, pause, porter; any other subcommand fails like an unknown one.
import { parseFlags, FlagError, type FlagSpec } from '../shared/flags.js';
import { goLog } from '../shared/go-runtime.js';
import { startNetexec } from './netexec.js';
import { startPorter } from './porter.js';
import { ServeHostnameError, startServeHostname } from './serve-hostname.js';

const NETEXEC_FLAGS: Record<string, FlagSpec> = {
  'http-port': { kind: 'int', default: 8080 },
  'udp-port': { kind: 'int', default: 8081 },
  'sctp-port': { kind: 'int', default: -1 },
  'tls-cert-file': { kind: 'string', default: '' },
  'tls-private-key-file': { kind: 'string', default: '' },
  'http-override': { kind: 'string', default: '' },
  'udp-listen-addresses': { kind: 'string', default: '' },
};

const SERVE_HOSTNAME_FLAGS: Record<string, FlagSpec> = {
  tcp: { kind: 'bool', default: false },
  udp: { kind: 'bool', default: false },
  http: { kind: 'bool', default: true },
  close: { kind: 'bool', default: false },
  port: { kind: 'int', default: 9376 },
};

function fail(cmd: string, msg: string): never {
  process.stderr.write(`Error: ${msg}\nRun 'agnhost ${cmd} --help' for usage.\n`);
  process.exit(1);
}

function pause(): void {
  process.stdout.write('Paused\n');
  // Upstream exits 1 on SIGINT and 2 on SIGTERM.
  process.on('SIGINT', () => process.exit(1));
  process.on('SIGTERM', () => process.exit(2));
  setInterval(() => undefined, 1 << 30);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const parse = (specs: Record<string, FlagSpec>) => {
    try {
      const parsed = parseFlags(rest, specs, 'pflag');
      if (parsed.args.length > 0) fail(cmd, `accepts at most 0 arg(s), received ${parsed.args.length}`);
      return parsed.values;
    } catch (err) {
      if (err instanceof FlagError) fail(cmd, err.message);
      throw err;
    }
  };
  switch (cmd) {
    case 'pause':
      parse({});
      pause();
      return;
    case 'netexec': {
      const f = parse(NETEXEC_FLAGS);
      const addrs = String(f['udp-listen-addresses']);
      await startNetexec({
        httpPort: Number(f['http-port']),
        udpPort: Number(f['udp-port']),
        udpListenAddresses: addrs ? addrs.split(',') : undefined,
        httpOverride: String(f['http-override']) || undefined,
      });
      if (f['tls-cert-file']) goLog('TLS is not supported by kanzen\'s built-in agnhost; serving plain HTTP');
      // A Go program without signal handling dies on SIGTERM; as a container's PID 1 a Node
      // program would ignore it, so exit as the killed Go process would (128 + 15).
      process.on('SIGTERM', () => process.exit(143));
      return;
    }
    case 'serve-hostname': {
      const f = parse(SERVE_HOSTNAME_FLAGS);
      try {
        await startServeHostname({ port: Number(f.port), tcp: f.tcp === true, udp: f.udp === true, http: f.http === true, close: f.close === true });
      } catch (err) {
        if (err instanceof ServeHostnameError) {
          goLog(err.message);
          process.exit(1);
        }
        throw err;
      }
      process.on('SIGTERM', () => {
        goLog('Shutting down after receiving signal: terminated.');
        goLog('Awaiting pod deletion.');
        setTimeout(() => process.exit(0), 60_000);
      });
      return;
    }
    case 'porter': {
      const f = parse({ 'json-response': { kind: 'bool', default: false } });
      await startPorter({ env: process.env, jsonResponse: f['json-response'] === true });
      setInterval(() => undefined, 1 << 30);
      return;
    }
    case undefined:
      process.stdout.write('Usage:\n  agnhost [command]\n\nAvailable Commands:\n  netexec\n  pause\n  porter\n  serve-hostname\n');
      return;
    default:
      process.stderr.write(`Error: unknown command "${cmd}" for "agnhost"\nRun 'agnhost --help' for usage.\n`);
      process.exit(1);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  goLog(`Error occurred: ${err.message}`);
  process.exit(1);
});
