// The cluster daemon (`kanzen daemon --home DIR`, run and restarted by the supervisor that
// `up` starts, supervisor.ts): owns the store and runs the API server, then the controllers
// (and the fake runtime's nodes). The netns runtime's node agents are the supervisor's, so
// pods and the Service data plane live on through a daemon restart. Stops cleanly on
// SIGTERM/SIGINT or when its supervisor is gone; tells the supervisor when it is ready; a
// failure to start is written as one line to <home>/daemon.err for `up`.
import fs from 'node:fs';
import { openStore } from '../store/store-factory.js';
import type { Store } from '../store/store.js';
import { ApiServer } from '../apiserver/server.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { serviceIPByIndex } from '../apiserver/allocators/clusterip-allocator.js';
import { createLogger } from '../util/logger.js';
import { startControllerManager, type ControllerManager } from '../controllers/controller-manager.js';
import { startFakeNodes } from '../node/fake-runtime.js';
import { ApiClient } from '../client/api-client.js';
import { installClusterDNS } from './cluster-dns-addon.js';
import { installGatewayAPI } from './gateway-addon.js';
import { installIngressController } from './ingress-addon.js';
import { installLocalPathStorage } from './local-path-storage-addon.js';
import { socketInNetns } from '../node/netns-socket.js';
import { nodeSocketPaths } from '../node/node-agent.js';
import { ensurePki, ensureToken } from './pki.js';
import { nodeCapacity, readConfig, resolveHome, type ClusterHome } from './cluster-home.js';
import { apiServerSANs, clusterNetwork } from './cluster-network.js';
import { envInt } from '../util/env.js';
import { scrapeKubelet } from '../apiserver/metrics/kubelet-client.js';
import { fakeNodeUsage } from '../node/resource-usage.js';

/** How much history the store keeps for watches to resume from (upstream compacts every 5 minutes). */
const compactionIntervalMs = 5 * 60_000;
const retainedRevisions = 10_000;

/** The message the daemon sends its supervisor once the API serves and the controllers run. */
export const daemonReadyMessage = { kind: 'kanzen.daemon', op: 'ready' } as const;

export function startFailureMessage(err: unknown, port: number): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') return `port ${port} on 127.0.0.1 is already in use: choose another with --api-port`;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `not permitted: ${e.message}`;
  return e instanceof Error ? e.message : String(err);
}

