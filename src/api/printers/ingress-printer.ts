// printIngress from pkg/printers/internalversion/printers.go.
import type { Ingress, IngressRule, IngressTLS } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { loadBalancerStatusString } from './service-printer.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const ingressColumns = [
  nameColumn,
  column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
  column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
  column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
  column('Ports', 'string', 'Ports of TLS configurations that open'),
  ageColumn,
];

/** Shown hosts before "+ N more...". */
const maxHosts = 3;

/** formatHosts: the first three rules' hosts (empty hosts skipped), "*" when none. */
export function formatHosts(rules: IngressRule[] | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === maxHosts) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const joined = list.join(',');
  return more ? `${joined} + ${(rules ?? []).length - maxHosts} more...` : joined;
}

/** formatPorts: 80, and 443 once any TLS is configured. */
export function formatPorts(tls: IngressTLS[] | undefined): string {
  return (tls ?? []).length !== 0 ? '80, 443' : '80';
}

export function ingressRow(ing: Ingress, now: Date): TableRow {
  return {
    cells: [
      ing.metadata.name ?? '',
      ing.spec?.ingressClassName ?? '<none>',
      formatHosts(ing.spec?.rules),
      loadBalancerStatusString(ing.status?.loadBalancer?.ingress),
      formatPorts(ing.spec?.tls),
      translateTimestampSince(ing.metadata.creationTimestamp, now),
    ],
    object: ing,
  };
}

export const ingressPrinter: Printer<Ingress> = { columns: ingressColumns, row: ingressRow };
