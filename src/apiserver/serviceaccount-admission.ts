// The ServiceAccount admission plugin's token mount (upstream
// plugin/pkg/admission/serviceaccount/admission.go): a new pod gets the projected volume
// kube-api-access-<random> (a bound service account token, the cluster CA from the
// kube-root-ca.crt ConfigMap, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container, unless the pod opts
// out with automountServiceAccountToken: false or already mounts that path.
import { randomInt } from 'node:crypto';
import type { Container, Pod, Volume } from '../api/types.js';

export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const volumePrefix = 'kube-api-access-';
/** utilrand.String's alphabet: no vowels, no look-alike characters. */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    },
  } as Volume;
}

export function mountServiceAccountToken(pod: Pod): void {
  if (pod.spec.automountServiceAccountToken === false) return;
  const containers: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  if (containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === serviceAccountMountPath))) return;
  const taken = new Set((pod.spec.volumes ?? []).map((v) => v.name));
  let name = volumePrefix + randomSuffix();
  while (taken.has(name)) name = volumePrefix + randomSuffix();
  pod.spec.volumes = [...(pod.spec.volumes ?? []), tokenVolume(name)];
  for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: serviceAccountMountPath }];
}
