// The built-in Ingress controller add-on, laid out as ingress-nginx's deploy manifest: the
// IngressClass `kanzen` (the cluster's default class), the controller's ServiceAccount, a
// ClusterRole and binding with what the controller reads and writes, the
// kube-system/kanzen-ingress Deployment (image kanzen.io/ingress-controller, which kanzen's
// image catalog maps to src/ingress/main.ts) and its LoadBalancer Service, whose pool address
// is the ADDRESS every served Ingress shows. Created once if absent: a user's edits survive
// restarts (a class made non-default stays so).
import path from 'node:path';
import type { ClusterRole, ClusterRoleBinding, Deployment, IngressClass, Service, ServiceAccount } from '../api/types.js';
import { annotationIsDefaultIngressClass } from '../api/validation/networking-validation.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { kanzenIngressClassName, kanzenIngressController } from '../ingress/ingress-class.js';
import { createIfAbsent } from './cluster-dns-addon.js';

/** The controller's image; only kanzen's catalog knows it (builtin-images.ts). */
export const ingressControllerImage = 'kanzen.io/ingress-controller:v1.0.0';
/** Name of the Deployment, its Service, ServiceAccount, ClusterRole and binding. */
export const ingressControllerName = 'kanzen-ingress';
const namespace = 'kube-system';

const labels = { 'app.kubernetes.io/name': ingressControllerName, 'app.kubernetes.io/component': 'controller' };

export function kanzenIngressClass(): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: kanzenIngressClassName, labels, annotations: { [annotationIsDefaultIngressClass]: 'true' } },
    spec: { controller: kanzenIngressController },
  };
}

export function ingressServiceAccount(): ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ingressControllerName, namespace, labels } };
}

/** What ingress-controller.ts watches, and the status it writes. */
export function ingressClusterRole(): ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: ingressControllerName, labels },
    rules: [
      { apiGroups: [''], resources: ['services', 'secrets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
    ],
  };
}

export function ingressClusterRoleBinding(): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: ingressControllerName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ingressControllerName },
    subjects: [{ kind: 'ServiceAccount', name: ingressControllerName, namespace }],
  };
}

/** The controller reads the API over the cluster's unix socket, mounted as the DNS server's is. */
export function ingressDeployment(apiSocket: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: ingressControllerName, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: ingressControllerName,
          tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'controller',
              image: ingressControllerImage,
              // No registry has this image: Never keeps the kubelet from asking one (kanzen.io is nobody's registry).
              imagePullPolicy: 'Never',
              args: ['--publish-service', `${namespace}/${ingressControllerName}`],
              env: [{ name: 'KANZEN_API_SOCKET', value: `/var/run/kanzen/${path.basename(apiSocket)}` }],
              resources: { requests: { cpu: '100m', memory: '90Mi' } },
              volumeMounts: [{ name: 'kanzen-api', mountPath: '/var/run/kanzen' }],
              ports: [
                { containerPort: 80, name: 'http', protocol: 'TCP' },
                { containerPort: 443, name: 'https', protocol: 'TCP' },
              ],
              readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 2 },
            },
          ],
          volumes: [{ name: 'kanzen-api', hostPath: { path: path.dirname(apiSocket), type: 'Directory' } }],
        },
      },
    },
  };
}

export function ingressService(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: ingressControllerName, namespace, labels },
    spec: {
      type: 'LoadBalancer',
      selector: labels,
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' },
      ],
    },
  };
}

/** Creates the add-on's objects that are absent, the IngressClass first (Ingresses created next get it as their default). */
export async function installIngressController(client: ApiClient, apiSocket: string): Promise<void> {
  await createIfAbsent(client, resourceFor('ingressclasses', 'networking.k8s.io'), kanzenIngressClass());
  await createIfAbsent(client, resourceFor('serviceaccounts'), ingressServiceAccount());
  await createIfAbsent(client, resourceFor('clusterroles', 'rbac.authorization.k8s.io'), ingressClusterRole());
  await createIfAbsent(client, resourceFor('clusterrolebindings', 'rbac.authorization.k8s.io'), ingressClusterRoleBinding());
  await createIfAbsent(client, resourceFor('services'), ingressService());
  await createIfAbsent(client, resourceFor('deployments', 'apps'), ingressDeployment(apiSocket));
}
