import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../api/errors.js';
import { findKind } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { strategyOfKind } from '../../testing/resource-strategies.js';
import { applyDefaults } from './index.js';

// Every manifest of the tutorial (seed/), plus what its kubectl commands send.
const manifests = [
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"backend-service"},"spec":{"type":"ClusterIP","selector":{"app":"backend"},"ports":[{"port":80,"targetPort":8080}]}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"web-service"},"spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080,"nodePort":30080}]}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"public-web"},"spec":{"type":"LoadBalancer","selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}},
  {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"backend-app","labels":{"app":"backend"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"backend"}},"template":{"metadata":{"labels":{"app":"backend"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.26-alpine","ports":[{"containerPort":80}],"resources":{"requests":{"memory":"32Mi","cpu":"50m"}}}]}}}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"backend-service"},"spec":{"type":"ClusterIP","selector":{"app":"backend"},"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":80}]}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"custom-port-service"},"spec":{"selector":{"app":"backend"},"ports":[{"name":"http","protocol":"TCP","port":8080,"targetPort":80}]}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"web-nodeport"},"spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":80,"nodePort":30080}]}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"web-loadbalancer"},"spec":{"type":"LoadBalancer","selector":{"app":"web"},"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":80},{"name":"https","protocol":"TCP","port":443,"targetPort":443}]}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"production-web","annotations":{"service.beta.kubernetes.io/aws-load-balancer-type":"nlb","service.beta.kubernetes.io/aws-load-balancer-backend-protocol":"http","service.beta.kubernetes.io/aws-load-balancer-ssl-cert":"arn:aws:acm:...","service.beta.kubernetes.io/aws-load-balancer-ssl-ports":"443","service.beta.kubernetes.io/aws-load-balancer-proxy-protocol":"*"}},"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local","sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":10800}},"selector":{"app":"web"},"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},{"name":"https","protocol":"TCP","port":443,"targetPort":8443}]}},
  {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"backend"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"backend"}},"template":{"metadata":{"labels":{"app":"backend"}},"spec":{"containers":[{"name":"api","image":"my-backend-api:v1","ports":[{"containerPort":8080}]}]}}}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"backend-api"},"spec":{"selector":{"app":"backend"},"ports":[{"port":80,"targetPort":8080}]}},
  {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"frontend"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"frontend"}},"template":{"metadata":{"labels":{"app":"frontend"}},"spec":{"containers":[{"name":"web","image":"my-frontend-web:v1","env":[{"name":"BACKEND_URL","value":"http://backend-api"}],"ports":[{"containerPort":80}]}]}}}},
  {"apiVersion":"v1","kind":"Service","metadata":{"name":"web-nlb","annotations":{"service.beta.kubernetes.io/aws-load-balancer-type":"nlb"}},"spec":{"type":"LoadBalancer","selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}},
  // kubectl create deployment nginx --image=nginx:1.26-alpine --replicas=3
  {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"nginx","creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.26-alpine","resources":{}}]}},"strategy":{}},"status":{}},
  // kubectl expose deployment nginx --port=80
  {"kind":"Service","apiVersion":"v1","metadata":{"name":"nginx","creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"ports":[{"protocol":"TCP","port":80,"targetPort":80}],"selector":{"app":"nginx"}},"status":{"loadBalancer":{}}},
  // kubectl run test --image=busybox --rm -it --restart=Never -- wget -qO- http://backend-service
  {"kind":"Pod","apiVersion":"v1","metadata":{"name":"test","creationTimestamp":null,"labels":{"run":"test"}},"spec":{"containers":[{"name":"test","image":"busybox","args":["wget","-qO-","http://backend-service"],"resources":{},"stdin":true,"stdinOnce":true,"tty":true}],"restartPolicy":"Never","dnsPolicy":"ClusterFirst"},"status":{}},
] as unknown as KubeObject[];

// The registry's BeginCreate allocates before validation; stand in for the allocator.
function allocate(obj: KubeObject): void {
  const spec = obj.spec as { type?: string; externalTrafficPolicy?: string; healthCheckNodePort?: number } | undefined;
  if (obj.kind === 'Service' && spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') spec.healthCheckNodePort ??= 32000;
}

test('all tutorial manifests are valid after defaulting', () => {
  for (const m of manifests) {
    const obj = JSON.parse(JSON.stringify(m)) as KubeObject;
    obj.metadata.namespace ??= 'default';
    const info = findKind(obj.kind ?? '');
    assert.ok(info, obj.kind);
    applyDefaults(info, obj);
    allocate(obj);
    assert.deepEqual(strategyOfKind(info.kind).validate(obj).map(fieldErrorString), [], `${obj.kind}/${obj.metadata.name}`);
  }
});
