// The cluster's network wiring for the `netns` runtime: one "cluster router" network
// namespace holding the cluster bridge (the node network, kind's docker network in spirit),
// one namespace per node plugged into it, and a pod bridge inside every node namespace.
//
//   kz-<cluster>-net          bridge kz<h>br 172.18.0.1/24   (the API server's cluster address)
//     └─ kz<h>n<i> ══ eth0    kz-<cluster>-node-<i>          172.18.0.(i+1)/24
//                               kzbr0 10.244.i.1/24           (pods' gateway)
//                               local 10.96.0.0/12 dev lo      (any ClusterIP is local)
//                               10.244.j.0/24 via 172.18.0.(j+1) for every other node j
//
// Network safety: every link is created directly inside a cluster namespace (`ip -n NS link
// add … peer … netns OTHER`), so the host's root namespace never holds a link, an address
// or a route of the cluster; private-range addresses exist only in these namespaces.
//
// Everything is named after the cluster so that `down`, and the next `up` after a crash,
// find it: namespaces by exact name patterns (see clusterNetnsKind), links by living in
// those namespaces, processes by their membership of those namespaces (`ip netns pids`),
// never by a process-name pattern.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { addressInCIDR, parseCIDR } from '../api/ipv4.js';
import type { Logger } from '../util/logger.js';
import { nftApply } from '../util/nftables.js';

/** Where `ip netns add` puts the namespace handles (iproute2's NETNS_RUN_DIR). */
export const netnsRunDir = '/run/netns';
/** The pod bridge inside every node namespace (one per namespace, so a fixed name is unique). */
export const podBridgeName = 'kzbr0';
/** The node's end of its veth to the cluster bridge, and a pod's end of its veth. */
export const nodeInterfaceName = 'eth0';
export const podInterfaceName = 'eth0';
/** Linux's IFNAMSIZ - 1. */
const maxInterfaceNameLength = 15;

// ---------------------------------------------------------------------------------------
// Naming

const clusterNamePattern = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** Throws unless the cluster name is a short DNS label; names of namespaces and links embed it. */
export function assertClusterName(cluster: string): void {
  if (!clusterNamePattern.test(cluster)) {
    throw new Error(`invalid cluster name ${JSON.stringify(cluster)}: must be a DNS label of at most 40 characters`);
  }
}

function shortHash(s: string, length: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, length);
}

/** Six hex digits of the cluster name: keeps interface names short (≤ 15) and per-cluster. */
export function clusterHash(cluster: string): string {
  return shortHash(cluster, 6);
}

export function routerNetnsName(cluster: string): string {
  return `kz-${cluster}-net`;
}

/** index is 1-based, as node-1 … node-N. */
export function nodeNetnsName(cluster: string, index: number): string {
  return `kz-${cluster}-node-${index}`;
}

/** A stable 12-hex-digit id for a pod, whatever its UID looks like. */
export function podShortID(podUID: string): string {
  return shortHash(podUID, 12);
}

export function podNetnsName(cluster: string, podUID: string): string {
  return `kz-${cluster}-pod-${podShortID(podUID)}`;
}

/** The cluster bridge inside the router namespace. */
export function clusterBridgeName(cluster: string): string {
  return `kz${clusterHash(cluster)}br`;
}

/** The router's end of node-i's veth. */
export function routerVethName(cluster: string, index: number): string {
  return checkedInterfaceName(`kz${clusterHash(cluster)}n${index}`);
}

/** The node's end of a pod's veth, on the node's pod bridge. */
export function podVethName(cluster: string, podUID: string): string {
  return checkedInterfaceName(`kz${clusterHash(cluster)}p${shortHash(podUID, 6)}`);
}

function checkedInterfaceName(name: string): string {
  if (name.length > maxInterfaceNameLength) throw new Error(`interface name ${name} is longer than ${maxInterfaceNameLength} characters`);
  return name;
}

