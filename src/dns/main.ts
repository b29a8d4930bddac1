#!/usr/bin/env node
// kanzen's cluster DNS server, CoreDNS-compatible: `node dist/dns/main.js -conf /etc/coredns/Corefile`.
//
// Flags (CoreDNS's): -conf PATH (default ./Corefile), -dns.port N (overrides every block's
// port), -quiet, -version. kanzen's own: -host ADDR (listen address, default 0.0.0.0),
// -workers N (N processes sharing the UDP and TCP sockets through node:cluster, each with
// its own informers: Node 20's dgram has no SO_REUSEPORT; default 1).
// The API is reached through KANZEN_API_SOCKET (a unix socket path; KANZEN_API_TOKEN is
// sent as a bearer token when set). Without it the kubernetes plugin cannot be set up,
// and Corefiles without it (forward only) still run. SIGTERM/SIGINT stop the server
// (after the health plugin's lameduck, if any).
import cluster from 'node:cluster';
import fs from 'node:fs';
import { ApiClient } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { createLogger } from '../util/logger.js';
import { DnsInstance } from './instance.js';
import { corednsVersion } from './plugins/prometheus/setup.js';

interface Flags {
  conf: string;
  port?: number;
  host: string;
  quiet: boolean;
  version: boolean;
  workers: number;
}

export function parseFlags(argv: string[]): Flags {
  const f: Flags = { conf: 'Corefile', host: '0.0.0.0', quiet: false, version: false, workers: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i].replace(/^--?/, '');
    const [name, inline] = a.split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (name) {
      case 'conf':
        f.conf = value();
        break;
      case 'dns.port':
        f.port = Number(value());
        break;
      case 'host':
        f.host = value();
        break;
      case 'workers':
        f.workers = Math.max(1, Number(value()) || 1);
        break;
      case 'quiet':
        f.quiet = true;
        break;
      case 'version':
        f.version = true;
        break;
      default:
        throw new Error(`flag provided but not defined: -${name}`);
    }
  }
  return f;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.version) {
    process.stdout.write(`CoreDNS-${corednsVersion}\nlinux/${process.arch}, ${process.version}, kanzen\n`);
    return;
  }
  if (flags.workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < flags.workers; i++) cluster.fork();
    const stop = () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    cluster.on('exit', (_w, code) => {
      if (code) process.exitCode = code;
      if (!Object.keys(cluster.workers ?? {}).length) process.exit();
    });
    return;
  }
  const logger = createLogger('coredns');
  const corefile = fs.readFileSync(flags.conf, 'utf8');
  const socketPath = process.env.KANZEN_API_SOCKET;
  const client = socketPath ? new ApiClient({ socketPath, token: process.env.KANZEN_API_TOKEN }, 'coredns') : null;
  const informers = client ? new InformerFactory(client, logger) : null;
  const inst = await DnsInstance.start({
    corefile,
    corefilePath: flags.conf,
    host: flags.host,
    port: flags.port,
    logger,
    informers,
    fatal: (msg) => {
      logger.error(msg);
      process.exit(1);
    },
  });
  if (!flags.quiet && cluster.isPrimary) process.stdout.write(`.:${inst.port}\nCoreDNS-${corednsVersion}\nlinux/${process.arch}, ${process.version}, kanzen\n`);
  const shutdown = async () => {
    await inst.stop();
    informers?.stop();
    client?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
