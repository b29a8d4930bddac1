// Who a request is from (upstream: user.Info, as the authenticators produce it).

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/**
 * A request with no credentials at all (upstream's anonymous authenticator, on by default as
 * in kubeadm and kind): RBAC then decides, and grants it only system:public-info-viewer.
 */
export const anonymousUser: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Whoever holds the admin token: kubeadm's (and kind's) admin user. */
export const adminUser: UserInfo = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };
