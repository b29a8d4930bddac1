// Who a request is from (upstream: user.Info, as the authenticators produce it).

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Whoever holds the admin token: kubeadm's (and kind's) admin user. */
export const adminUser: UserInfo = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };
