import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goTypedJSON } from './go-typed-json.js';

// What `json.Marshal` of a v1.PodTemplateSpec decoded from this JSON writes (checked against
// the shape kubectl's getDaemonSetPatch produces for a DaemonSet's template).
test('a pod template as Go re-encodes it: zero omitempty scalars go, structs stay, pointers keep zero values', () => {
  const template = {
    metadata: { labels: { app: 'agent' }, annotations: {} },
    spec: {
      containers: [
        {
          name: 'agent',
          image: 'nginx',
          args: [],
          ports: [{ containerPort: 80, protocol: 'TCP', hostPort: 0 }],
          env: [{ name: 'EMPTY', value: '' }],
          stdin: false,
          livenessProbe: { httpGet: { port: 8080, path: '/' }, initialDelaySeconds: 0 },
          unknownField: 'dropped',
        },
      ],
      hostNetwork: false,
      automountServiceAccountToken: false,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 0,
      securityContext: {},
    },
  };
  assert.equal(
    JSON.stringify(goTypedJSON('core.v1.PodTemplateSpec', template)),
    JSON.stringify({
      metadata: { creationTimestamp: null, labels: { app: 'agent' } },
      spec: {
        containers: [
          {
            name: 'agent',
            image: 'nginx',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'EMPTY' }],
            resources: {},
            livenessProbe: { httpGet: { path: '/', port: 8080 } },
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        securityContext: {},
      },
    }),
  );
});

test('non-omitempty slices and maps are null when absent; a required struct is written when absent', () => {
  assert.deepEqual(goTypedJSON('core.v1.PodSpec', {}), { containers: null });
  assert.deepEqual(goTypedJSON('core.v1.PodTemplateSpec', {}), { metadata: { creationTimestamp: null }, spec: { containers: null } });
});