export type ClusterNetnsKind = { kind: 'router' } | { kind: 'node'; index: number } | { kind: 'pod'; shortID: string };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Which of the cluster's namespaces `name` is, or undefined when it is not one. The suffix
 * shapes (`net`, `node-<digits>`, `pod-<12 hex>`) are anchored so that no name of cluster
 * "a" can match a name of cluster "a-node" or "a-pod".
 */
export function clusterNetnsKind(cluster: string, name: string): ClusterNetnsKind | undefined {
  const m = new RegExp(`^kz-${escapeRegExp(cluster)}-(?:(net)|node-([1-9][0-9]*)|pod-([0-9a-f]{12}))$`).exec(name);
  if (!m) return undefined;
  if (m[1]) return { kind: 'router' };
  if (m[2]) return { kind: 'node', index: Number(m[2]) };
  return { kind: 'pod', shortID: m[3] };
}

// ---------------------------------------------------------------------------------------
// Running ip(8) and friends

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell); rejects with its stderr in the message when it fails. */
export function runCommand(file: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${file} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs `ip -n <netns> -batch -` with one command per line: one process per namespace, not per command. */
export async function ipBatch(netns: string, commands: readonly string[]): Promise<void> {
  if (commands.length === 0) return;
  await runCommand('ip', ['-n', netns, '-batch', '-'], commands.join('\n') + '\n');
}

/** Sets sysctls inside a namespace (net.* sysctls are per network namespace). */
export async function netnsSysctl(netns: string, settings: Record<string, string>): Promise<void> {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  await runCommand('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', ...args]);
}

export async function listNetns(): Promise<string[]> {
  // `ip netns list` prints "name (id: N)" or "name"; the directory is the same truth without parsing.
  try {
    return fs.readdirSync(netnsRunDir).sort();
  } catch {
    return [];
  }
}

/**
 * The processes inside a named network namespace, found by comparing every process's
 * /proc/<pid>/ns/net with the namespace's inode. (`ip netns pids` misses processes that
 * also live in a mount namespace of their own, as every container does.)
 */
