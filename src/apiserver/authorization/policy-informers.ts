// The RBAC policy as the authorizer reads it: informer caches of Roles, ClusterRoles,
// RoleBindings and ClusterRoleBindings (upstream's RBAC authorizer reads the apiserver's
// shared informers over its loopback client; kanzen's is the in-process transport). A
// decision is then a few map lookups, never a store read or a JSON parse; a new binding is
// seen as soon as its watch event arrives.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import type { Logger } from '../../util/logger.js';
import type { RuleSource } from './rbac-authorizer.js';

const rbacGroup = 'rbac.authorization.k8s.io';
const byNamespace = 'namespace';

export class PolicyInformers implements RuleSource {
  private readonly factory: InformerFactory;
  private readonly roles: Informer<Role>;
  private readonly clusterRoles: Informer<ClusterRole>;
  private readonly bindings: Informer<RoleBinding>;
  private readonly clusterBindings: Informer<ClusterRoleBinding>;

  constructor(client: ApiClient, logger?: Logger) {
    // Nothing authorizes on managedFields: keep the cached objects small.
    this.factory = new InformerFactory(client, logger, { stripManagedFields: true });
    this.roles = this.factory.for<Role>(resourceFor('roles', rbacGroup));
    this.clusterRoles = this.factory.for<ClusterRole>(resourceFor('clusterroles', rbacGroup));
    this.bindings = this.factory.for<RoleBinding>(resourceFor('rolebindings', rbacGroup));
    this.clusterBindings = this.factory.for<ClusterRoleBinding>(resourceFor('clusterrolebindings', rbacGroup));
    // A request walks its own namespace's bindings only.
    this.bindings.addIndex(byNamespace, (b) => [b.metadata.namespace ?? '']);
  }

  /** Starts the caches and resolves once all four have listed (upstream waits for them before serving). */
  async start(): Promise<void> {
    this.factory.start();
    await this.factory.waitForSync();
  }

  stop(): void {
    this.factory.stop();
  }

  clusterRoleBindings(): readonly ClusterRoleBinding[] {
    return this.clusterBindings.list();
  }

  roleBindings(namespace: string): readonly RoleBinding[] {
    return this.bindings.byIndex(byNamespace, namespace);
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.getByName(undefined, name);
  }

  role(namespace: string, name: string): Role | undefined {
    return this.roles.getByName(namespace, name);
  }
}
