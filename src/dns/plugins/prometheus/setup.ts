// `prometheus [ADDRESS]` (default localhost:9153): /metrics in the text exposition format.
import { listenHttp, splitHostPort, type HttpEndpoint } from '../../http-endpoint.js';
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';
import { PrometheusHandler } from './handler.js';
import { dnsMetrics } from './metrics.js';

/** The CoreDNS release kanzen's DNS answers like. */
export const corednsVersion = '1.12.0';

export function parse(env: SetupEnv): { host: string; port: number } {
  const d = env.directive;
  if (d.args.length > 1) throw setupError('prometheus', d.line, `Wrong argument count or unexpected line ending after '${d.args[1]}'`);
  const a = splitHostPort(d.args[0] ?? 'localhost:9153', 9153);
  return { host: a.host === 'localhost' ? '127.0.0.1' : a.host, port: a.port };
}

export function setup(env: SetupEnv, enabledPlugins: string[]): PluginInstance & { endpoint(): HttpEndpoint | undefined } {
  const cfg = parse(env);
  const m = dnsMetrics(env.metrics);
  m.buildInfo.set([corednsVersion, 'kanzen', process.version], 1);
  for (const zone of env.zones) for (const name of enabledPlugins) m.pluginEnabled.set([env.serverLabel, zone, '', name], 1);
  let ep: HttpEndpoint | undefined;
  return {
    endpoint: () => ep,
    plugin: (next) => new PrometheusHandler(next, m),
    async start() {
      ep = await listenHttp(cfg.host, cfg.port, {
        '/metrics': (res) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(env.metrics.render()),
      });
    },
    async stop() {
      await ep?.close();
    },
  };
}
