// controller.GetPodFromTemplate (upstream pkg/controller/controller_utils.go): the pod a
// workload controller creates from its template — the template's labels, annotations,
// finalizers and spec, a generateName after the parent, and the controller reference.
import type { OwnerReference, Pod, PodTemplateSpec } from '../../api/types.js';

export function getPodFromTemplate(template: PodTemplateSpec, parent: { metadata: { name?: string; namespace?: string } }, controllerRef?: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${parent.metadata.name}-`,
      namespace: parent.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
    },
    spec: structuredClone(template.spec),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  if (controllerRef) pod.metadata.ownerReferences = [controllerRef];
  return pod;
}
