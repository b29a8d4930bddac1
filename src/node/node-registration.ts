// Node registration (upstream pkg/kubelet/kubelet_node_status.go: initialNode,
// tryRegisterWithAPIServer, and the status setters of pkg/kubelet/nodestatus): a node agent
// builds its Node object from the machine it runs on and creates it, or, when the Node
// already exists (the agent restarted), reconciles the fields the kubelet owns and keeps
// everything else (user labels, taints, unschedulable).
//
// kanzen differences, on purpose:
// * spec.podCIDR(s) is set here, at registration: kanzen has no node-ipam controller, and
//   the node's /24 is fixed by its index (node-1 → 10.244.1.0/24), as the tutorial shows.
// * Every node of a cluster runs on the same host, so capacity, kernel and OS image are the
//   host's; machineID and systemUUID are derived from the host's and the node's name so
//   that nodes stay distinct.
// * nodeInfo.containerRuntimeVersion names the runtime as the CRI would ("<runtime>://<version>"),
//   the same scheme as containerIDs: `kanzen://0.1.0` for real pods, `fake://0.1.0` for the
//   fake runtime, so `kubectl get nodes -o wide` says which runtime a cluster uses.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { ContainerImage, NodeCondition, Node } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { isAlreadyExists } from '../api/errors.js';
import { formatIPv4, parseCIDR } from '../api/ipv4.js';
import { rfc3339 } from '../api/time.js';
export { rfc3339 };

export const kubeletVersion = 'v1.33.0+kanzen';
/** The kubelet's API port, reported in status.daemonEndpoints (upstream default --port). */
export const kubeletPort = 10250;
/** Upstream default --max-pods. */
export const maxPods = 110;

const nodes = resourceFor('nodes');

export interface NodeRegistration {
  /** node-N */
  name: string;
  /** The node's InternalIP (node-N is 172.18.0.(N+1) by default). */
  nodeIP: string;
  /** The node's pod range, e.g. 10.244.1.0/24. */
  podCIDR: string;
  /** status.nodeInfo.containerRuntimeVersion, e.g. fake://0.1.0. */
  containerRuntimeVersion: string;
  /** Overrides of status.capacity (allocatable follows), e.g. for scale benchmarks. */
  capacity?: Record<string, string>;
  /** What the node's image store holds (status.images); none for runtimes without images. */
  images?: () => ContainerImage[];
}

/** The name of the index-th node (1-based), as kind names its workers by role. */
export function nodeName(index: number): string {
  return `node-${index}`;
}

/** The index-th /24 of the cluster pod CIDR: 10.244.0.0/16, 1 → 10.244.1.0/24 (node-ipam's range allocator with node-cidr-mask-size 24). */
export function nodePodCIDR(clusterCIDR: string, index: number, maskSize = 24): string {
  const c = parseCIDR(clusterCIDR);
  const size = 2 ** (32 - maskSize);
  if (maskSize < c.prefix || (index + 1) * size > c.size) {
    throw new Error(`pod CIDR ${c.text} has no /${maskSize} with index ${index}`);
  }
  return `${formatIPv4(c.network + index * size)}/${maskSize}`;
}

/** Go's GOARCH for Node's process.arch, as kubernetes.io/arch and nodeInfo.architecture carry. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  return map[arch] ?? arch;
}

interface HostFacts {
  cpu: string;
  memory: string;
  ephemeralStorage: string;
  kernelVersion: string;
  osImage: string;
  bootID: string;
  machineID: string;
}

let hostFactsCache: HostFacts | undefined;

function readFirstLine(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME from os-release, as cadvisor reports osImage. */
function osImage(): string {
  const text = readFirstLine('/etc/os-release') || readFirstLine('/usr/lib/os-release');
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  return m ? m[1].replace(/^"(.*)"$/, '$1') : 'Linux';
}

function ephemeralStorageKi(): string {
  try {
    const s = fs.statfsSync('/');
    return `${Math.floor((s.blocks * s.bsize) / 1024)}Ki`;
  } catch {
    return '0';
  }
}

function hostFacts(): HostFacts {
  hostFactsCache ??= {
    cpu: String(os.availableParallelism()),
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    ephemeralStorage: ephemeralStorageKi(),
    kernelVersion: os.release(),
    osImage: osImage(),
    bootID: readFirstLine('/proc/sys/kernel/random/boot_id'),
    machineID: readFirstLine('/etc/machine-id') || os.hostname(),
  };
  return hostFactsCache;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}


