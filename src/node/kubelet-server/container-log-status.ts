// Which container instance `kubectl logs` may read, from the pod status (upstream:
// pkg/kubelet/kubelet_pods.go validateContainerLogStatus). Its errors reach kubectl as
// 400 BadRequest with exactly these messages, so a runtime's containerLogFile() should
// call this first.
import { ApiError } from '../../api/errors.js';
import type { Pod } from '../../api/types.js';

/** 'current' (running or last ended) or 'previous' (the instance before the last restart). */
export type LogInstance = 'current' | 'previous';

export function validateContainerLogStatus(pod: Pod, containerName: string, previous: boolean): LogInstance {
  const podName = pod.metadata.name ?? '';
  const q = (s: string) => JSON.stringify(s);
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const status = statuses.find((s) => s.name === containerName);
  if (!status) throw ApiError.badRequest(`container ${q(containerName)} in pod ${q(podName)} is not available`);
  const { waiting, running, terminated } = status.state ?? {};
  const lastTerminated = status.lastState?.terminated;
  if (previous) {
    if (!lastTerminated || !lastTerminated.containerID) {
      throw ApiError.badRequest(`previous terminated container ${q(containerName)} in pod ${q(podName)} not found`);
    }
    return 'previous';
  }
  if (running) return 'current';
  if (terminated) {
    if (terminated.containerID) return 'current';
    if (lastTerminated?.containerID) return 'previous';
    throw ApiError.badRequest(`container ${q(containerName)} in pod ${q(podName)} is terminated`);
  }
  if (lastTerminated) {
    if (!lastTerminated.containerID) throw ApiError.badRequest(`container ${q(containerName)} in pod ${q(podName)} is terminated`);
    return 'previous';
  }
  if (waiting) {
    const why =
      waiting.reason === 'ErrImagePull' ? "image can't be pulled" : waiting.reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : (waiting.reason ?? '');
    throw ApiError.badRequest(`container ${q(containerName)} in pod ${q(podName)} is waiting to start: ${why}`);
  }
  throw ApiError.badRequest(`container ${q(containerName)} in pod ${q(podName)} is waiting to start - no logs yet`);
}
