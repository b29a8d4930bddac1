// A pod sandbox for the `netns` runtime (what the CRI calls RunPodSandbox): the pod's own
// network namespace wired to its node's pod bridge, and the pod's directory under the
// cluster home holding the files every container of the pod shares:
//
//   <home>/pods/<uid>/etc/{resolv.conf,hosts,hostname}
//   <home>/pods/<uid>/volumes/kubernetes.io~<plugin>/<volume>/   (upstream's layout)
//   <home>/pods/<uid>/containers/<name>/…                         (sandbox-exec.ts)
//
// The file contents follow the kubelet: resolv.conf from pkg/kubelet/network/dns (GetPodDNS)
// in containerd's format, /etc/hosts from kubelet_pods.go (managedHostsFileContent),
// configMap/secret/downwardAPI/projected payloads written like pkg/volume/util's
// AtomicWriter (a timestamped directory behind a `..data` symlink) so updates are atomic
// for a container that has the volume mounted.
import fs from 'node:fs';
import path from 'node:path';
import { parseCIDR } from '../api/ipv4.js';
import { parseQuantity } from '../api/quantity.js';
import type { Pod, PodDNSConfigOption, Volume } from '../api/types.js';
import {
  deleteNetns,
  ipBatch,
  netnsRunDir,
  podInterfaceName,
  podNetnsName,
  podVethName,
  readMountPoints,
  runCommand,
  type NodeNetwork,
} from './cluster-network.js';

// ---------------------------------------------------------------------------------------
// DNS (pkg/kubelet/network/dns/dns.go)

/** Upstream defaultDNSOptions. */
const defaultDNSOptions = ['ndots:5'];
/** validation.MaxDNSNameservers */
const maxDNSNameservers = 3;
/** validation.MaxDNSSearchPathsExpanded / MaxDNSSearchListCharsExpanded (ExpandedDNSConfig is GA). */
const maxDNSSearchPaths = 32;
const maxDNSSearchListChars = 2048;
/** utilvalidation.DNS1123SubdomainMaxLength */
const maxSearchPathLength = 253;

export interface PodDNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
  /** Messages of the DNSConfigForming Warning events the kubelet would record. */
  warnings: string[];
}

interface PodDNSFields {
  metadata: { namespace?: string };
  spec: Pick<Pod['spec'], 'dnsPolicy' | 'dnsConfig' | 'hostNetwork'>;
}

/** parseResolvConf: nameservers accumulate, the last search and options lines win. */
export function parseResolvConf(text: string): { servers: string[]; searches: string[]; options: string[] } {
  const servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    if (fields[0] === 'nameserver' && fields.length >= 2) servers.push(fields[1]);
    // The same domain with and without its trailing dot counts once.
    if (fields[0] === 'search') searches = fields.slice(1).map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    if (fields[0] === 'options') options = fields.slice(1);
  }
  return { servers, searches, options };
}

function omitDuplicates(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** mergeDNSOptions: the pod's dnsConfig.options override the base ones by name (order kept, Go's map order is not). */
function mergeDNSOptions(base: readonly string[], overrides: readonly PodDNSConfigOption[]): string[] {
  const merged = new Map<string, string>();
  for (const op of base) {
    const i = op.indexOf(':');
    if (i === -1) merged.set(op, '');
    else merged.set(op.slice(0, i), op.slice(i + 1));
  }
  for (const op of overrides) merged.set(op.name ?? '', op.value ?? '');
  return [...merged].map(([name, value]) => (value === '' ? name : `${name}:${value}`));
}

