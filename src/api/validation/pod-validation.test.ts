import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { Pod } from '../types.js';
import { defaultPod } from '../defaults/pod.js';
import { validatePod, validatePodUpdate } from './pod-validation.js';

function pod(spec: Partial<Pod['spec']>): Pod {
  const p: Pod = { kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [], ...spec } };
  defaultPod(p);
  return p;
}

const msgs = (p: Pod) => validatePod(p).map(fieldErrorString);

test('pod create rules with exact messages', () => {
  const cases: [string, Pod, string[]][] = [
    ['valid', pod({ containers: [{ name: 'c', image: 'nginx' }] }), []],
    ['containers required', pod({}), ['spec.containers: Required value']],
    ['image required', pod({ containers: [{ name: 'c' }] }), ['spec.containers[0].image: Required value']],
    ['duplicate container', pod({ containers: [{ name: 'c', image: 'a' }, { name: 'c', image: 'b' }] }), ['spec.containers[1].name: Duplicate value: "c"']],
    [
      'container port range',
      pod({ containers: [{ name: 'c', image: 'a', ports: [{ containerPort: 70000 }] }] }),
      ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    [
      'duplicate port name',
      pod({ containers: [{ name: 'c', image: 'a', ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] }] }),
      ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
    ],
    [
      'probe handler required',
      pod({ containers: [{ name: 'c', image: 'a', livenessProbe: {} }] }),
      ['spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    ],
    [
      'liveness successThreshold must be 1',
      pod({ containers: [{ name: 'c', image: 'a', livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }] }),
      ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ],
    [
      'two handlers',
      pod({ containers: [{ name: 'c', image: 'a', readinessProbe: { tcpSocket: { port: 80 }, exec: { command: ['true'] } } }] }),
      ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'],
    ],
    [
      'requests above limits',
      pod({ containers: [{ name: 'c', image: 'a', resources: { limits: { memory: '64Mi' }, requests: { memory: '128Mi' } } }] }),
      ['spec.containers[0].resources.requests: Invalid value: "128Mi": must be less than or equal to memory limit of 64Mi'],
    ],
    [
      'restartPolicy supported values',
      pod({ containers: [{ name: 'c', image: 'a' }], restartPolicy: 'Sometimes' as 'Always' }),
      ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ],
    [
      'volume mount must reference a volume',
      pod({ containers: [{ name: 'c', image: 'a', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }),
      ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ],
    [
      'volume needs exactly one source',
      pod({ containers: [{ name: 'c', image: 'a' }], volumes: [{ name: 'v' }, { name: 'w', emptyDir: {}, hostPath: { path: '/x' } }] }),
      ['spec.volumes[0]: Required value: must specify a volume type', 'spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'claim name required; hostPath type one of upstream\'s',
      pod({ containers: [{ name: 'c', image: 'a' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: '' } }, { name: 'w', hostPath: { path: '/x', type: 'Folder' as never } }] }),
      [
        'spec.volumes[0].persistentVolumeClaim.claimName: Required value',
        'spec.volumes[1].hostPath.type: Unsupported value: "Folder": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
      ],
    ],
    [
      'env name',
      pod({ containers: [{ name: 'c', image: 'a', env: [{ name: 'A=B', value: 'x' }] }] }),
      [`spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`],
    ],
  ];
  for (const [name, p, want] of cases) assert.deepEqual(msgs(p), want, name);
});

test('pod updates: image may change, other fields may not', () => {
  const old = pod({ containers: [{ name: 'c', image: 'nginx:1.25' }] });
  const ok = JSON.parse(JSON.stringify(old)) as Pod;
  ok.spec.containers[0].image = 'nginx:1.26';
  assert.deepEqual(validatePodUpdate(ok, old), []);
  const bad = JSON.parse(JSON.stringify(old)) as Pod;
  bad.spec.restartPolicy = 'Never';
  const errs = validatePodUpdate(bad, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec');
  assert.match(
    fieldErrorString(errs[0]),
    /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
  );
  const removed = JSON.parse(JSON.stringify(old)) as Pod;
  removed.spec.containers.push({ name: 'd', image: 'x' });
  assert.deepEqual(validatePodUpdate(removed, old).map(fieldErrorString).slice(-1), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
});
