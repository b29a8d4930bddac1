// printService from pkg/printers/internalversion/printers.go.

import type { LoadBalancerIngress, Service, ServicePort } from '../types.js';
import { formatLabels } from '../labels.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const serviceColumns = [
  nameColumn,
  column('Type', 'string', swaggerDoc['ServiceSpec.type']),
  column('Cluster-IP', 'string', swaggerDoc['ServiceSpec.clusterIP']),
  column('External-IP', 'string', swaggerDoc['ServiceSpec.externalIPs']),
  column('Port(s)', 'string', swaggerDoc['ServiceSpec.ports']),
  ageColumn,
  wideColumn('Selector', 'string', swaggerDoc['ServiceSpec.selector']),
];

// loadBalancerStatusStringer (and ingressLoadBalancerStatusStringer, the same over an Ingress's
// status): unique ingress IPs (else hostnames), sorted. The server always prints wide, so the
// 16-character clipping of the non-wide form never applies.
export function loadBalancerStatusString(ingress: Pick<LoadBalancerIngress, 'ip' | 'hostname'>[] | undefined): string {
  const result = new Set<string>();
  for (const ing of ingress ?? []) {
    if (ing.ip) result.add(ing.ip);
    else if (ing.hostname) result.add(ing.hostname);
  }
  return [...result].sort().join(',');
}

/** getServiceExternalIP. */
export function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec.externalIPs ?? [];
  switch (svc.spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIPs = loadBalancerStatusString(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length > 0) {
        return [...(lbIPs ? lbIPs.split(',') : []), ...externalIPs].join(',');
      }
      return lbIPs || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: `80/TCP`, `80:30080/TCP`, joined by `,`. */
export function makePortString(ports: ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const protocol = p.protocol ?? '';
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(',');
}

// v1 → internal conversion makes spec.clusterIP authoritative over clusterIPs[0];
// a headless service prints its clusterIP, "None".
function clusterIP(svc: Service): string {
  return svc.spec.clusterIP || svc.spec.clusterIPs?.[0] || '<none>';
}

export function serviceRow(svc: Service, now: Date): TableRow {
  return {
    cells: [
      svc.metadata.name ?? '',
      svc.spec.type ?? '',
      clusterIP(svc),
      serviceExternalIP(svc),
      makePortString(svc.spec.ports) || '<none>',
      translateTimestampSince(svc.metadata.creationTimestamp, now),
      formatLabels(svc.spec.selector),
    ],
    object: svc,
  };
}

export const servicePrinter: Printer<Service> = { columns: serviceColumns, row: serviceRow };
