// The security context a container runs with: its own fields over the pod's (upstream
// securitycontext.DetermineEffectiveSecurityContext). The pod's supplementalGroups and fsGroup
// become the container's supplemental groups, fsGroup last, as the kubelet hands them to the
// runtime.
import type { Container, Pod, SecurityContext } from '../../api/types.js';

export interface EffectiveSecurityContext extends SecurityContext {
  supplementalGroups: number[];
}

export function effectiveSecurityContext(pod: Pick<Pod, 'spec'> | undefined, container: Pick<Container, 'securityContext'>): EffectiveSecurityContext {
  const podSc = pod?.spec.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const groups = [...(podSc.supplementalGroups ?? [])];
  if (podSc.fsGroup !== undefined) groups.push(podSc.fsGroup);
  return {
    ...sc,
    runAsUser: sc.runAsUser ?? podSc.runAsUser,
    runAsGroup: sc.runAsGroup ?? podSc.runAsGroup,
    runAsNonRoot: sc.runAsNonRoot ?? podSc.runAsNonRoot,
    supplementalGroups: groups,
  };
}
