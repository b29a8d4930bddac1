// The node agent: one process per node, started by the cluster supervisor inside the node's
// network namespace (ARCHITECTURE.md, src/cli/supervisor.ts); it keeps running through a
// daemon restart, its informers and heartbeats reconnecting with back-off. It is the node's kubelet (pods as sandboxed processes), its
// kube-proxy (the Service data plane), its kubelet server (logs/exec/attach) and the node
// end of host access — all clients of the API over the unix socket in the cluster home.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../client/api-client.js';
import { ApiEventRecorder } from '../client/event-recorder.js';
import { InformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../util/logger.js';
import { serviceIPByIndex } from '../apiserver/allocators/clusterip-allocator.js';
import { nodeCapacity, type ClusterConfig, type ClusterHome } from '../cli/cluster-home.js';
import type { EndpointSlice, Node, Service } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { Proxier } from '../proxy/proxier.js';
import { EndpointDrainGate } from './endpoint-drain.js';
import { ProxySyncReporter } from './proxy-sync-reporter.js';
import { clusterNetwork } from '../cli/cluster-network.js';
import { Kubelet } from './kubelet/kubelet.js';
import { containerExec, NetnsSandboxProvider } from './kubelet/netns-sandboxes.js';
import { SandboxLauncher } from './kubelet/sandbox-launcher.js';
import { catalogImageResolver } from './kubelet/image-resolver.js';
import { ImageManager } from './kubelet/image-manager.js';
import { imagePuller, parentNetnsHandle } from './kubelet/image-puller.js';
import { ociProcess } from './kubelet/oci-process.js';
import { ImageStore } from './images/image-store.js';
import { ensureSnapshots } from './images/snapshots.js';
import { ensureBuiltinShellImage } from './images/builtin-shell-images.js';
import { nodeImages } from './images/node-images.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server/kubelet-server.js';
import { kubeletStreamingRuntime } from './kubelet-streaming.js';
import { agentMessage, isHostSocketMessage } from '../proxy/host-port-mappings.js';
import { clientIPPolicy } from '../proxy/userspace/client-ip-policy.js';
import { ServiceAccountTokenManager } from './kubelet/serviceaccount-token-manager.js';
import { transparentUnavailable } from '../proxy/userspace/ip-transparent.js';
import { raiseNoFileLimit } from '../proxy/userspace/fd-limit.js';
import type { ClientIPPolicy } from '../proxy/userspace/tcp-listener.js';
import { hasTransparentReturnPath, netnsRunDir, podNetnsName } from './cluster-network.js';
import type { StreamHandle } from '../proxy/userspace/libuv-stream.js';
import { startMetricsSocket, startProxyStatusServers, type ProxyStatus, type StatusServer } from './metrics-server.js';
import { UnsupportedProtocolReporter } from './unsupported-protocol-reporter.js';
import { envInt } from '../util/env.js';
import { cgroupNodeUsage } from './kubelet/resource-analyzer.js';
import type { ProxyMode } from '../proxy/proxy-mode.js';
import { NftablesBackend, proxyTableName, removeProxyTable } from '../proxy/nftables/nftables-backend.js';
import { HostPathBackend } from '../proxy/host-path-backend.js';
import { NetworkPolicyAgent } from '../networkpolicy/network-policy-agent.js';
import { policyTableName } from '../networkpolicy/policy-ruleset.js';
import { UserspaceBackend } from '../proxy/userspace/userspace-backend.js';

/** Where a node's sockets live: the API server proxies logs/exec to kubelet.sock; metrics.sock serves the proxy's metrics. */
export function nodeSocketPaths(home: ClusterHome, nodeName: string): { dir: string; kubelet: string; metrics: string } {
  const dir = path.join(home.dir, 'nodes', nodeName);
  return { dir, kubelet: path.join(dir, 'kubelet.sock'), metrics: path.join(dir, 'metrics.sock') };
}

/** The kubelet's images: the user catalog, the cluster's store, registries and stand-ins, by `kanzen up --images`. */
function imageManager(home: ClusterHome, cfg: ClusterConfig, client: ApiClient, logger: Logger): ImageManager {
  const store = ImageStore.forHome(home.dir);
  const userCatalogPath = path.join(home.dir, 'images.yaml');
  return new ImageManager({
    store,
    sources: cfg.images ?? 'auto',
    pull: imagePuller({ store, client, homeDir: home.dir, logger, hostNetns: parentNetnsHandle() }),
    snapshots: (rec) => ensureSnapshots(store, rec),
    shellStandIn: (ref) => ensureBuiltinShellImage(store, ref),
    catalog: catalogImageResolver({ userCatalogPath, rootfsCacheDir: path.join(home.dir, 'images', 'rootfs') }),
    userCatalogPath,
    process: ociProcess,
  });
}

/** The folder of kanzen's compiled code: built-in image programs must be visible inside containers. */
const installDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface NodeAgent {
  stop(): Promise<void>;
}

export async function startNodeAgent(opts: {
  home: ClusterHome;
  cfg: ClusterConfig;
  index: number;
  logger: Logger;
  endpointDrainTimeoutMs?: number;
  /** The Service data plane, as the supervisor's kernel check decided (proxy-mode.ts). */
  proxyMode: ProxyMode;
}): Promise<NodeAgent> {
  const { home, cfg, index, logger, proxyMode } = opts;
  const net = clusterNetwork(cfg);
  const node = net.nodes[index - 1];
  if (!node) throw new Error(`no node ${index} in a ${cfg.nodes}-node cluster`);
  const sockets = nodeSocketPaths(home, node.nodeName);
  fs.mkdirSync(sockets.dir, { recursive: true, mode: 0o700 });

  const client = new ApiClient({ socketPath: home.socket }, 'kubelet');
  const sandboxes = new NetnsSandboxProvider({
    cluster: cfg.name,
    home: home.dir,
    node,
    nodeIP: node.nodeIP,
    clusterDNS: [serviceIPByIndex(cfg.serviceCIDR, 10)],
    clusterDomain: 'cluster.local',
  });
  // The proxy's informers also feed the kubelet's drain gate: the slices it waits on are the
  // ones this node's proxy programs, and the Nodes carry every proxy's progress.
  const proxyClient = new ApiClient({ socketPath: home.socket }, 'kube-proxy');
  const proxyInformers = new InformerFactory(proxyClient, logger);
  // The bound of the kubelet's wait for every proxy to stop routing to a terminating pod
  // (zero-loss termination, endpoint-drain.ts): default 5 s; 0 gives upstream behaviour.
  const drainTimeoutMs = opts.endpointDrainTimeoutMs ?? envInt('KANZEN_ENDPOINT_DRAIN_TIMEOUT_MS');
  const drainGate =
    drainTimeoutMs === 0
      ? undefined
      : new EndpointDrainGate({
          slices: proxyInformers.for<EndpointSlice>(resourceFor('endpointslices', 'discovery.k8s.io')),
          nodes: proxyInformers.for<Node>(resourceFor('nodes')),
        });
  // eslint-disable-next-line prefer-const
  let kubelet: Kubelet;
  const launcher = new SandboxLauncher({
    sandbox: (uid) => sandboxes.get(uid),
    pod: (uid) => kubelet.runtimeOf(uid)?.pod,
    hostPaths: [installDir, path.dirname(process.execPath)],
  });
  const tokens = new ServiceAccountTokenManager(client);
  kubelet = new Kubelet({
    client,
    recorder: new ApiEventRecorder(client, 'kubelet', node.nodeName, logger),
    nodeName: node.nodeName,
    nodeIP: node.nodeIP,
    podCIDR: node.podCIDR,
    logger: logger.child('kubelet'),
    sandboxes,
    launcher,
    images: imageManager(home, cfg, client, logger.child('images')),
    nodeImages: () => nodeImages(ImageStore.forHome(home.dir)),
    exec: containerExec(launcher),
    drainer: drainGate,
    drainTimeoutMs,
    serviceAccountToken: (pod, src) => tokens.token(pod, src),
    podLogsRoot: path.join(sockets.dir, 'pod-logs'),
    capacity: nodeCapacity(cfg),
  });
  await kubelet.start();

  // Two descriptors per proxied connection: raise RLIMIT_NOFILE before the proxy sizes its budget (fd-limit.ts).
  const fds = raiseNoFileLimit();
  logger.info('open-file limit', { ...fds.limit, ...(fds.error ? { reason: fds.error } : {}) });
  // A host socket given back (externalTrafficPolicy Local, no local endpoint) is asked for again.
  const requestHostSocket = (ip: string, port: number) => process.send?.(agentMessage({ kind: 'kanzen.host-socket', op: 'request', ip, port }));
  logger.info('proxy mode', { mode: proxyMode });
  // An agent leaves its nftables rules on exit (NftablesBackend.stop): a node now running the
  // userspace proxy removes a previous run's table, whose DNAT would take its connections.
  if (proxyMode === 'userspace') await removeProxyTable(proxyTableName(cfg.name)).catch((err) => logger.debug('no nftables proxy table removed', { err }));
  const backend = proxyMode === 'nftables' ? nftablesBackend(cfg, node.nodeIP, requestHostSocket, logger.child('proxy')) : undefined;
  const proxier = new Proxier({
    informers: proxyInformers,
    nodeName: node.nodeName,
    nodeIPs: [node.nodeIP],
    // Upstream --iptables-min-sync-period (1 s there, 0 here): a lagging proxy, to show
    // that zero-loss termination does not depend on proxies being fast.
    minSyncPeriodMs: envInt('KANZEN_PROXY_MIN_SYNC_PERIOD_MS'),
    // The kernel keeps client addresses itself (DNAT without masquerade where kube-proxy does).
    preserveClientIP: proxyMode === 'userspace' ? await clientIPPreservation(node.podCIDR, logger) : undefined,
    requestHostSocket,
    backend,
    logger: logger.child('proxy'),
  });
  proxier.start();
  const syncReporter = new ProxySyncReporter({
    client: proxyClient,
    nodeName: node.nodeName,
    proxy: proxier,
    proxyMode,
    nodes: proxyInformers.for<Node>(resourceFor('nodes')),
    logger: logger.child('proxy'),
  });
  syncReporter.start();
  // SCTP ports are accepted by the API but not proxied: one node says so on the Service.
  if (index === 1) {
    new UnsupportedProtocolReporter({
      services: proxyInformers.for<Service>(resourceFor('services')),
      recorder: new ApiEventRecorder(proxyClient, 'kube-proxy', node.nodeName, logger),
    }).start();
  }
  // NetworkPolicy is enforced in this namespace's nftables on the informers the proxy shares.
  const networkPolicies = new NetworkPolicyAgent({
    informers: proxyInformers,
    nodeName: node.nodeName,
    table: policyTableName(cfg.name),
    serviceCIDRs: [cfg.serviceCIDR],
    logger,
  });
  networkPolicies.start();
  proxyInformers.start();
  const proxyStatus = nodeProxyStatus(proxier, backend, proxyMode, proxyInformers.for<Node>(resourceFor('nodes')), node.nodeName);

  // The supervisor hands over the host's NodePort and LoadBalancer sockets (host-port-mappings.ts).
  const onDaemonMessage = (m: unknown, handle?: unknown): void => {
    if (!isHostSocketMessage(m)) return;
    if (m.op === 'adopt' && handle) proxier.adoptHostSocket(m.ip, m.port, handle as StreamHandle);
    else if (m.op === 'release') proxier.releaseHostSocket(m.ip, m.port);
  };
  process.on('message', onDaemonMessage);
  process.send?.(agentMessage({ kind: 'kanzen.host-socket', op: 'ready' }));

  let kubeletServer: KubeletServer | undefined;
  let metricsSocket: StatusServer | undefined;
  let statusServers: StatusServer | undefined;
  try {
    kubeletServer = await startKubeletServer({ socketPath: sockets.kubelet, runtime: kubeletStreamingRuntime(kubelet, client, (pod) => (pod.spec.hostNetwork ? undefined : path.join(netnsRunDir, podNetnsName(cfg.name, pod.metadata.uid ?? ''))), launcher), logger: logger.child('kubelet-server'), resourceUsage: () => cgroupNodeUsage(kubelet, cfg.name) });
    metricsSocket = await startMetricsSocket({ socketPath: sockets.metrics, status: proxyStatus, logger: logger.child('proxy') });
    statusServers = await startProxyStatusServers({ address: node.nodeIP, status: proxyStatus, logger: logger.child('proxy') });
  } catch (e) {
    logger.error('node servers failed to start', { err: e });
    throw e;
  }

  return {
    async stop() {
      await statusServers?.close().catch(() => undefined);
      await metricsSocket?.close().catch(() => undefined);
      process.off('message', onDaemonMessage);
      await kubeletServer?.close().catch(() => undefined);
      syncReporter.stop();
      networkPolicies.stop();
      await proxier.stop().catch(() => undefined);
      proxyInformers.stop();
      kubelet.stop();
      client.close();
      proxyClient.close();
    },
  };
}

/**
 * The nftables mode: the kernel serves every address of the node namespace (ClusterIPs,
 * NodePorts on the node IP, externalIPs, LoadBalancer IPs), and a userspace backend
 * without listeners of its own serves the host's sockets (host-path-backend.ts says why).
 */
function nftablesBackend(cfg: ClusterConfig, nodeIP: string, requestHostSocket: (ip: string, port: number) => void, logger: Logger): HostPathBackend {
  return new HostPathBackend(
    new NftablesBackend({ table: proxyTableName(cfg.name), nodePortAddresses: [nodeIP], clusterCIDRs: [cfg.podCIDR], logger }),
    new UserspaceBackend({ nodePortAddresses: [], hostSocketsOnly: true, requestHostSocket, logger }),
  );
}

/** Upstream ToBeDeletedTaint: a node the cluster autoscaler is removing takes no new load-balancer traffic. */
const toBeDeletedTaint = 'ToBeDeletedByClusterAutoscaler';

/** What the proxy status servers report: healthy once synced (as the health-check node ports), eligible until the Node goes away. */
function nodeProxyStatus(proxier: Proxier, backend: HostPathBackend | undefined, proxyMode: ProxyMode, nodes: { getByName(ns: string | undefined, name: string): Node | undefined }, nodeName: string): ProxyStatus {
  let synced = false;
  void proxier.waitForSync().then(() => (synced = true));
  return {
    // The kernel's counters are read when asked for, so `kanzen traffic` sees every connection made before it ran.
    metrics: async () => {
      await backend?.refreshStats();
      return proxier.prometheusMetrics();
    },
    proxyMode,
    healthy: () => synced,
    lastUpdated: () => {
      const s = proxier.metrics().sync.lastSyncTimestampSeconds;
      return s ? new Date(s * 1000) : undefined;
    },
    nodeEligible: () => {
      const n = nodes.getByName(undefined, nodeName);
      return !n?.metadata.deletionTimestamp && !n?.spec?.taints?.some((t) => t.key === toBeDeletedTaint);
    },
  };
}

/** The proxy's client IP policy when this node can preserve client IPs, with the reason in the log when not. */
async function clientIPPreservation(podCIDR: string, logger: Logger): Promise<ClientIPPolicy | undefined> {
  const missing = transparentUnavailable() ?? ((await hasTransparentReturnPath()) ? undefined : 'no transparent return path in the node namespace (nft missing at kanzen up)');
  if (missing) {
    logger.warn('client IPs are not preserved: endpoints see the node address', { reason: missing });
    return undefined;
  }
  return clientIPPolicy(podCIDR);
}
