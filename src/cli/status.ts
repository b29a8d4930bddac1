// `kanzen status`: what is running and where.
import fs from 'node:fs';
import { Transport } from '../client/transport.js';
import { readConfig, resolveHome, runningDaemonPid, runningPid, validateClusterName } from './cluster-home.js';
import { readSupervisorState } from './supervisor.js';
import { CliError } from './output.js';
import { proxyModeAnnotation } from '../proxy/proxy-mode.js';
import type { Node } from '../api/types.js';

export async function status(opts: { name: string; home?: string }): Promise<number> {
  const bad = validateClusterName(opts.name);
  if (bad) throw new CliError(bad);
  const home = resolveHome(opts.name, opts.home);
  const cfg = readConfig(home);
  if (!cfg) {
    console.log(`No cluster "${opts.name}" at ${home.dir}.`);
    return 1;
  }
  const pid = runningPid(home);
  console.log(`Cluster:     ${cfg.name}`);
  console.log(`Home:        ${home.dir}`);
  const daemonPid = pid ? runningDaemonPid(home) : undefined;
  const sup = pid ? readSupervisorState(home) : undefined;
  const restarts = sup?.daemon.restarts ?? 0;
  console.log(`Supervisor:  ${pid ? `running (pid ${pid})` : 'stopped'}`);
  console.log(`Daemon:      ${!pid ? 'stopped' : daemonPid ? `running (pid ${daemonPid}), restarts ${restarts}` : `restarting, restarts ${restarts}`}`);
  for (const [node, a] of Object.entries(sup?.agents ?? {})) {
    console.log(`Node agent:  ${node} ${a.pid ? `running (pid ${a.pid})` : 'restarting'}, restarts ${a.restarts}`);
  }
  console.log(`API server:  https://127.0.0.1:${cfg.apiPort}`);
  console.log(`Kubeconfig:  ${home.kubeconfig}`);
  console.log(`Store:       ${cfg.store}`);
  console.log(`Runtime:     ${cfg.runtime}, ${cfg.nodes} node(s)`);
  console.log(`LB pool:     ${cfg.lbPool}`);
  if (!pid) return 3;
  if (fs.existsSync(home.socket)) {
    const t = new Transport({ socketPath: home.socket, timeoutMs: 3000 });
    try {
      const r = await t.request('GET', '/readyz');
      console.log(`Health:      ${r.status === 200 ? 'ready' : `not ready (${r.status})`}`);
      const nodes = await t.request('GET', '/api/v1/nodes');
      if (nodes.status === 200) {
        const list = JSON.parse(nodes.body.toString()) as { items: Node[] };
        console.log(`Nodes:       ${list.items.map((n) => n.metadata.name).join(', ') || '(none yet)'}`);
        // Each node's proxy publishes the mode it runs (proxy-sync-reporter.ts); the fake runtime has no proxies.
        const modes = list.items.filter((n) => n.metadata.annotations?.[proxyModeAnnotation]).map((n) => `${n.metadata.name} ${n.metadata.annotations![proxyModeAnnotation]}`);
        if (modes.length) console.log(`Proxy mode:  ${modes.join(', ')}${sup?.proxy?.reason ? ` (${sup.proxy.requested} is not usable here: ${sup.proxy.reason})` : ''}`);
      }
    } catch (e) {
      console.log(`Health:      unreachable (${(e as Error).message})`);
    } finally {
      t.close();
    }
  }
  return 0;
}
