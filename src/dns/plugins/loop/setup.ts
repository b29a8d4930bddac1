// `loop`: once the server listens, send `HINFO <random>.<random>.<zone>` to ourselves; if
// it comes back through the chain more than twice, a forwarding loop exists: log CoreDNS's
// message and call fatal (the program exits 1, as CoreDNS does).
import crypto from 'node:crypto';
import { encodeQuery } from '../../wire.js';
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';
import { exchangeUdp } from '../forward/exchange.js';
import { LoopHandler, typeHINFO } from './handler.js';

export function setup(env: SetupEnv): PluginInstance & { handler(): LoopHandler | undefined } {
  const d = env.directive;
  if (d.args.length) throw setupError('loop', d.line, `Wrong argument count or unexpected line ending after '${d.args[0]}'`);
  const zone = env.zones[0] ?? '.';
  const probe = `${crypto.randomInt(1, 2 ** 47)}.${crypto.randomInt(1, 2 ** 47)}.${zone === '.' ? '' : zone}`;
  const target = { host: env.listen.host === '0.0.0.0' ? '127.0.0.1' : env.listen.host === '::' ? '::1' : env.listen.host, port: env.listen.port };
  let h: LoopHandler | undefined;
  return {
    handler: () => h,
    plugin: (next) =>
      (h = new LoopHandler(next, probe, () =>
        env.fatal(`plugin/loop: Loop (${target.host}:${target.port} -> ${target.host}:${target.port}) detected for zone "${zone}", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${probe}"`),
      )),
    async start() {
      const port = env.listen.port;
      if (!port) return;
      // The probe is fire-and-forget: its reply (any rcode) ends the check.
      void exchangeUdp({ host: target.host, port }, encodeQuery(crypto.randomInt(0, 65536), probe, typeHINFO), 5000)
        .catch(() => undefined)
        .finally(() => {
          if (h) h.disabled = true;
        });
    },
  };
}
