// `kubernetes [ZONES…] { pods MODE; fallthrough [ZONES…]; ttl N; … }` (CoreDNS
// plugin/kubernetes/setup.go). endpoint/kubeconfig/tls are accepted and ignored: kanzen's
// API client (KANZEN_API_SOCKET) is the connection.
import { normalizeZone, type Directive } from '../../corefile.js';
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';
import { KubernetesHandler, type KubernetesConfig } from './handler.js';
import type { PodMode } from './lookup.js';

const ignored = new Set(['endpoint', 'tls', 'kubeconfig', 'namespaces', 'labels', 'namespace_labels', 'endpoint_pod_names', 'noendpoints', 'ignore', 'multicluster', 'apiserver_qps', 'apiserver_burst', 'apiserver_max_inflight', 'startup_timeout']);

export function parse(d: Directive, blockZones: string[]): KubernetesConfig {
  const zones = d.args.length ? d.args.map(normalizeZone) : blockZones;
  const cfg: KubernetesConfig = { zones, podMode: 'disabled', ttl: 5, fallthrough: null };
  for (const p of d.block) {
    switch (p.name) {
      case 'pods': {
        const m = p.args[0];
        if (p.args.length !== 1 || (m !== 'disabled' && m !== 'insecure' && m !== 'verified'))
          throw setupError('kubernetes', p.line, `wrong value for pods: ${p.args.join(' ')},  must be one of: disabled, verified, insecure`);
        cfg.podMode = m as PodMode;
        break;
      }
      case 'ttl': {
        if (p.args.length !== 1) throw setupError('kubernetes', p.line, 'Wrong argument count or unexpected line ending after \'ttl\'');
        const t = Number(p.args[0]);
        if (!/^\d+$/.test(p.args[0]) || t < 0 || t > 3600) throw setupError('kubernetes', p.line, `ttl must be in range [0, 3600]: ${p.args[0]}`);
        cfg.ttl = t;
        break;
      }
      case 'fallthrough':
        cfg.fallthrough = p.args.map(normalizeZone);
        break;
      default:
        if (!ignored.has(p.name)) throw setupError('kubernetes', p.line, `unknown property '${p.name}'`);
    }
  }
  return cfg;
}

export function setup(env: SetupEnv): PluginInstance {
  const cfg = parse(env.directive, env.zones);
  const cluster = env.cluster();
  if (!cluster) throw setupError('kubernetes', env.directive.line, 'no API connection: set KANZEN_API_SOCKET');
  if (cfg.podMode === 'verified') cluster.enablePods();
  env.reportReady('kubernetes', cluster.synced);
  const unsubscribe: (() => void)[] = [];
  return {
    plugin: (next) => {
      const h = new KubernetesHandler(next, cluster.index, cfg, cluster.synced);
      unsubscribe.push(cluster.index.onInvalidate((owners) => h.invalidate(owners)));
      return h;
    },
    async stop() {
      for (const u of unsubscribe.splice(0)) u();
    },
  };
}