export async function netnsPids(netns: string): Promise<number[]> {
  let target: fs.Stats;
  try {
    target = fs.statSync(path.join(netnsRunDir, netns));
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const st = fs.statSync(`/proc/${entry}/ns/net`);
      if (st.ino === target.ino && st.dev === target.dev) pids.push(Number(entry));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is gone for every purpose here.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILLs every process in a namespace and waits (bounded) for them to go. */
export async function killNetnsProcesses(netns: string, timeoutMs = 5000): Promise<number[]> {
  const pids = await netnsPids(netns);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isProcessAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return pids;
}

export async function deleteNetns(netns: string): Promise<void> {
  if (!fs.existsSync(path.join(netnsRunDir, netns))) return;
  await killNetnsProcesses(netns);
  await runCommand('ip', ['netns', 'del', netns]);
}

// ---------------------------------------------------------------------------------------
// The cluster network

export interface ClusterNetworkOptions {
  cluster: string;
  nodes: number;
  /** The node network on the cluster bridge (default 172.18.0.0/24): the router is .1, node-i is .(i+1). */
  nodeCIDR?: string;
  /** node-i's pod range (default 10.244.i.0/24); its .1 is the pods' gateway. */
  podCIDR?: (index: number) => string;
  /** Made local in every node namespace so one process can listen on any ClusterIP (default 10.96.0.0/12). */
  serviceCIDR?: string;
  /** The router's address on the cluster bridge (default: the node CIDR's .1). */
  apiServerAddress?: string;
  /** "30000-32767": kept out of the node namespaces' ephemeral ports. */
  nodePortRange?: string;
  logger?: Logger;
}

export interface NodeNetwork {
  /** 1-based. */
  index: number;
  /** node-<index> */
  nodeName: string;
  netns: string;
  nodeIP: string;
  podCIDR: string;
  /** The pod bridge's address: every pod's default gateway. */
  podGateway: string;
  podBridge: string;
}

export interface ClusterNetwork {
  cluster: string;
  routerNetns: string;
  clusterBridge: string;
  nodeCIDR: string;
  serviceCIDR: string;
  apiServerAddress: string;
  nodes: NodeNetwork[];
}

/** The addresses and names of a cluster network, without touching the system. */
export function planClusterNetwork(opts: ClusterNetworkOptions): ClusterNetwork {
  assertClusterName(opts.cluster);
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 250) throw new Error(`invalid node count ${opts.nodes}`);
  const nodeCIDR = opts.nodeCIDR ?? '172.18.0.0/24';
  const podCIDR = opts.podCIDR ?? ((i: number) => `10.244.${i}.0/24`);
  const nodes: NodeNetwork[] = [];
  for (let i = 1; i <= opts.nodes; i++) {
    nodes.push({
      index: i,
      nodeName: `node-${i}`,
      netns: nodeNetnsName(opts.cluster, i),
      nodeIP: addressInCIDR(nodeCIDR, i + 1),
      podCIDR: podCIDR(i),
      podGateway: addressInCIDR(podCIDR(i), 1),
      podBridge: podBridgeName,
    });
  }
  return {
    cluster: opts.cluster,
    routerNetns: routerNetnsName(opts.cluster),
    clusterBridge: clusterBridgeName(opts.cluster),
    nodeCIDR,
    serviceCIDR: opts.serviceCIDR ?? '10.96.0.0/12',
    apiServerAddress: opts.apiServerAddress ?? addressInCIDR(nodeCIDR, 1),
    nodes,
  };
}

/**
 * Where br_netfilter is loaded (Docker loads it), bridged frames meet the IP hooks too, and
 * a pod reaching itself through its Service (hairpin) is DNATed on the bridge, then bridged
 * back out the port it came in on — which a bridge never does — so the connect hangs until
 * a retransmit picks another endpoint, and the nftables mode's hairpin masquerade is never
 * reached. Pods reach each other through their node (routed), so the node namespace needs
 * no netfilter on bridged frames: it is turned off there (a per-namespace sysctl; the host's
 * own setting is untouched). kubelet's --hairpin-mode answers the same problem on the ports.
 */
function bridgeNetfilterOff(): Record<string, string> {
  return fs.existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables') ? { 'net.bridge.bridge-nf-call-iptables': '0' } : {};
}

/** The packet mark and routing table of the transparent proxy's return path ("KZ"). */
export const transparentMark = 0x4b5a;

/**
 * The return path for client IP preservation (src/proxy/userspace/ip-transparent.ts): an
 * endpoint answers the client's address, which is not the node's; a packet that belongs
 * to one of the proxy's transparent sockets is marked and routed to the node itself, so
 * it reaches that socket instead of being forwarded to the client. Without nft the node
 * works as before and backends see the node's address; the agent notices (no rule).
 */
async function setupTransparentReturnPath(node: NodeNetwork, cluster: string, logger?: Logger): Promise<void> {
  const ruleset = [
    `table ip kanzen-${cluster} {`,
    '  chain prerouting {',
    '    type filter hook prerouting priority mangle; policy accept;',
    `    meta l4proto tcp socket transparent 1 meta mark set ${transparentMark}`,
    '  }',
    '}',
    '',
  ].join('\n');
  try {
    await nftApply(ruleset, { netns: node.netns });
  } catch (err) {
    logger?.warn('no nftables in the node namespace: backends will see the node address, not client IPs', { node: node.nodeName, error: (err as Error).message });
    return;
  }
  await ipBatch(node.netns, [`rule add fwmark ${transparentMark} lookup ${transparentMark} priority 100`, `route add local 0.0.0.0/0 dev lo table ${transparentMark}`]);
}

/** True when this network namespace has the transparent return path (read by node agents). */
export async function hasTransparentReturnPath(): Promise<boolean> {
  try {
    const r = await runCommand('ip', ['-4', 'rule', 'show', 'fwmark', String(transparentMark)]);
    return r.stdout.includes('lookup');
  } catch {
    return false;
  }
}

/**
 * Creates the cluster's namespaces, bridges, veths and routes. Idempotent: whatever a
 * previous run of this cluster left behind (a crash) is removed first.
 */
export async function setupClusterNetwork(opts: ClusterNetworkOptions): Promise<ClusterNetwork> {
  const net = planClusterNetwork(opts);
  await teardownClusterNetwork(net.cluster);
  const prefix = parseCIDR(net.nodeCIDR).prefix;
  try {
    await runCommand('ip', ['netns', 'add', net.routerNetns]);
    for (const node of net.nodes) await runCommand('ip', ['netns', 'add', node.netns]);

    const router: string[] = [
      'link set lo up',
      `link add ${net.clusterBridge} type bridge`,
      `addr add ${net.apiServerAddress}/${prefix} dev ${net.clusterBridge}`,
      `link set ${net.clusterBridge} up`,
    ];
    for (const node of net.nodes) {
      const veth = routerVethName(net.cluster, node.index);
      router.push(`link add ${veth} type veth peer name ${nodeInterfaceName} netns ${node.netns}`);
      router.push(`link set ${veth} master ${net.clusterBridge} up`);
    }
    // The router answers pods (the API server serves on its address), so it needs their ranges.
    for (const node of net.nodes) router.push(`route add ${node.podCIDR} via ${node.nodeIP}`);
    await ipBatch(net.routerNetns, router);
    await netnsSysctl(net.routerNetns, { 'net.ipv4.ip_forward': '1' });

    for (const node of net.nodes) {
      const cmds = [
        'link set lo up',
        `addr add ${node.nodeIP}/${prefix} dev ${nodeInterfaceName}`,
        `link set ${nodeInterfaceName} up`,
        `link add ${node.podBridge} type bridge`,
        `addr add ${node.podGateway}/${parseCIDR(node.podCIDR).prefix} dev ${node.podBridge}`,
        `link set ${node.podBridge} up`,
        // Every ClusterIP is a local address of the node: the proxy listens on them directly.
        `route add local ${net.serviceCIDR} dev lo`,
      ];
      for (const other of net.nodes) {
        if (other.index !== node.index) cmds.push(`route add ${other.podCIDR} via ${other.nodeIP}`);
      }
      await ipBatch(node.netns, cmds);
      // rp_filter off: a ClusterIP answered from lo for a packet that came in on kzbr0 is
      // asymmetric by design.
      await netnsSysctl(node.netns, {
        'net.ipv4.ip_forward': '1',
        'net.ipv4.conf.all.rp_filter': '0',
        'net.ipv4.conf.default.rp_filter': '0',
        // The proxy opens a connection to an endpoint for every connection it accepts, all
        // from the node's pod-bridge address: without reuse, TIME_WAIT holds a port for 60 s
        // and a busy Service runs out of ports at ~470 new connections/s per endpoint.
        'net.ipv4.tcp_tw_reuse': '1',
        // The NodePort range is never handed out as an ephemeral port (kubelet's guidance
        // for kube-proxy nodes), so a NodePort can always be bound.
        'net.ipv4.ip_local_reserved_ports': opts.nodePortRange ?? '30000-32767',
        // Pods route even same-node traffic through their node (pod-sandbox.ts), so the
        // node must not tell them to go direct.
        'net.ipv4.conf.all.send_redirects': '0',
        'net.ipv4.conf.default.send_redirects': '0',
        [`net.ipv4.conf.${podBridgeName}.send_redirects`]: '0',
        // The proxy binds the client's address before making its socket transparent.
        'net.ipv4.ip_nonlocal_bind': '1',
        ...bridgeNetfilterOff(),
      });
      await setupTransparentReturnPath(node, net.cluster, opts.logger);
    }
  } catch (err) {
    opts.logger?.error('cluster network setup failed, removing what was created', { cluster: net.cluster, error: err as Error });
    await teardownClusterNetwork(net.cluster).catch(() => undefined);
    throw err;
  }
  opts.logger?.info('cluster network ready', { cluster: net.cluster, nodes: net.nodes.length });
  return net;
}

/**
 * Removes every namespace of the cluster (pods first, then nodes, then the router), after
 * SIGKILLing the processes still inside them. Links go with their namespaces. Safe to call
 * when nothing exists.
 */
export async function teardownClusterNetwork(cluster: string, logger?: Logger): Promise<void> {
  assertClusterName(cluster);
  const order = { pod: 0, node: 1, router: 2 } as const;
  const names = (await listNetns())
    .map((name) => ({ name, kind: clusterNetnsKind(cluster, name) }))
    .filter((n): n is { name: string; kind: ClusterNetnsKind } => n.kind !== undefined)
    .sort((a, b) => order[a.kind.kind] - order[b.kind.kind]);
  const errors: string[] = [];
  for (const { name } of names) {
    try {
      await deleteNetns(name);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) {
    logger?.error('cluster network teardown incomplete', { cluster, errors });
    throw new Error(`teardown of cluster ${cluster} network: ${errors.join('; ')}`);
  }
  if (names.length > 0) logger?.info('cluster network removed', { cluster, namespaces: names.length });
}

export interface ClusterResources {
  /** The cluster's network namespaces (by name, in /run/netns). */
  netns: string[];
  /** Links of the cluster visible in the host's namespace (there should never be any). */
  hostLinks: string[];
  /** Links inside the cluster's namespaces, as "<netns>/<link>". */
  links: string[];
  /** Mount points of the cluster in this mount namespace: netns handles and anything under the cluster home. */
  mounts: string[];
  /** Processes inside the cluster's network namespaces. */
  pids: number[];
}

/** What of a cluster exists right now; `down` and the cleanup tests assert it is empty. */
export async function listClusterResources(cluster: string, home?: string): Promise<ClusterResources> {
  assertClusterName(cluster);
  const netns = (await listNetns()).filter((n) => clusterNetnsKind(cluster, n) !== undefined);
  const linkPrefix = `kz${clusterHash(cluster)}`;
  const linkNames = async (args: string[]): Promise<string[]> => {
    try {
      const { stdout } = await runCommand('ip', [...args, '-o', 'link', 'show']);
      return stdout
        .split('\n')
        .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined);
    } catch {
      return [];
    }
  };
  const hostLinks = (await linkNames([])).filter((n) => n.startsWith(linkPrefix));
  const links: string[] = [];
  const pids: number[] = [];
  for (const ns of netns) {
    for (const l of await linkNames(['-n', ns])) links.push(`${ns}/${l}`);
    pids.push(...(await netnsPids(ns)));
  }
  const homePrefix = home ? path.resolve(home) + '/' : undefined;
  const mounts = readMountPoints().filter((m) => {
    if (m.startsWith(netnsRunDir + '/') && clusterNetnsKind(cluster, m.slice(netnsRunDir.length + 1)) !== undefined) return true;
    return homePrefix !== undefined && (m + '/').startsWith(homePrefix);
  });
  return { netns, hostLinks, links, mounts, pids };
}

/** Mount points of this process's mount namespace (octal escapes of /proc/mounts decoded). */
export function readMountPoints(): string[] {
  // Read as latin1 so each escaped byte becomes one char, then reassemble the UTF-8 bytes.
  const text = fs.readFileSync('/proc/self/mounts', 'latin1');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[1].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .map((m) => Buffer.from(m, 'latin1').toString('utf8'));
}