function fitSearchLimits(searches: string[], warnings: string[]): string[] {
  let exceeded = false;
  let out = searches;
  if (out.length > maxDNSSearchPaths) {
    out = out.slice(0, maxDNSSearchPaths);
    exceeded = true;
  }
  const filtered = out.filter((s) => s.length <= maxSearchPathLength);
  if (filtered.length !== out.length) exceeded = true;
  out = filtered;
  let lineLength = out.join(' ').length;
  while (lineLength > maxDNSSearchListChars && out.length > 0) {
    out = out.slice(0, -1);
    lineLength = out.join(' ').length;
    exceeded = true;
  }
  if (exceeded) {
    warnings.push(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`);
  }
  return out;
}

/**
 * The pod's DNS settings as GetPodDNS computes them. hostResolvConf is the content of the
 * kubelet's --resolv-conf file; null means --resolv-conf="" (no host file: 127.0.0.1).
 */
export function podDNSConfig(pod: PodDNSFields, clusterDNS: readonly string[], hostResolvConf: string | null, clusterDomain = 'cluster.local'): PodDNSConfig {
  const warnings: string[] = [];
  const host = hostResolvConf === null ? { servers: [], searches: [], options: [] } : parseResolvConf(hostResolvConf);
  let cfg = { servers: host.servers, searches: host.searches, options: host.options };
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  let type: 'cluster' | 'host' | 'none';
  if (policy === 'None') type = 'none';
  else if (policy === 'ClusterFirstWithHostNet') type = 'cluster';
  else if (policy === 'ClusterFirst') type = pod.spec.hostNetwork ? 'host' : 'cluster';
  else type = 'host';
  if (type === 'cluster' && clusterDNS.length === 0) {
    // Upstream records MissingClusterDNS and falls back to Default.
    warnings.push(`kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`);
    type = 'host';
  }
  if (type === 'none') {
    cfg = { servers: [], searches: [], options: [] };
  } else if (type === 'cluster') {
    const ns = pod.metadata.namespace ?? 'default';
    const clusterSearch = clusterDomain === '' ? [] : [`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
    cfg = {
      servers: [...clusterDNS],
      searches: clusterDomain === '' ? host.searches : omitDuplicates([...clusterSearch, ...host.searches]),
      options: [...defaultDNSOptions],
    };
  } else if (hostResolvConf === null) {
    cfg = { servers: ['127.0.0.1'], searches: ['.'], options: cfg.options };
  }
  const extra = pod.spec.dnsConfig;
  if (extra) {
    cfg = {
      servers: omitDuplicates([...cfg.servers, ...(extra.nameservers ?? [])]),
      searches: omitDuplicates([...cfg.searches, ...(extra.searches ?? [])]),
      options: mergeDNSOptions(cfg.options, extra.options ?? []),
    };
  }
  if (cfg.servers.length > maxDNSNameservers) {
    cfg.servers = cfg.servers.slice(0, maxDNSNameservers);
    warnings.push(`Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${cfg.servers.join(' ')}`);
  }
  cfg.searches = fitSearchLimits(cfg.searches, warnings);
  return { ...cfg, warnings };
}

/** A DNS config as the container runtime writes it (containerd: search, nameserver, options). */
export function formatResolvConf(cfg: Pick<PodDNSConfig, 'servers' | 'searches' | 'options'>): string {
  let out = '';
  if (cfg.searches.length > 0) out += `search ${cfg.searches.join(' ')}\n`;
  for (const s of cfg.servers) out += `nameserver ${s}\n`;
  if (cfg.options.length > 0) out += `options ${cfg.options.join(' ')}\n`;
  return out;
}

/** The pod's /etc/resolv.conf. */
export function podResolvConf(pod: PodDNSFields, clusterDNS: readonly string[], hostResolvConf: string | null, clusterDomain = 'cluster.local'): string {
  return formatResolvConf(podDNSConfig(pod, clusterDNS, hostResolvConf, clusterDomain));
}

// ---------------------------------------------------------------------------------------
// Hostname and /etc/hosts (pkg/kubelet/kubelet_pods.go)

export interface HostAlias {
  ip: string;
  hostnames?: string[];
}

type PodWithAliases = Pod & { spec: Pod['spec'] & { hostAliases?: HostAlias[] } };

/** GeneratePodHostNameAndDomain: spec.hostname or the pod name (cut to 63), and the subdomain's FQDN suffix. */
export function podHostnameAndDomain(pod: Pick<Pod, 'metadata' | 'spec'>, clusterDomain = 'cluster.local'): { hostname: string; hostDomain: string } {
  let hostname = pod.spec.hostname || pod.metadata.name || '';
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const hostDomain = pod.spec.subdomain ? `${pod.spec.subdomain}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}` : '';
  return { hostname, hostDomain };
}

/** managedHostsHeader / managedHostsHeaderWithHostNetwork */
const managedHostsHeader = '# Kubernetes-managed hosts file.\n';
const managedHostsHeaderWithHostNetwork = '# Kubernetes-managed hosts file (host network).\n';

function hostsEntriesFromHostAliases(aliases: readonly HostAlias[] | undefined): string {
  if (!aliases || aliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) for (const h of a.hostnames ?? []) out += `${a.ip}\t${h}\n`;
  return out;
}

/** The pod's /etc/hosts as the kubelet writes it (managedHostsFileContent). */
export function podHostsFile(podIPs: readonly string[], hostname: string, hostDomain: string, aliases?: readonly HostAlias[]): string {
  let out = managedHostsHeader;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += hostDomain ? `${ip}\t${hostname}.${hostDomain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + hostsEntriesFromHostAliases(aliases);
}

/** A hostNetwork pod's /etc/hosts: the node's file plus the pod's aliases (nodeHostsFileContent). */
export function hostNetworkHostsFile(nodeHosts: string, aliases?: readonly HostAlias[]): string {
  return managedHostsHeaderWithHostNetwork + nodeHosts + hostsEntriesFromHostAliases(aliases);
}

// ---------------------------------------------------------------------------------------
// Volume files (pkg/volume/util/atomic_writer.go)

const dataDirName = '..data';
const newDataDirName = '..data_tmp';

function timestampDirPrefix(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

function checkPayloadPath(p: string): void {
  // AtomicWriter's validatePath: relative, no "..", not starting with "..".
  if (p === '' || path.isAbsolute(p) || p.startsWith('..') || p.split('/').includes('..')) {
    throw new Error(`invalid volume file path ${JSON.stringify(p)}`);
  }
}

/**
 * Writes a configMap/secret/downwardAPI/projected payload into a volume directory the way
 * the kubelet does: files go into a fresh `..<timestamp>` directory, `..data` is switched to
 * it with one rename, and each top-level name is a symlink through `..data`. A running
 * container that has the directory mounted sees the whole new payload at once.
 */
export function writeVolumeFiles(dir: string, files: Record<string, string | Buffer>, mode = 0o644, now = new Date()): void {
  for (const p of Object.keys(files)) checkPayloadPath(p);
  fs.mkdirSync(dir, { recursive: true });
  const dataLink = path.join(dir, dataDirName);
  let oldTsDir: string | undefined;
  try {
    oldTsDir = fs.readlinkSync(dataLink);
  } catch {
    oldTsDir = undefined;
  }
  const tsDir = fs.mkdtempSync(path.join(dir, timestampDirPrefix(now)));
  fs.chmodSync(tsDir, 0o755);
  for (const [p, content] of Object.entries(files)) {
    const target = path.join(tsDir, p);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, content, { mode });
    fs.chmodSync(target, mode);
  }
  const tmpLink = path.join(dir, newDataDirName);
  fs.rmSync(tmpLink, { force: true });
  fs.symlinkSync(path.basename(tsDir), tmpLink);
  fs.renameSync(tmpLink, dataLink);

  const topLevel = new Set(Object.keys(files).map((p) => p.split('/')[0]));
  for (const name of topLevel) {
    const link = path.join(dir, name);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(dataDirName, name), link);
  }
  // Remove the names the new payload no longer has (only our own ..data symlinks).
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('..') || topLevel.has(entry)) continue;
    const p = path.join(dir, entry);
    try {
      if (fs.lstatSync(p).isSymbolicLink() && fs.readlinkSync(p).startsWith(dataDirName + '/')) fs.rmSync(p);
    } catch {
      // raced with something else: leave it
    }
  }
  if (oldTsDir && oldTsDir !== path.basename(tsDir) && oldTsDir.startsWith('..')) {
    fs.rmSync(path.join(dir, oldTsDir), { recursive: true, force: true });
  }
}

/** The volume's directory in the pod directory, by upstream plugin name; undefined for hostPath and unknown kinds. */
export function podVolumeDir(podDir: string, volume: Volume): string | undefined {
  const plugin = volume.emptyDir
    ? 'empty-dir'
    : volume.configMap
      ? 'configmap'
      : volume.secret
        ? 'secret'
        : volume.downwardAPI
          ? 'downward-api'
          : volume.projected
            ? 'projected'
            : undefined;
  if (!plugin) return undefined;
  return path.join(podDir, 'volumes', `kubernetes.io~${plugin}`, volume.name);
}

/**
 * Where a claim's volume is reached from the pod directory: a symlink to the bound
 * PersistentVolume's directory, made by the kubelet when it sets the volume up (upstream
 * mounts the volume at pods/<uid>/volumes/<plugin>/<pv>; a link does here, as every kanzen
 * node shares this machine's filesystem). Removing the pod directory removes only the link.
 */
export function podClaimLink(podDir: string, volume: Volume): string | undefined {
  return volume.persistentVolumeClaim || volume.ephemeral ? path.join(podDir, 'volumes', 'kubernetes.io~pvc', volume.name) : undefined;
}

/** Where a volume's content lives on the host: its pod-directory folder, a hostPath volume's path, or a claim's link. */
export function volumeHostPath(podDir: string, volume: Volume): string | undefined {
  if (volume.hostPath) return volume.hostPath.path;
  return podClaimLink(podDir, volume) ?? podVolumeDir(podDir, volume);
}

/**
 * The size of a memory-backed emptyDir (upstream calculateEmptyDirMemorySize): the pod's
 * memory limit when every container has one, lowered to the volume's sizeLimit; undefined
 * leaves tmpfs' default (upstream: the node's allocatable memory).
 */
export function memoryVolumeSize(pod: Pod, volume: Volume): number | undefined {
  const containers = pod.spec.containers ?? [];
  const limits = containers.map((c) => c.resources?.limits?.memory);
  let size: number | undefined = containers.length && limits.every((l) => l !== undefined) ? limits.reduce<number>((sum, l) => sum + parseQuantity(l!), 0) : undefined;
  const sizeLimit = volume.emptyDir?.sizeLimit ? parseQuantity(volume.emptyDir.sizeLimit) : 0;
  if (sizeLimit > 0 && (size === undefined || sizeLimit <= size)) size = sizeLimit;
  return size === undefined ? undefined : Math.floor(size);
}

/** The tmpfs of an emptyDir with medium Memory, mounted on the volume's folder. */
async function mountMemoryVolume(dir: string, pod: Pod, volume: Volume): Promise<void> {
  const size = memoryVolumeSize(pod, volume);
  const options = ['mode=0777', ...(size ? [`size=${size}`] : [])];
  await runCommand('mount', ['-t', 'tmpfs', '-o', options.join(','), 'tmpfs', dir]);
}

/** Unmounts the pod's memory-backed emptyDirs (the only mounts kanzen makes under a pod directory). */
async function unmountMemoryVolumes(podDir: string): Promise<void> {
  const prefix = path.join(podDir, 'volumes', 'kubernetes.io~empty-dir') + '/';
  for (const m of readMountPoints().filter((p) => p.startsWith(prefix))) await runCommand('umount', [m]).catch(() => runCommand('umount', ['-l', m]));
}

// ---------------------------------------------------------------------------------------
// The sandbox

export interface PodSandboxOptions {
  cluster: string;
  /** The cluster home; the pod directory is <home>/pods/<uid>. */
  home: string;
  pod: Pod;
  /** The node the pod runs on (its netns, pod bridge and gateway). */
  node: Pick<NodeNetwork, 'netns' | 'podBridge' | 'podGateway' | 'podCIDR' | 'nodeName'>;
  /** The pod's IP from the node's range; ignored for hostNetwork pods (they have the node's). */
  podIP?: string;
  /** The node's IP (a hostNetwork pod's IP). */
  nodeIP?: string;
  /** kube-dns ClusterIP(s): the kubelet's --cluster-dns. */
  clusterDNS: string[];
  clusterDomain?: string;
  /** The kubelet's --resolv-conf content (default: the host's /etc/resolv.conf); null = --resolv-conf="". */
  hostResolvConf?: string | null;
  /** The node's /etc/hosts (for hostNetwork pods; default: the host's). */
  nodeHosts?: string;
}

export interface PodSandbox {
  cluster: string;
  home: string;
  podUID: string;
  podDir: string;
  hostNetwork: boolean;
  /** The network namespace the pod's containers join: its own, or the node's for hostNetwork pods. */
  netns: string;
  netnsPath: string;
  nodeNetns: string;
  /** The node-side end of the pod's veth (none for hostNetwork pods). */
  vethName?: string;
  podIP: string;
  hostname: string;
  hostDomain: string;
  resolvConfPath: string;
  hostsPath: string;
  hostnamePath: string;
  /** DNSConfigForming / MissingClusterDNS messages for the kubelet to record as events. */
  dnsWarnings: string[];
}

export function podDirectory(home: string, podUID: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(podUID)) throw new Error(`invalid pod UID ${JSON.stringify(podUID)}`);
  return path.join(path.resolve(home), 'pods', podUID);
}

/**
 * Creates (or re-creates: a leftover of the same pod is removed first) the pod's network
 * namespace and its directory with resolv.conf, hosts, hostname and empty volume folders.
 */
export async function createPodSandbox(opts: PodSandboxOptions): Promise<PodSandbox> {
  const pod = opts.pod as PodWithAliases;
  const uid = pod.metadata.uid;
  if (!uid) throw new Error('pod has no metadata.uid');
  const hostNetwork = pod.spec.hostNetwork === true;
  const podDir = podDirectory(opts.home, uid);
  const clusterDomain = opts.clusterDomain ?? 'cluster.local';
  const netns = hostNetwork ? opts.node.netns : podNetnsName(opts.cluster, uid);
  const vethName = hostNetwork ? undefined : podVethName(opts.cluster, uid);
  const podIP = hostNetwork ? (opts.nodeIP ?? '') : opts.podIP;
  if (!podIP) throw new Error(hostNetwork ? 'hostNetwork pod needs the node IP' : 'pod sandbox needs a pod IP');

  const named = podHostnameAndDomain(pod, clusterDomain);
  // A hostNetwork pod has the node's hostname (here: the node's name).
  const hostname = hostNetwork ? opts.node.nodeName : named.hostname;
  const hostDomain = hostNetwork ? '' : named.hostDomain;

  const sandbox: PodSandbox = {
    cluster: opts.cluster,
    home: path.resolve(opts.home),
    podUID: uid,
    podDir,
    hostNetwork,
    netns,
    netnsPath: path.join(netnsRunDir, netns),
    nodeNetns: opts.node.netns,
    vethName,
    podIP,
    hostname,
    hostDomain,
    resolvConfPath: path.join(podDir, 'etc', 'resolv.conf'),
    hostsPath: path.join(podDir, 'etc', 'hosts'),
    hostnamePath: path.join(podDir, 'etc', 'hostname'),
    dnsWarnings: [],
  };
  await removePodSandbox(sandbox);

  fs.mkdirSync(path.join(podDir, 'etc'), { recursive: true, mode: 0o755 });
  const hostResolv = opts.hostResolvConf === undefined ? readFileOr('/etc/resolv.conf', '') : opts.hostResolvConf;
  const dns = podDNSConfig(pod, opts.clusterDNS, hostResolv, clusterDomain);
  sandbox.dnsWarnings = dns.warnings;
  fs.writeFileSync(sandbox.resolvConfPath, formatResolvConf(dns), { mode: 0o644 });
  const hosts = hostNetwork
    ? hostNetworkHostsFile(opts.nodeHosts ?? readFileOr('/etc/hosts', ''), pod.spec.hostAliases)
    : podHostsFile([podIP], hostname, hostDomain, pod.spec.hostAliases);
  fs.writeFileSync(sandbox.hostsPath, hosts, { mode: 0o644 });
  fs.writeFileSync(sandbox.hostnamePath, hostname + '\n', { mode: 0o644 });
  for (const v of pod.spec.volumes ?? []) {
    const dir = podVolumeDir(podDir, v);
    if (!dir) continue;
    fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
    if (v.emptyDir?.medium === 'Memory') await mountMemoryVolume(dir, pod, v);
  }

  if (!hostNetwork && vethName) {
    try {
      await runCommand('ip', ['netns', 'add', netns]);
      await ipBatch(opts.node.netns, [
        `link add ${vethName} type veth peer name ${podInterfaceName} netns ${netns}`,
        `link set ${vethName} master ${opts.node.podBridge} up`,
      ]);
      await ipBatch(netns, [
        'link set lo up',
        // noprefixroute: no on-link route to the pod range, so even same-node pods talk
        // through the node, where the proxy's transparent sockets catch their answers to
        // preserved client IPs (cluster-network.ts) — as a routed CNI (Calico) does.
        `addr add ${podIP}/${parseCIDR(opts.node.podCIDR).prefix} dev ${podInterfaceName} noprefixroute`,
        `link set ${podInterfaceName} up`,
        `route add ${opts.node.podGateway} dev ${podInterfaceName} scope link`,
        // Everything, the service CIDR included, goes to the node: its proxy owns ClusterIPs.
        `route add default via ${opts.node.podGateway}`,
      ]);
    } catch (err) {
      await removePodSandbox(sandbox).catch(() => undefined);
      throw err;
    }
  }
  return sandbox;
}

export type PodSandboxRef = Pick<PodSandbox, 'cluster' | 'home' | 'podUID' | 'hostNetwork' | 'nodeNetns'> & { vethName?: string };

/**
 * Removes the pod's network namespace (SIGKILLing anything still in it), its veth and its
 * directory. Refuses to delete the directory while something is mounted below it in this
 * mount namespace, so a bind mount can never turn the removal into a deletion of host files.
 */
export async function removePodSandbox(ref: PodSandboxRef): Promise<void> {
  if (!ref.hostNetwork) {
    await deleteNetns(podNetnsName(ref.cluster, ref.podUID));
    const veth = ref.vethName ?? podVethName(ref.cluster, ref.podUID);
    // The veth dies with its peer's namespace; after a crash it may outlive it briefly.
    if (fs.existsSync(path.join(netnsRunDir, ref.nodeNetns))) {
      await runCommand('ip', ['-n', ref.nodeNetns, 'link', 'del', veth]).catch(() => undefined);
    }
  }
  const podDir = podDirectory(ref.home, ref.podUID);
  await unmountMemoryVolumes(podDir);
  const mounted = readMountPoints().filter((m) => m === podDir || m.startsWith(podDir + '/'));
  if (mounted.length > 0) throw new Error(`pod directory ${podDir} still has mounts: ${mounted.join(', ')}`);
  fs.rmSync(podDir, { recursive: true, force: true });
}

/** Pod UIDs that have a directory under the cluster home (for a restarted agent to reconcile). */
export function listPodDirectories(home: string): string[] {
  try {
    return fs.readdirSync(path.join(home, 'pods')).sort();
  } catch {
    return [];
  }
}

function readFileOr(p: string, fallback: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return fallback;
  }
}
