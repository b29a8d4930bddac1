// printRole, printClusterRole, printRoleBinding and printClusterRoleBinding from
// pkg/printers/internalversion/printers.go: roles show when they were created, bindings their
// role as Kind/name and, wide, their subjects by kind (SubjectsStrings in pkg/apis/rbac/helpers.go).

import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, Subject } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

const createdAtColumn = column('Created At', 'date', swaggerDoc['ObjectMeta.creationTimestamp']);

function roleRow(role: Role | ClusterRole): TableRow {
  const created = role.metadata.creationTimestamp ? new Date(role.metadata.creationTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z') : '0001-01-01T00:00:00Z';
  return { cells: [role.metadata.name ?? '', created], object: role };
}

export const rolePrinter: Printer<Role> = { columns: [nameColumn, createdAtColumn], row: roleRow };
export const clusterRolePrinter: Printer<ClusterRole> = { columns: [nameColumn, createdAtColumn], row: roleRow };

/** SubjectsStrings: users, groups, and service accounts as namespace/name. */
export function subjectsStrings(subjects: Subject[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of subjects ?? []) {
    if (s.kind === 'User') out.users.push(s.name);
    else if (s.kind === 'Group') out.groups.push(s.name);
    else if (s.kind === 'ServiceAccount') out.serviceAccounts.push(`${s.namespace ?? ''}/${s.name}`);
  }
  return out;
}

function bindingColumns(kind: 'RoleBinding' | 'ClusterRoleBinding') {
  const lower = kind === 'RoleBinding' ? 'roleBinding' : 'clusterRoleBinding';
  return [
    nameColumn,
    column('Role', 'string', swaggerDoc[`${kind}.roleRef`]),
    ageColumn,
    wideColumn('Users', 'string', `Users in the ${lower}`),
    wideColumn('Groups', 'string', `Groups in the ${lower}`),
    wideColumn('ServiceAccounts', 'string', `ServiceAccounts in the ${lower}`),
  ];
}

function bindingRow(b: RoleBinding | ClusterRoleBinding, now: Date): TableRow {
  const { users, groups, serviceAccounts } = subjectsStrings(b.subjects);
  return {
    cells: [
      b.metadata.name ?? '',
      `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
      translateTimestampSince(b.metadata.creationTimestamp, now),
      users.join(', '),
      groups.join(', '),
      serviceAccounts.join(', '),
    ],
    object: b,
  };
}

export const roleBindingPrinter: Printer<RoleBinding> = { columns: bindingColumns('RoleBinding'), row: bindingRow };
export const clusterRoleBindingPrinter: Printer<ClusterRoleBinding> = { columns: bindingColumns('ClusterRoleBinding'), row: bindingRow };
