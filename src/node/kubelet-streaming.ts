// The kubelet's side of the streaming seam (src/node/kubelet-server/streaming-runtime.ts):
// log files, exec and attach for the containers this node's kubelet runs.
import { ApiError } from '../api/errors.js';
import { allContainers } from '../api/pod-containers.js';
import type { Container, ContainerStatus, Pod } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Kubelet } from './kubelet/kubelet.js';
import type { PodRuntime } from './kubelet/container-runtime.js';
import type { ContainerLauncher } from './kubelet/container-launcher.js';
import { execInSandbox } from './sandbox-exec.js';
import { dialPod, streamingProcessFromChild, type ContainerRef, type StreamingRuntime } from './kubelet-server/streaming-runtime.js';
import { attachContainer, replayHeldOutput } from './kubelet/container-attach.js';
import { validateContainerLogStatus } from './kubelet-server/container-log-status.js';
import { socketInNetns } from './netns-socket.js';
import type { Duplex } from 'node:stream';

async function podOf(kubelet: Kubelet, client: ApiClient, ref: ContainerRef): Promise<{ pod: Pod; runtime?: PodRuntime }> {
  const pod = await client.get<Pod>(resourceFor('pods'), ref.namespace, ref.pod);
  return { pod, runtime: kubelet.runtimeOf(pod.metadata.uid!) };
}

async function runtimeFor(kubelet: Kubelet, client: ApiClient, ref: ContainerRef): Promise<{ pod: Pod; runtime: PodRuntime }> {
  const { pod, runtime } = await podOf(kubelet, client, ref);
  if (!runtime) throw ApiError.badRequest(`pod "${ref.pod}" is not running on this node`);
  return { pod, runtime };
}

function containerOf(pod: Pod, name: string): Container | undefined {
  return allContainers(pod.spec).find((c) => c.name === name);
}

function statusOf(pod: Pod, name: string): ContainerStatus | undefined {
  const s = pod.status;
  return [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? []), ...(s?.ephemeralContainerStatuses ?? [])].find((x) => x.name === name);
}

/**
 * Which instance's log `kubectl logs [--previous]` reads (upstream validateContainerLogStatus
 * picks the container ID: the current one, or lastState's). The runtime's own record is
 * fresher than the pod status when the pod still runs here. Instance files are numbered by
 * restartCount, which goes up when the next instance starts: while a container waits to be
 * restarted, its last instance (lastState) is still restartCount.
 */
function logInstance(pod: Pod, runtime: PodRuntime | undefined, name: string, previous: boolean): number {
  if (!containerOf(pod, name)) throw ApiError.badRequest(`container ${name} is not valid for pod ${pod.metadata.name ?? ''}`);
  const rec = runtime?.record(name);
  const status: ContainerStatus | undefined = rec
    ? { name, state: rec.state, lastState: rec.lastState, restartCount: rec.restartCount, ready: false, image: '', imageID: '', containerID: rec.containerID }
    : statusOf(pod, name);
  const view: Pod = { ...pod, status: { ...pod.status, initContainerStatuses: [], containerStatuses: status ? [status] : [] } };
  validateContainerLogStatus(view, name, previous);
  const restartCount = status?.restartCount ?? 0;
  return previous && !status?.state?.waiting ? restartCount - 1 : restartCount;
}

/**
 * podNetnsPath: where a pod's network namespace is (none for hostNetwork pods and in
 * tests), so port-forward can reach ports the pod binds on its own 127.0.0.1.
 */
export function kubeletStreamingRuntime(
  kubelet: Kubelet,
  client: ApiClient,
  podNetnsPath?: (pod: Pod) => string | undefined,
  launcher?: Pick<ContainerLauncher, 'exec'>,
): StreamingRuntime {
  return {
    async containerLogFile(ref, previous) {
      // From the pod as this kubelet knows it, running or finished: logs stay until the pod is deleted.
      const { pod, runtime } = await podOf(kubelet, client, ref);
      const n = logInstance(pod, runtime, ref.container, previous);
      const file = kubelet.logPath(pod.metadata.uid!, ref.container, n);
      const running = runtime?.isRunning(ref.container) && runtime.record(ref.container)?.restartCount === n;
      return { path: file, exited: running ? runtime!.logComplete(ref.container) : undefined };
    },
    async exec(ref, command, opts) {
      const { runtime } = await runtimeFor(kubelet, client, ref);
      const pid = runtime.containerPid(ref.container);
      if (!pid) throw ApiError.badRequest(`container ${ref.container} is not running in pod ${ref.pod}`);
      const target = { podUID: runtime.uid, container: ref.container, pid };
      const exec = launcher?.exec?.(target, command, { tty: opts.tty, stdin: opts.stdin });
      if (!exec) return streamingProcessFromChild(execInSandbox(pid, command, { tty: opts.tty, stdin: opts.stdin }));
      return { ...streamingProcessFromChild(exec.process, exec.resize), close: () => exec.kill() };
    },
    async attach(ref, opts) {
      // The container's main process: its output from now on, its stdin, its terminal (kubelet/container-attach.ts).
      const { pod, runtime } = await podOf(kubelet, client, ref);
      const c = containerOf(pod, ref.container);
      if (!runtime && c?.stdin && c.stdinOnce && statusOf(pod, ref.container)?.state?.terminated) {
        // The pod finished before the first attach came: what the container held for it is its log.
        return replayHeldOutput(kubelet.logPath(pod.metadata.uid!, ref.container, logInstance(pod, undefined, ref.container, false)), c, opts);
      }
      if (!runtime) throw ApiError.badRequest(`pod "${ref.pod}" is not running on this node`);
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
