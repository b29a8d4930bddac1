// Every container of a pod, of every kind (upstream podutil.VisitContainers with
// AllContainers): init containers, regular containers, then ephemeral ones. Logs, exec,
// attach and the kubelet look a container up by name across all three.
import type { Container, EphemeralContainer, PodSpec } from './types.js';

export function allContainers(spec: Pick<PodSpec, 'initContainers' | 'containers' | 'ephemeralContainers'>): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** The ephemeral container of that name, if the pod has one. */
export function ephemeralContainer(spec: Pick<PodSpec, 'ephemeralContainers'>, name: string): EphemeralContainer | undefined {
  return spec.ephemeralContainers?.find((c) => c.name === name);
}
