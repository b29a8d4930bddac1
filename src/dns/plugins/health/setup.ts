// `health [ADDRESS] { lameduck DURATION }` (CoreDNS plugin/health): HTTP 200 "OK" on
// /health (default :8080) while the process runs; on shutdown with lameduck, keep
// answering (and serving DNS) for DURATION before stopping.
import { parseDuration } from '../../corefile.js';
import { listenHttp, splitHostPort, type HttpEndpoint } from '../../http-endpoint.js';
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';

export interface HealthConfig {
  host: string;
  port: number;
  lameduckMs: number;
}

export function parse(env: SetupEnv): HealthConfig {
  const d = env.directive;
  if (d.args.length > 1) throw setupError('health', d.line, `Wrong argument count or unexpected line ending after '${d.args[1]}'`);
  const { host, port } = splitHostPort(d.args[0] ?? ':8080', 8080);
  let lameduckMs = 0;
  for (const p of d.block) {
    if (p.name !== 'lameduck') throw setupError('health', p.line, `unknown property '${p.name}'`);
    const ms = parseDuration(p.args[0] ?? '');
    if (p.args.length !== 1 || ms === null) throw setupError('health', p.line, `unable to parse lameduck duration value: '${p.args[0] ?? ''}'`);
    lameduckMs = ms;
  }
  return { host, port, lameduckMs };
}

export function setup(env: SetupEnv): PluginInstance & { endpoint(): HttpEndpoint | undefined; lameduckMs: number } {
  const cfg = parse(env);
  let ep: HttpEndpoint | undefined;
  return {
    lameduckMs: cfg.lameduckMs,
    endpoint: () => ep,
    async start() {
      ep = await listenHttp(cfg.host, cfg.port, {
        '/health': (res) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('OK'),
      });
    },
    async stop() {
      if (cfg.lameduckMs) {
        env.logger.info(`Going into lameduck mode for ${cfg.lameduckMs / 1000}s`);
        await new Promise((r) => setTimeout(r, cfg.lameduckMs));
      }
      await ep?.close();
    },
  };
}
