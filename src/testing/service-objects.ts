// Services and the pods behind them, in "default", as tests of the endpoint controllers need
// them: pods are created bound to node-1 and given the status a kubelet would report, so no
// scheduler or kubelet has to run.
import type { ContainerPort, ObjectReference, Pod, Service } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';

const podsInfo = resourceFor('pods');
const servicesInfo = resourceFor('services');

export function createService(client: ApiClient, name: string, spec: Service['spec'], labels?: Record<string, string>): Promise<Service> {
  return client.create<Service>(servicesInfo, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec });
}

/** A pod on node-1, Running with podIP ip, Ready or not. */
export async function createRunningPod(client: ApiClient, name: string, labels: Record<string, string>, ip: string, ready: boolean, ports: ContainerPort[] = []): Promise<Pod> {
  const pod = await client.create<Pod>(podsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', ports }] },
  });
  return setPodReady(client, pod, ready, ip);
}

/** Reports the pod Running at ip with its Ready condition set to ready. */
export async function setPodReady(client: ApiClient, pod: Pod, ready: boolean, ip = pod.status?.podIP): Promise<Pod> {
  const fresh = await client.get<Pod>(podsInfo, 'default', pod.metadata.name!);
  fresh.status = {
    ...fresh.status,
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip: ip! }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
  };
  return client.updateStatus<Pod>(podsInfo, fresh);
}

/** The targetRef an endpoint of this pod carries. */
export function podRef(p: Pod): ObjectReference {
  return { kind: 'Pod', namespace: 'default', name: p.metadata.name, uid: p.metadata.uid };
}
