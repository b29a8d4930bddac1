// system:masters may do anything, before and whatever RBAC says (upstream
// authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup), first in
// kube-apiserver's authorizer chain). It allows with no reason and otherwise has no opinion.
import type { UserInfo } from '../user-info.js';

export const systemPrivilegedGroup = 'system:masters';

export function isPrivileged(user: UserInfo): boolean {
  return user.groups.includes(systemPrivilegedGroup);
}
