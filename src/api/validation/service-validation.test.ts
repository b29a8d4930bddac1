import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { Service } from '../types.js';
import { defaultService } from '../defaults/service.js';
import { validateService, validateServiceUpdate } from './service-validation.js';

function svc(spec: Service['spec'], name = 'web'): Service {
  const s: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec };
  defaultService(s);
  return s;
}

function messages(s: Service): string[] {
  return validateService(s).map(fieldErrorString);
}

test('valid services of every type pass', () => {
  assert.deepEqual(messages(svc({ selector: { app: 'x' }, ports: [{ port: 80, targetPort: 8080 }] })), []);
  assert.deepEqual(messages(svc({ type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80, nodePort: 30080 }] })), []);
  assert.deepEqual(messages(svc({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] })), []);
  assert.deepEqual(messages(svc({ clusterIP: 'None', selector: { app: 'x' } })), []);
  assert.deepEqual(messages(svc({ type: 'ExternalName', externalName: 'example.com.' })), []);
  assert.deepEqual(
    messages(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000, sessionAffinity: 'ClientIP', ports: [{ port: 80 }] })),
    [],
  );
});

test('service rules with exact messages', () => {
  const cases: [string, Service, string[]][] = [
    ['ports required', svc({ selector: { a: 'b' } }), ['spec.ports: Required value']],
    [
      'nodePort forbidden for ClusterIP',
      svc({ ports: [{ port: 80, nodePort: 30080 }] }),
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    ['name required with several ports', svc({ ports: [{ port: 80 }, { name: 'b', port: 81 }] }), ['spec.ports[0].name: Required value']],
    [
      'duplicate port name',
      svc({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }),
      ['spec.ports[1].name: Duplicate value: "http"'],
    ],
    ['port range', svc({ ports: [{ port: 0 }] }), ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
    [
      'protocol supported values',
      svc({ ports: [{ port: 80, protocol: 'HTTP' as 'TCP' }] }),
      ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'targetPort IANA name',
      svc({ ports: [{ port: 80, targetPort: 'Http_Port' }] }),
      [
        'spec.ports[0].targetPort: Invalid value: "Http_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
    [
      'targetPort name too long',
      svc({ ports: [{ port: 80, targetPort: 'abcdefghijklmnop' }] }),
      ['spec.ports[0].targetPort: Invalid value: "abcdefghijklmnop": must be no more than 15 characters'],
    ],
    [
      'port name must be a DNS label',
      svc({ ports: [{ name: 'HTTP', port: 80 }] }),
      [
        `spec.ports[0].name: Invalid value: "HTTP": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    [
      'headless LoadBalancer',
      svc({ type: 'LoadBalancer', clusterIP: 'None', ports: [{ port: 80 }] }),
      [`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`],
    ],
    [
      'headless NodePort',
      svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }),
      [`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`],
    ],
    [
      'session affinity timeout',
      svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } }, ports: [{ port: 80 }] }),
      ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400'],
    ],
    [
      'session affinity config forbidden with None',
      svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } }, ports: [{ port: 80 }] }),
      ['spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None'],
    ],
    [
      'external traffic policy on ClusterIP',
      svc({ externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }),
      ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
    ],
    [
      'health check node port only for LB+Local',
      svc({ type: 'NodePort', healthCheckNodePort: 31000, ports: [{ port: 80 }] }),
      ["spec.healthCheckNodePort: Invalid value: 31000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"],
    ],
    [
      'loadBalancerClass only for LoadBalancer',
      svc({ loadBalancerClass: 'example.com/lb', ports: [{ port: 80 }] }),
      ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    ],
    [
      'externalName required',
      svc({ type: 'ExternalName' }),
      ['spec.externalName: Required value'],
    ],
    [
      'externalName must be a subdomain',
      svc({ type: 'ExternalName', externalName: 'Bad_Name' }),
      [
        `spec.externalName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
    [
      'ExternalName forbids clusterIPs',
      { ...svc({ type: 'ExternalName', externalName: 'a.b' }), spec: { type: 'ExternalName', externalName: 'a.b', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], sessionAffinity: 'None' } },
      ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
    ],
    [
      'None must be the only clusterIP',
      svc({ clusterIP: 'None', clusterIPs: ['None', '10.96.0.1'], ports: [{ port: 80 }] }),
      [`spec.clusterIPs: Invalid value: []string{"None", "10.96.0.1"}: 'None' must be the first and only value`],
    ],
    [
      'clusterIP must be a valid IP',
      svc({ clusterIP: '10.96.0.300', ports: [{ port: 80 }] }),
      ['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ],
    [
      'unsupported type',
      svc({ type: 'Foo' as 'ClusterIP', ports: [{ port: 80 }] }),
      ['spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ],
    [
      'duplicate nodePort',
      svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] }),
      ['spec.ports[1].nodePort: Duplicate value: 30080'],
    ],
    [
      'service name must be a DNS-1035 label',
      svc({ ports: [{ port: 80 }] }, '1web'),
      [
        `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    [
      'source ranges only for LoadBalancer',
      svc({ loadBalancerSourceRanges: ['10.0.0.0/8'], ports: [{ port: 80 }] }),
      ["spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    ],
    [
      'externalIPs may not be loopback',
      svc({ externalIPs: ['127.0.0.1'], ports: [{ port: 80 }] }),
      ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ],
  ];
  for (const [name, s, want] of cases) assert.deepEqual(messages(s), want, name);
});

test('duplicate (protocol, port) is reported on the port with the Go key', () => {
  const errs = validateService(svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }));
  assert.equal(errs.length, 1);
  assert.equal(errs[0].type, 'FieldValueDuplicate');
  assert.equal(errs[0].field, 'spec.ports[1]');
  assert.equal(
    String(errs[0].badValue),
    'core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  );
});

test('update rules: clusterIPs immutable, loadBalancerClass immutable', () => {
  const old = svc({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  const changed = svc({ clusterIP: '10.96.0.11', ports: [{ port: 80 }] });
  assert.deepEqual(validateServiceUpdate(changed, old).map(fieldErrorString), [
    'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
  ]);
  const lbOld = svc({ type: 'LoadBalancer', loadBalancerClass: 'a.io/x', ports: [{ port: 80 }] });
  const lbNew = svc({ type: 'LoadBalancer', loadBalancerClass: 'a.io/y', ports: [{ port: 80 }] });
  assert.deepEqual(validateServiceUpdate(lbNew, lbOld).map(fieldErrorString), [
    'spec.loadBalancerClass: Invalid value: "a.io/y": may not change once set',
  ]);
  // Type transition ClusterIP -> NodePort keeps the clusterIP and is valid.
  const np = svc({ type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30100 }] });
  assert.deepEqual(validateServiceUpdate(np, old).map(fieldErrorString), []);
});
