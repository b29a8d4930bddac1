// A running configuration (CoreDNS's caddy instance): the Corefile's server blocks become
// listeners (one per address:port, blocks on the same port routed by their longest zone),
// each block's directives become a plugin chain in plugin.cfg order, and reload swaps in a
// new configuration only once it has been fully set up.
import type { InformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../util/logger.js';
import { CorefileError, parseCorefile, type Directive, type ServerBlock } from './corefile.js';
import { Registry } from './metrics.js';
import { chain, errorAnswer, pluginOrder, type DnsRequest, type Handler, type Plugin, type Reply } from './plugin.js';
import { DnsServer } from './server.js';
import { SetupError, type PluginInstance, type SetupEnv } from './setup-env.js';
import { Rcode } from './wire.js';
import { isSubDomain } from './plugins/kubernetes/lookup.js';
import { watchCluster, type ClusterWatch } from './plugins/kubernetes/watch.js';
import { setup as setupErrors } from './plugins/errors/setup.js';
import { setup as setupLog } from './plugins/log/setup.js';
import { setup as setupLoadbalance } from './plugins/loadbalance/setup.js';
import { setup as setupCache } from './plugins/cache/setup.js';
import { setup as setupKubernetes } from './plugins/kubernetes/setup.js';
import { setup as setupForward } from './plugins/forward/setup.js';
import { setup as setupLoop } from './plugins/loop/setup.js';
import { setup as setupHealth } from './plugins/health/setup.js';
import { setup as setupReady, type Readiness } from './plugins/ready/setup.js';
import { setup as setupPrometheus } from './plugins/prometheus/setup.js';
import { parse as parseReload, type ReloadConfig } from './plugins/reload/setup.js';
import { CorefileWatcher } from './plugins/reload/watcher.js';

export interface DnsInstanceOptions {
  corefile: string;
  /** The Corefile's path, for reload (without it reload is inert). */
  corefilePath?: string;
  /** Where listeners bind unless a block has `bind` (pods: 0.0.0.0; tests: 127.0.0.1). */
  host?: string;
  /** -dns.port: overrides every server block's port. */
  port?: number;
  logger: Logger;
  /** The API's informers (kubernetes plugin); null when there is no API. */
  informers?: InformerFactory | null;
  reloadMinIntervalMs?: number;
  forwardTimeouts?: { timeoutMs: number; budgetMs: number };
  now?: () => number;
  fatal?: (msg: string) => void;
}

/** Routes a query to the server block with the longest matching zone; none → REFUSED. */
class ZoneRouter implements Handler {
  readonly name = 'router';
  constructor(readonly routes: { zone: string; handler: Handler }[]) {
    routes.sort((a, b) => b.zone.length - a.zone.length);
  }
  serveDNS(req: DnsRequest): Reply {
    if (this.routes.length === 1 && this.routes[0].zone === '.') return this.routes[0].handler.serveDNS(req);
    for (const r of this.routes) {
      if (isSubDomain(r.zone, req.q.key)) {
        req.zone = r.zone;
        return r.handler.serveDNS(req);
      }
    }
    return errorAnswer(Rcode.REFUSED, '');
  }
}

interface Built {
  listeners: Map<string, { host: string; port: number; router: ZoneRouter; serverLabel: string; zone: string }>;
  instances: { name: string; inst: PluginInstance }[];
  reload?: ReloadConfig;
}

const known = new Set<string>([...pluginOrder, 'bind']);

export class DnsInstance {
  readonly metrics = new Registry();
  private readonly servers = new Map<string, DnsServer>();
  private current?: Built;
  private cluster?: ClusterWatch;
  private watcher?: CorefileWatcher;
  private readonly log: Logger;
  private corefile: string;

  private constructor(private readonly opts: DnsInstanceOptions) {
    this.log = opts.logger;
    this.corefile = opts.corefile;
  }

  static async start(opts: DnsInstanceOptions): Promise<DnsInstance> {
    const inst = new DnsInstance(opts);
    const built = inst.build(opts.corefile);
    await inst.apply(built);
    if (opts.corefilePath) {
      inst.watcher = new CorefileWatcher(opts.corefilePath, opts.corefile, async (text) => {
        try {
          await inst.reload(text);
        } catch (e) {
          inst.log.error(`Restart failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      });
      inst.scheduleReload();
    }
    return inst;
  }

  /** The bound port of the first listener (handy with port 0). */
  get port(): number {
    return [...this.servers.values()][0]?.port ?? 0;
  }

  /** The bound port of an HTTP plugin's listener (health, ready, prometheus). */
  httpPort(plugin: 'health' | 'ready' | 'prometheus'): number | undefined {
    const i = this.current?.instances.find((x) => x.name === plugin)?.inst as { endpoint?: () => { port: number } | undefined } | undefined;
    return i?.endpoint?.()?.port;
  }

  /** The shared records index (null without an API). */
  get clusterWatch(): ClusterWatch | undefined {
    return this.cluster;
  }

  /** Applies new Corefile text; throws (keeping the running config) when it is invalid. */
  async reload(text: string): Promise<void> {
    const built = this.build(text);
    this.corefile = text;
    await this.apply(built);
    this.log.info('Reloading complete');
    this.scheduleReload();
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    for (const { inst } of this.current?.instances ?? []) await inst.stop?.();
    for (const s of this.servers.values()) await s.stop();
    this.servers.clear();
    this.cluster = undefined;
  }

  private scheduleReload(): void {
    const r = this.current?.reload;
    if (!this.watcher) return;
    if (r) this.watcher.schedule(r.intervalMs, r.jitterMs);
    else this.watcher.stop();
  }

  private clusterFor(): ClusterWatch | null {
    if (!this.opts.informers) return null;
    if (!this.cluster) {
      this.cluster = watchCluster(this.opts.informers, { now: this.opts.now });
      this.opts.informers.start();
    }
    return this.cluster;
  }

  /** Parses and sets up every plugin; throws on the first error, touching nothing running. */
  private build(text: string): Built {
    let blocks: ServerBlock[];
    try {
      blocks = parseCorefile(text);
    } catch (e) {
      if (e instanceof CorefileError) throw e;
      throw e;
    }
    const built: Built = { listeners: new Map(), instances: [] };
    const readiness: Readiness = new Map();
    const routes = new Map<string, { zone: string; handler: Handler }[]>();
    for (const block of blocks) {
      for (const d of block.directives) if (!known.has(d.name)) throw new CorefileError('Corefile', d.line, `Unknown directive '${d.name}'`);
      const bind = block.directives.find((d) => d.name === 'bind');
      const host = bind?.args[0] ?? this.opts.host ?? '0.0.0.0';
      const ports = new Set(block.keys.map((k) => this.opts.port ?? k.port));
      if (ports.size !== 1) throw new CorefileError('Corefile', block.line, 'server block keys must share one port');
      const port = [...ports][0];
      const key = `${host}:${port}`;
      const zones = block.keys.map((k) => k.zone);
      const serverLabel = `dns://${bind ? host : ''}:${port}`;
      const servers = this.servers;
      const listen = {
        host,
        get port() {
          return servers.get(key)?.port ?? port;
        },
      };
      const present = new Map<string, Directive>();
      for (const d of block.directives) if (d.name !== 'bind') present.set(d.name, d);
      const enabled = pluginOrder.filter((n) => present.has(n));
      const plugins: Plugin[] = [];
      for (const name of enabled) {
        const directive = present.get(name)!;
        const env: SetupEnv = {
          directive,
          zones,
          serverLabel,
          listen,
          logger: this.log,
          metrics: this.metrics,
          cluster: () => this.clusterFor(),
          reportReady: (n, fn) => readiness.set(n, fn),
          now: this.opts.now ?? Date.now,
          fatal: this.opts.fatal ?? ((m) => this.log.error(m)),
        };
        let inst: PluginInstance = {};
        switch (name) {
          case 'reload':
            built.reload = parseReload(env, this.opts.reloadMinIntervalMs);
            break;
          case 'ready':
            inst = setupReady(env, readiness);
            break;
          case 'health':
            inst = setupHealth(env);
            break;
          case 'prometheus':
            inst = setupPrometheus(env, enabled);
            break;
          case 'errors':
            inst = setupErrors(env);
            break;
          case 'log':
            inst = setupLog(env);
            break;
          case 'loadbalance':
            inst = setupLoadbalance(env);
            break;
          case 'cache':
            inst = setupCache(env);
            break;
          case 'kubernetes':
            inst = setupKubernetes(env);
            break;
          case 'loop':
            inst = setupLoop(env);
            break;
          case 'forward':
            inst = setupForward(env, this.opts.forwardTimeouts);
            break;
        }
        built.instances.push({ name, inst });
        if (inst.plugin) plugins.push(inst.plugin);
      }
      const handler = chain(plugins);
      const list = routes.get(key) ?? [];
      for (const zone of zones) list.push({ zone, handler });
      routes.set(key, list);
      if (!built.listeners.has(key)) built.listeners.set(key, { host, port, router: new ZoneRouter([]), serverLabel, zone: zones[0] });
    }
    for (const [key, l] of built.listeners) l.router = new ZoneRouter(routes.get(key)!);
    return built;
  }

  private async apply(built: Built): Promise<void> {
    const old = this.current;
    for (const { inst } of old?.instances ?? []) await inst.stop?.();
    for (const [key, s] of this.servers) {
      if (!built.listeners.has(key)) {
        await s.stop();
        this.servers.delete(key);
      }
    }
    for (const [key, l] of built.listeners) {
      const s = this.servers.get(key);
      if (s) s.handler = l.router;
      else {
        const srv = new DnsServer({ host: l.host, port: l.port, handler: l.router, logger: this.log, zone: l.zone, serverLabel: l.serverLabel });
        await srv.start();
        this.servers.set(key, srv);
      }
    }
    this.current = built;
    for (const { inst } of built.instances) await inst.start?.();
  }
}

export { SetupError };
