// A proxy ServicePortInfo for unit tests of the proxy's pure parts and backends: a plain
// ClusterIP TCP port unless the overrides say otherwise; key and serviceKey follow the name.
import { servicePortKey, type ServicePortInfo } from '../proxy/service-port.js';

export function servicePortInfo(o: Partial<ServicePortInfo> = {}): ServicePortInfo {
  const name = o.name ?? { namespace: 'ns', name: 'svc', port: '', protocol: o.protocol ?? 'TCP' };
  return {
    key: servicePortKey(name),
    name,
    serviceKey: `${name.namespace}/${name.name}`,
    clusterIPs: ['10.96.0.10'],
    port: 80,
    protocol: name.protocol,
    nodePort: 0,
    externalIPs: [],
    loadBalancerIPs: [],
    stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    healthCheckNodePort: 0,
    hintsAnnotation: '',
    trafficDistribution: '',
    ...o,
  };
}