/** The labels every kubelet sets on its Node (upstream updateDefaultLabels; the beta ones are still set in 1.33). */
export function defaultNodeLabels(name: string): Record<string, string> {
  const arch = goArch();
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
}

/** The condition types the kubelet owns, in the order it reports them (kubectl describe node shows this order). */
const healthyConditions: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The node conditions a healthy kubelet posts at now: every heartbeat is now; a transition
 * time is kept while the status stays the same (upstream nodestatus setters), so a node the
 * lifecycle controller marked Unknown gets a fresh Ready transition when its agent is back.
 * Conditions the kubelet does not own (e.g. set by other agents) are kept after its own.
 */
export function nodeConditions(existing: NodeCondition[] | undefined, now: Date): NodeCondition[] {
  const t = rfc3339(now);
  const old = new Map((existing ?? []).map((c) => [c.type, c]));
  const own = healthyConditions.map((c) => {
    const prev = old.get(c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : t;
    return { type: c.type, status: c.status, lastHeartbeatTime: t, lastTransitionTime, reason: c.reason, message: c.message };
  });
  const owned = new Set(healthyConditions.map((c) => c.type));
  return [...own, ...(existing ?? []).filter((c) => !owned.has(c.type))];
}

/** The status a kubelet posts for itself (addresses, capacity, nodeInfo, conditions). */
export function nodeStatus(reg: NodeRegistration, existing: Node['status'] | undefined, now: Date): NonNullable<Node['status']> {
  const h = hostFacts();
  const capacity: Record<string, string> = {
    cpu: h.cpu,
    'ephemeral-storage': h.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: h.memory,
    pods: String(maxPods),
    ...(reg.capacity ?? {}),
  };
  const id = digest(h.machineID, reg.name);
  return {
    // kanzen reserves nothing for system daemons, as kind's kubelets (no kube/system-reserved).
    capacity,
    allocatable: { ...capacity },
    conditions: nodeConditions(existing?.conditions, now),
    addresses: [
      { type: 'InternalIP', address: reg.nodeIP },
      { type: 'Hostname', address: reg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    ...(reg.images ? { images: reg.images() } : {}),
    nodeInfo: {
      machineID: id.slice(0, 32),
      systemUUID: uuidFrom(digest('system-uuid', h.machineID, reg.name)),
      bootID: h.bootID,
      kernelVersion: h.kernelVersion,
      osImage: h.osImage,
      containerRuntimeVersion: reg.containerRuntimeVersion,
      kubeletVersion,
      // Set again since 1.31.1 (DisableNodeKubeProxyVersion is off by default): the kubelet's version.
      kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

/** The Node a kubelet registers (upstream initialNode). */
export function buildNode(reg: NodeRegistration, now: Date): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: reg.name,
      labels: defaultNodeLabels(reg.name),
      // Set by every kubelet whose volumes the attach/detach controller manages (the default).
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: reg.podCIDR, podCIDRs: [reg.podCIDR] },
    status: nodeStatus(reg, undefined, now),
  };
}

/**
 * Registers the node: creates it, or adopts the existing one (the agent restarted, or the
 * cluster was brought up again over the same store) by restoring the kubelet's labels,
 * annotation and, if still empty, the pod CIDR, then posting a fresh status.
 */
export async function registerNode(client: ApiClient, reg: NodeRegistration, now: () => Date = () => new Date()): Promise<Node> {
  try {
    return await client.create<Node>(nodes, undefined, buildNode(reg, now()));
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  let node = await client.get<Node>(nodes, undefined, reg.name);
  const wanted = buildNode(reg, now());
  const labels = { ...(node.metadata.labels ?? {}), ...wanted.metadata.labels };
  const annotations = { ...(node.metadata.annotations ?? {}), ...wanted.metadata.annotations };
  const spec = { ...(node.spec ?? {}) };
  // A pod CIDR may go from "" to valid, never change (validateNodeUpdate).
  if (!spec.podCIDRs?.length) Object.assign(spec, wanted.spec);
  const changed =
    !isDeepStrictEqual(labels, node.metadata.labels ?? {}) ||
    !isDeepStrictEqual(annotations, node.metadata.annotations ?? {}) ||
    !isDeepStrictEqual(spec, node.spec ?? {});
  if (changed) node = await client.update<Node>(nodes, { ...node, metadata: { ...node.metadata, labels, annotations }, spec });
  return client.updateStatus<Node>(nodes, { ...node, status: { ...node.status, ...nodeStatus(reg, node.status, now()) } });
}
