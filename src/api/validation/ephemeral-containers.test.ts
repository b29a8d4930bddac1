// Ephemeral container rules (validateEphemeralContainers, ValidatePodCreate,
// ValidatePodEphemeralContainersUpdate), with upstream's messages and field paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { EphemeralContainer, Pod } from '../types.js';
import { defaultPod } from '../defaults/pod.js';
import { validatePod, validatePodEphemeralContainersUpdate, validatePodStatusUpdate } from './pod-validation.js';

function pod(ephemeral: EphemeralContainer[] = []): Pod {
  const p: Pod = {
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', resourceVersion: '1' },
    spec: { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'app', image: 'nginx' }], ephemeralContainers: ephemeral },
  };
  defaultPod(p);
  return p;
}

const debugger1: EphemeralContainer = { name: 'debugger-abcde', image: 'busybox', stdin: true, tty: true, targetContainerName: 'app' };
const update = (next: Pod, old: Pod) => validatePodEphemeralContainersUpdate(next, old).map(fieldErrorString);

test('an ephemeral container is added to a running pod', () => {
  assert.deepEqual(update(pod([debugger1]), pod()), []);
  // Defaulted as a container is (SetDefaults_EphemeralContainer).
  const ec = pod([debugger1]).spec.ephemeralContainers![0];
  assert.equal(ec.imagePullPolicy, 'Always');
  assert.equal(ec.terminationMessagePolicy, 'File');
  assert.equal(ec.terminationMessagePath, '/dev/termination-log');
});

test('ephemeral containers cannot be set on create', () => {
  assert.deepEqual(validatePod(pod([debugger1])).map(fieldErrorString), ['spec.ephemeralContainers: Forbidden: cannot be set on create']);
});

test('names are unique across containers, init containers and ephemeral containers', () => {
  assert.deepEqual(update(pod([{ name: 'app', image: 'busybox' }]), pod()), ['spec.ephemeralContainers[0].name: Duplicate value: "app"']);
  assert.deepEqual(update(pod([{ name: 'init', image: 'busybox' }]), pod()), ['spec.ephemeralContainers[0].name: Duplicate value: "init"']);
  const twice = pod([debugger1, { ...debugger1, targetContainerName: undefined }]);
  const errs = update(twice, pod([debugger1]));
  assert.ok(errs.includes('spec.ephemeralContainers[1].name: Duplicate value: "debugger-abcde"'), errs.join('\n'));
});

test('targetContainerName must name a container of the pod', () => {
  assert.deepEqual(update(pod([{ ...debugger1, targetContainerName: 'nope' }]), pod()), ['spec.ephemeralContainers[0].targetContainerName: Not found: "nope"']);
});

test('workload fields are forbidden, in upstream field order', () => {
  const ec: EphemeralContainer = {
    name: 'dbg',
    image: 'busybox',
    ports: [{ containerPort: 80 }],
    resources: { limits: { cpu: '1' } },
    readinessProbe: { tcpSocket: { port: 80 } },
    lifecycle: { preStop: { exec: { command: ['true'] } } },
    volumeMounts: [{ name: 'v', mountPath: '/v', subPath: 'x' }],
  };
  const p = pod([ec]);
  p.spec.volumes = [{ name: 'v', emptyDir: {} }];
  const old = pod();
  old.spec.volumes = p.spec.volumes;
  assert.deepEqual(update(p, old), [
    'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container',
  ]);
  // The defaulted empty resources ({}) count as unset, as Go's zero value does.
  assert.deepEqual(update(pod([{ name: 'dbg', image: 'busybox', resources: {} }]), pod()), []);
});

test('existing ephemeral containers may not be changed or removed', () => {
  const old = pod([debugger1]);
  assert.deepEqual(update(pod(), old), ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-abcde" may not be removed\n']);
  const changed = update(pod([{ ...debugger1, image: 'alpine' }]), old);
  assert.equal(changed.length, 1);
  assert.match(changed[0], /^spec\.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-abcde" may not be changed\n {2}core\.EphemeralContainer\{\n- \tImage: "busybox",\n\+ \tImage: "alpine",/);
  // Reordered by a patch but unchanged: fine.
  const second: EphemeralContainer = { name: 'debugger-fghij', image: 'busybox' };
  assert.deepEqual(update(pod([second, debugger1]), pod([debugger1])), []);
});

test('an ephemeral container that terminated may not run again', () => {
  const old = pod([debugger1]);
  old.status = { ephemeralContainerStatuses: [{ name: 'debugger-abcde', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: 1 } } }] };
  const next = structuredClone(old);
  next.status!.ephemeralContainerStatuses![0].state = { running: {} };
  assert.deepEqual(validatePodStatusUpdate(next, old).map(fieldErrorString), ['status.ephemeralContainerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state']);
});
