// A Service port as the proxy sees it (ServicePortInfo), for data-plane tests and
// benchmarks: a ClusterIP TCP port 80 with nothing else, unless the test says otherwise.
import { servicePortKey, type Protocol, type ServicePortInfo, type ServicePortName } from '../proxy/service-port.js';

export interface TestServicePort extends Partial<Omit<ServicePortInfo, 'name' | 'key' | 'serviceKey'>> {
  namespace?: string;
  service?: string;
  /** The port's name ('' for an unnamed port). */
  portName?: string;
}

export function testServicePortInfo(o: TestServicePort = {}): ServicePortInfo {
  const { namespace = 'ns', service = 'svc', portName = '', ...rest } = o;
  const protocol: Protocol = rest.protocol ?? 'TCP';
  const name: ServicePortName = { namespace, name: service, port: portName, protocol };
  return {
    clusterIPs: ['10.96.0.10'],
    port: 80,
    nodePort: 0,
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    healthCheckNodePort: 0,
    hintsAnnotation: '',
    trafficDistribution: '',
    ...rest,
    protocol,
    key: servicePortKey(name),
    name,
    serviceKey: `${namespace}/${service}`,
  };
}
