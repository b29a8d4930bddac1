// The kubelet's side of the streaming seam (src/node/kubelet-server/streaming-runtime.ts):
// log files, exec and attach for the containers this node's kubelet runs.
import { ApiError } from '../api/errors.js';
import type { Pod } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Kubelet } from './kubelet/kubelet.js';
import type { PodRuntime } from './kubelet/container-runtime.js';
import { execInSandbox } from './sandbox-exec.js';
import { dialPod, streamingProcessFromChild, type ContainerRef, type StreamingRuntime } from './kubelet-server/streaming-runtime.js';
import { attachContainer } from './kubelet/container-attach.js';
import { socketInNetns } from './netns-socket.js';
import type { Duplex } from 'node:stream';

async function runtimeFor(kubelet: Kubelet, client: ApiClient, ref: ContainerRef): Promise<{ pod: Pod; runtime: PodRuntime }> {
  const pod = await client.get<Pod>(resourceFor('pods'), ref.namespace, ref.pod);
  const runtime = kubelet.runtimeOf(pod.metadata.uid!);
  if (!runtime) throw ApiError.badRequest(`pod "${ref.pod}" is not running on this node`);
  return { pod, runtime };
}

/**
 * podNetnsPath: where a pod's network namespace is (none for hostNetwork pods and in
 * tests), so port-forward can reach ports the pod binds on its own 127.0.0.1.
 */
export function kubeletStreamingRuntime(kubelet: Kubelet, client: ApiClient, podNetnsPath?: (pod: Pod) => string | undefined): StreamingRuntime {
  return {
    async containerLogFile(ref, previous) {
      const { runtime } = await runtimeFor(kubelet, client, ref);
      const rec = runtime.record(ref.container);
      if (!rec) throw ApiError.badRequest(`container ${ref.container} is not valid for pod ${ref.pod}`);
      const n = previous ? rec.restartCount - 1 : rec.restartCount;
      if (n < 0) throw ApiError.badRequest(`previous terminated container "${ref.container}" in pod "${ref.pod}" not found`);
      const file = runtime.logPath(ref.container, n);
      return { path: file, exited: previous ? undefined : runtime.containerExited(ref.container) };
    },
    async exec(ref, command, opts) {
      const { runtime } = await runtimeFor(kubelet, client, ref);
      const pid = runtime.containerPid(ref.container);
      if (!pid) throw ApiError.badRequest(`container ${ref.container} is not running in pod ${ref.pod}`);
      return streamingProcessFromChild(execInSandbox(pid, command, { tty: opts.tty, stdin: opts.stdin }));
    },
    async attach(ref, opts) {
      // The container's main process: its output from now on, its stdin, its terminal (kubelet/container-attach.ts).
      const { runtime } = await runtimeFor(kubelet, client, ref);
      if (!runtime.record(ref.container)) throw ApiError.badRequest(`container ${ref.container} is not valid for pod ${ref.pod}`);
      return attachContainer(runtime, ref.container, opts);
    },
    async portForward(namespace, podName, port) {
      // The kubelet dials localhost inside the pod's namespace. The pod's IP from the node
      // reaches every port bound on all addresses at no cost; a port bound on the pod's
      // 127.0.0.1 only is reached through a socket made inside its namespace.
      const { pod } = await runtimeFor(kubelet, client, { namespace, pod: podName, container: '' });
      const ip = pod.status?.podIP;
      if (!ip) throw new Error(`pod ${namespace}/${podName} has no IP yet`);
      try {
        return await dialPod(ip, port);
      } catch (err) {
        const netns = podNetnsPath?.(pod);
        if (!netns) throw err;
        return (await socketInNetns(netns, { mode: 'connect', address: '127.0.0.1', port })) as Duplex;
      }
    },
  };
}