export async function runDaemon(homeDir: string, name: string): Promise<void> {
  const home: ClusterHome = resolveHome(name, homeDir);
  const log = createLogger('daemon');
  fs.rmSync(home.errorFile, { force: true });
  const cfg = readConfig(home);
  if (!cfg) throw new Error(`no cluster configuration at ${home.config}`);
  fs.writeFileSync(home.pidFile, `${process.pid}\n`);
  let store: Store | undefined;
  let server: ApiServer | undefined;
  let controllers: ControllerManager | undefined;
  let nodes: { stop(): Promise<void> } | undefined;
  let nodeClient: ApiClient | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down');
    for (const t of timers) clearInterval(t);
    await server?.stopResourceMetrics().catch(() => undefined);
    await nodes?.stop().catch(() => undefined);
    nodeClient?.close();
    controllers?.stop();
    await server?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    fs.rmSync(home.socket, { force: true });
    fs.rmSync(home.pidFile, { force: true });
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
  // The supervisor is gone (killed): a daemon nobody restarts or stops must not linger.
  process.on('disconnect', () => void shutdown(0));
  try {
    const net = clusterNetwork(cfg);
    const pki = ensurePki(home.pkiDir, cfg.name, apiServerSANs(cfg).ips, apiServerSANs(cfg).dnsNames);
    const token = ensureToken(home.tokenFile);
    store = await openStore(cfg.store);
    server = new ApiServer({
      store,
      logger: log.child('apiserver'),
      token,
      tls: { cert: pki.serverCert, key: pki.serverKey },
      port: cfg.apiPort,
      socketPath: home.socket,
      serviceCIDR: cfg.serviceCIDR,
      nodePortRange: cfg.nodePortRange,
      serviceAccountKey: pki.serviceAccountKey,
    });
    await server.start();
    await bootstrapCluster(server, {
      kubernetesServiceIP: serviceIPByIndex(cfg.serviceCIDR, 1),
      advertiseAddress: net.apiServerAddress,
      advertisePort: cfg.apiPort,
    });
    // The controllers, the add-on installer and the fake kubelets run in this process: they
    // reach the API server's handler directly (client/transport.ts), as the socket would.
    const inProcess = server.inProcess();
    {
      const addons = new ApiClient({ socketPath: home.socket, inProcess }, 'kubeadm');
      await installLocalPathStorage(addons)
        .then(() => installClusterDNS(addons, serviceIPByIndex(cfg.serviceCIDR, 10), home.socket, cfg.nodes))
        .then(() => installIngressController(addons, home.socket))
        .finally(() => addons.close());
    }
    // KANZEN_NODE_MONITOR_GRACE_PERIOD_MS shortens the node lifecycle controller's grace (tests).
    const nodeMonitorGracePeriodMs = envInt('KANZEN_NODE_MONITOR_GRACE_PERIOD_MS', 1);
    // KANZEN_METRIC_RESOLUTION_MS: how often node usage is read (metrics-server's --metric-resolution, 15 s).
    const metricResolutionMs = envInt('KANZEN_METRIC_RESOLUTION_MS', 100);
    // KANZEN_HPA_SYNC_PERIOD_MS: how often autoscalers are synced (--horizontal-pod-autoscaler-sync-period, 15 s).
    const hpaSyncPeriodMs = envInt('KANZEN_HPA_SYNC_PERIOD_MS', 100);
    controllers = startControllerManager({
      socketPath: home.socket,
      inProcess,
      logger: log.child('controllers'),
      ...(cfg.controllers ? { controllers: cfg.controllers } : {}),
      options: { loadBalancerPool: cfg.lbPool, rootCACert: pki.caCert, localPathStorageDir: home.storageDir, ...(nodeMonitorGracePeriodMs ? { nodeMonitorGracePeriodMs } : {}), ...(hpaSyncPeriodMs ? { horizontalPodAutoscalerSyncPeriodMs: hpaSyncPeriodMs } : {}) },
    });
    {
      // Gateway API's CRDs are established by the controller manager's CRD conditions
      // controller: installed once it runs, without holding up the rest of the start.
      const addons = new ApiClient({ socketPath: home.socket, inProcess }, 'kubeadm');
      void installGatewayAPI(addons)
        .catch((e: unknown) => log.warn('Gateway API CRDs not installed', { err: (e as Error).message }))
        .finally(() => addons.close());
    }
    if (cfg.runtime === 'fake') {
      nodeClient = new ApiClient({ socketPath: home.socket, inProcess }, 'kubelet');
      // Fake containers stop at once on SIGTERM: a short cap keeps deletions as quick as nginx's.
      const fake = await startFakeNodes({ client: nodeClient, nodes: cfg.nodes, podCIDR: cfg.podCIDR, nodeIP: (i) => net.nodes[i - 1].nodeIP, logger: log.child('fake-kubelet'), deletionGraceCapMs: 1000, capacity: nodeCapacity(cfg) });
      nodes = fake;
      // The fake kubelets run here: their readings need no socket.
      server.startResourceMetrics(async (nodeName) => fakeNodeUsage(fake.kubelets.find((k) => k.nodeName === nodeName)), metricResolutionMs);
    } else {
      // The `kubernetes` Service's endpoint, inside the cluster network (the supervisor made
      // it): pods reach the API. Without it the cluster still works, minus that; say why.
      await socketInNetns(`/run/netns/${net.routerNetns}`, { mode: 'bind', address: net.apiServerAddress, port: cfg.apiPort })
        .then((handle) => server!.listenOnHandle(handle as object))
        .catch((e) => log.warn('pods cannot reach the API server (kubernetes Service)', { err: (e as Error).message }));
      server.setKubeletSocket((nodeName) => nodeSocketPaths(home, nodeName).kubelet);
      server.startResourceMetrics((nodeName) => scrapeKubelet(nodeSocketPaths(home, nodeName).kubelet), metricResolutionMs);
    }
    const s = store;
    timers.push(
      setInterval(() => {
        void (async () => {
          const rev = await s.currentRevision();
          if (rev > retainedRevisions) await s.compact(rev - retainedRevisions);
        })().catch((e) => log.warn('compaction failed', { err: e }));
      }, compactionIntervalMs),
    );
    // Ready means the controllers run: they start once their caches have synced.
    await controllers.ready;
    log.info('cluster daemon ready', { name: cfg.name, port: cfg.apiPort });
    process.send?.(daemonReadyMessage);
  } catch (err) {
    const line = startFailureMessage(err, cfg.apiPort);
    log.error('start failed', { err: err instanceof Error ? err.stack : String(err) });
    fs.writeFileSync(home.errorFile, line + '\n');
    await shutdown(1);
  }
}
