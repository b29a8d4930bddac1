// The cluster DNS addon, as kubeadm installs it: the `coredns` ConfigMap (Corefile), the
// `coredns` Deployment (2 replicas, k8s-app=kube-dns, image registry.k8s.io/coredns/coredns,
// which kanzen's image catalog maps to its own DNS server) and the `kube-dns` Service at the
// 10th address of the service CIDR. Created once if absent: a user's edits survive restarts.
import path from 'node:path';
import { ApiError, isNotFound } from '../api/errors.js';
import type { ConfigMap, Deployment, KubeObject, Node, Service } from '../api/types.js';
import { ApiClient, resourceFor } from '../client/api-client.js';
import type { ResourceInfo } from '../api/resources.js';

/** CoreDNS shipped with Kubernetes 1.33 (kubeadm's constants). */
export const coreDNSImage = 'registry.k8s.io/coredns/coredns:v1.12.0';

/** The Corefile the tutorial shows (kubeadm's without its tuning options; `ready` serves the readiness probe). */
export const corefile = `.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;

const labels = { 'k8s-app': 'kube-dns' };

export function coreDNSConfigMap(): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: corefile } };
}

export function kubeDNSService(clusterIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { ...labels, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      selector: labels,
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
}

/**
 * kanzen's CoreDNS reads Services and EndpointSlices over the cluster's unix socket: the
 * socket's folder is a hostPath volume (in place of CoreDNS's service-account token).
 */
export function coreDNSDeployment(apiSocket: string): Deployment {
  const socketDir = path.dirname(apiSocket);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          dnsPolicy: 'Default',
          // As upstream's CoreDNS manifest: DNS outranks user workloads for scheduling and preemption.
          priorityClassName: 'system-cluster-critical',
          // kubeadm's manifest: replicas prefer different nodes (the scheduler's InterPodAffinity score).
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' },
                },
              ],
            },
          },
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'coredns',
              image: coreDNSImage,
              imagePullPolicy: 'IfNotPresent',
              args: ['-conf', '/etc/coredns/Corefile'],
              env: [{ name: 'KANZEN_API_SOCKET', value: `/var/run/kanzen/${path.basename(apiSocket)}` }],
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
              volumeMounts: [
                { name: 'config-volume', mountPath: '/etc/coredns', readOnly: true },
                { name: 'kanzen-api', mountPath: '/var/run/kanzen' },
              ],
              ports: [
                { containerPort: 53, name: 'dns', protocol: 'UDP' },
                { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
              ],
              livenessProbe: { httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
              // kubeadm leaves periodSeconds at 10; 2 lets `kanzen up` return as soon as DNS answers.
              readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' }, periodSeconds: 2 },
            },
          ],
          volumes: [
            { name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } },
            { name: 'kanzen-api', hostPath: { path: socketDir, type: 'Directory' } },
          ],
        },
      },
    },
  };
}

/** Creates the object unless it exists (a user's edits survive restarts). */
export async function createIfAbsent(client: ApiClient, info: ResourceInfo, obj: KubeObject): Promise<void> {
  // Look first: a second create of kube-dns would fail on its fixed ClusterIP before AlreadyExists.
  try {
    await client.get(info, obj.metadata.namespace, obj.metadata.name!);
    return;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  try {
    await client.create(info, obj.metadata.namespace, obj);
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
  }
}

/** How long the Deployment waits for the cluster's nodes before it is created anyway. */
const nodesReadyTimeoutMs = 60_000;

/**
 * Creates the addon. With `nodes` > 0 the Deployment follows once that many Nodes are Ready
 * (in the background, over its own connection): a kubeadm cluster's CoreDNS pods wait for
 * the network to be ready, by which time the nodes are there, and the scheduler then honours
 * the Deployment's anti-affinity; created at once, both replicas would go to whichever node
 * registers first.
 */
export async function installClusterDNS(client: ApiClient, dnsIP: string, apiSocket: string, nodes = 0): Promise<void> {
  await createIfAbsent(client, resourceFor('configmaps'), coreDNSConfigMap());
  await createIfAbsent(client, resourceFor('services'), kubeDNSService(dnsIP));
  if (nodes <= 0) {
    await createIfAbsent(client, resourceFor('deployments', 'apps'), coreDNSDeployment(apiSocket));
    return;
  }
  void deployWhenNodesReady(apiSocket, nodes);
}

async function deployWhenNodesReady(apiSocket: string, nodes: number): Promise<void> {
  const client = new ApiClient({ socketPath: apiSocket }, 'kubeadm');
  const deadline = Date.now() + nodesReadyTimeoutMs;
  try {
    for (;;) {
      const ready = await client
        .list<Node>(resourceFor('nodes'))
        .then((l) => l.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length)
        .catch(() => 0);
      if (ready >= nodes || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (;;) {
      try {
        await createIfAbsent(client, resourceFor('deployments', 'apps'), coreDNSDeployment(apiSocket));
        return;
      } catch {
        // The API is going away (the daemon stops) or is briefly unavailable: retry while it may come back.
        if (Date.now() >= deadline + nodesReadyTimeoutMs) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    client.close();
  }
}
