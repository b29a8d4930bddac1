// `ready [ADDRESS]` (CoreDNS plugin/ready): HTTP 200 "OK" on /ready (default :8181) once
// every plugin that reports readiness is ready (kubernetes: its informers synced);
// otherwise 503 with the names of the plugins not ready yet, comma-separated.
import { listenHttp, splitHostPort, type HttpEndpoint } from '../../http-endpoint.js';
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';

export type Readiness = Map<string, () => boolean>;

/** The names not ready, sorted (CoreDNS's body). */
export function notReady(r: Readiness): string[] {
  return [...r].filter(([, ok]) => !ok()).map(([n]) => n).sort();
}

export function parse(env: SetupEnv): { host: string; port: number } {
  const d = env.directive;
  if (d.args.length > 1) throw setupError('ready', d.line, `Wrong argument count or unexpected line ending after '${d.args[1]}'`);
  return splitHostPort(d.args[0] ?? ':8181', 8181);
}

export function setup(env: SetupEnv, readiness: Readiness): PluginInstance & { endpoint(): HttpEndpoint | undefined } {
  const cfg = parse(env);
  let ep: HttpEndpoint | undefined;
  return {
    endpoint: () => ep,
    async start() {
      ep = await listenHttp(cfg.host, cfg.port, {
        '/ready': (res) => {
          const missing = notReady(readiness);
          if (!missing.length) res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('OK');
          else res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end(missing.join(', '));
        },
      });
    },
    async stop() {
      await ep?.close();
    },
  };
}
