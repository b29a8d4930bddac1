// The roles and bindings every cluster starts with (upstream plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy, the subset kanzen's API serves), plus kubeadm's kubeadm:cluster-admins binding
// that gives kind's admin user (kubernetes-admin) cluster-admin. kanzen's own components talk
// over the unix socket or in process and need no roles of their own.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '../../api/types.js';

const rbacGroup = 'rbac.authorization.k8s.io';
const read = ['get', 'list', 'watch'];
const readWrite = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const aggregateTo = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

/** What upstream marks its defaults with: the bootstrapping label and the autoupdate annotation. */
function meta(name: string, labels: Record<string, string> = {}) {
  return { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } };
}

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

function clusterRole(name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole {
  return { apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole', metadata: meta(name, labels), rules };
}

/** An aggregated role: its rules are the clusterrole-aggregation controller's. */
function aggregated(name: string, selectorRole: string, labels?: Record<string, string>): ClusterRole {
  return { ...clusterRole(name, [], labels), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateTo(selectorRole)]: 'true' } }] } };
}

export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: rbacGroup, name });

function binding(name: string, role: string, subjects: Subject[], bootstrapped = true): ClusterRoleBinding {
  return {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: bootstrapped ? meta(name) : { name },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
    subjects,
  };
}

export const clusterRoles: ClusterRole[] = [
  clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  clusterRole('system:discovery', [
    urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
  ]),
  clusterRole('system:basic-user', [
    rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ]),
  clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
  aggregated('admin', 'admin'),
  aggregated('edit', 'edit', { [aggregateTo('admin')]: 'true' }),
  aggregated('view', 'view', { [aggregateTo('edit')]: 'true' }),
  clusterRole(
    'system:aggregate-to-admin',
    [rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), rule([...readWrite, ...read], [rbacGroup], ['rolebindings', 'roles'])],
    { [aggregateTo('admin')]: 'true' },
  ),
  clusterRole(
    'system:aggregate-to-edit',
    [
      // Read on the escalating resources view leaves out.
      rule(read, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(readWrite, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      rule(['create'], [''], ['pods/eviction']),
      rule(readWrite, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(readWrite, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
      rule(readWrite, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(readWrite, ['batch'], ['jobs', 'cronjobs']),
      rule(readWrite, ['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
      rule(readWrite, ['policy'], ['poddisruptionbudgets']),
      rule(readWrite, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
      rule(readWrite, ['coordination.k8s.io'], ['leases']),
    ],
    { [aggregateTo('edit')]: 'true' },
  ),
  clusterRole(
    'system:aggregate-to-view',
    [
      rule(read, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      rule(read, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
      rule(read, [''], ['namespaces']),
      rule(read, ['discovery.k8s.io'], ['endpointslices']),
      rule(read, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      rule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(read, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
      rule(read, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
      rule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(read, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
    ],
    { [aggregateTo('view')]: 'true' },
  ),
  // Not upstream's default policy but metrics-server's manifest: kanzen serves metrics.k8s.io
  // itself, so it brings the role that lets view, edit and admin read it (kubectl top).
  {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRole',
    metadata: { name: 'system:aggregated-metrics-reader', labels: { 'k8s-app': 'metrics-server', [aggregateTo('admin')]: 'true', [aggregateTo('edit')]: 'true', [aggregateTo('view')]: 'true' } },
    rules: [rule(read, ['metrics.k8s.io'], ['pods', 'nodes'])],
  },
];

export const clusterRoleBindings: ClusterRoleBinding[] = [
  binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
  binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
  binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  // kubeadm (and so kind) binds its admin kubeconfig's group, not system:masters, since 1.29.
  binding('kubeadm:cluster-admins', 'cluster-admin', [group('kubeadm:cluster-admins')], false),
];
