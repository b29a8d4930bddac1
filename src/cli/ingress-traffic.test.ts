import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Ingress } from '../api/types.js';
import { aggregateIngressTraffic, renderIngressTraffic } from './ingress-traffic.js';
import { parsePrometheusText } from './traffic.js';

const ing: Ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    rules: [
      {
        host: 'foo.example',
        http: {
          paths: [
            { path: '/app', pathType: 'Prefix', backend: { service: { name: 'app', port: { number: 80 } } } },
            { path: '/idle', pathType: 'Prefix', backend: { service: { name: 'idle', port: { name: 'http' } } } },
          ],
        },
      },
    ],
  },
};

const slices: EndpointSlice[] = [
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'app-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'app' } },
    addressType: 'IPv4',
    ports: [{ name: '', port: 8080 }],
    endpoints: [
      { addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: 'app-a' } },
      { addresses: ['10.0.0.2'], targetRef: { kind: 'Pod', name: 'app-b' } },
    ],
  },
];

const route = 'namespace="default",ingress="web",host="foo.example",path="/app",service="app:80"';
const text = (n1: number, n2: number, err: number) => `# TYPE kanzen_ingress_upstream_requests_total counter
kanzen_ingress_upstream_requests_total{${route},endpoint="10.0.0.1:8080",status="2xx"} ${n1}
kanzen_ingress_upstream_requests_total{${route},endpoint="10.0.0.2:8080",status="2xx"} ${n2}
kanzen_ingress_upstream_requests_total{${route},endpoint="10.0.0.2:8080",status="5xx"} ${err}
kanzen_ingress_upstream_requests_total{namespace="default",ingress="other",host="foo.example",path="/app",service="app:80",endpoint="10.0.0.1:8080",status="2xx"} 99
`;

test('sums the controllers per rule and endpoint, names the pods, and lists rules without requests', () => {
  const report = aggregateIngressTraffic({ ingress: ing, slices, scrapes: [{ pod: 'c1', samples: parsePrometheusText(text(2, 1, 1)) }, { pod: 'c2', samples: parsePrometheusText(text(1, 0, 0)) }] });
  assert.equal(report.total, 5);
  assert.deepEqual(
    report.rows.map((r) => [r.path, r.backend, r.endpoint, r.pod, r.requests, r.errors, r.share?.toFixed(1)]),
    [
      ['/app', 'app:80', '10.0.0.1:8080', 'app-a', 3, 0, '60.0'],
      ['/app', 'app:80', '10.0.0.2:8080', 'app-b', 2, 1, '40.0'],
      ['/idle', 'idle:http', '', '', 0, 0, undefined],
    ],
  );
  assert.equal(
    renderIngressTraffic(report),
    [
      'HOST          PATH    BACKEND     ENDPOINT        POD      REQUESTS   SHARE   5XX',
      'foo.example   /app    app:80      10.0.0.1:8080   app-a    3          60.0%   0',
      'foo.example   /app    app:80      10.0.0.2:8080   app-b    2          40.0%   1',
      'foo.example   /idle   idle:http   <none>          <none>   0          -       0',
      '',
      'Ingress default/web: 5 requests; counted by 2 controller pods (kube-system/kanzen-ingress)',
      '',
    ].join('\n'),
  );
});
