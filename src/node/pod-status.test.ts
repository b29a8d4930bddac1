import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from '../api/types.js';
import { generatePodStatus, getPhase } from './pod-status.js';

const running = (name: string, ready = true): ContainerStatus => ({ name, state: { running: { startedAt: '2025-01-01T00:00:00Z' } }, lastState: {}, ready, restartCount: 0, image: 'x', imageID: 'y', started: true });
const exited = (name: string, exitCode: number): ContainerStatus => ({ name, state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed' } }, lastState: {}, ready: exitCode === 0, restartCount: 0, image: 'x', imageID: 'y', started: false });
const crashLoop = (name: string, exitCode: number): ContainerStatus => ({ name, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode } }, ready: false, restartCount: 1, image: 'x', imageID: 'y', started: false });
const waiting = (name: string): ContainerStatus => ({ name, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'x', imageID: '' });

function pod(spec: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'a' }, { name: 'b' }], ...spec } };
}

test('getPhase follows upstream for each restart policy', () => {
  const cases: [Partial<Pod['spec']>, ContainerStatus[], boolean, string][] = [
    [{}, [running('a'), running('b')], false, 'Running'],
    [{}, [running('a'), waiting('b')], false, 'Pending'],
    [{}, [running('a')], false, 'Pending'],
    [{ restartPolicy: 'Always' }, [exited('a', 0), exited('b', 1)], false, 'Running'],
    [{ restartPolicy: 'Never' }, [exited('a', 0), exited('b', 0)], false, 'Succeeded'],
    [{ restartPolicy: 'Never' }, [exited('a', 0), exited('b', 1)], false, 'Failed'],
    [{ restartPolicy: 'OnFailure' }, [exited('a', 0), exited('b', 1)], false, 'Running'],
    [{ restartPolicy: 'OnFailure' }, [exited('a', 0), crashLoop('b', 1)], false, 'Running'],
    [{ restartPolicy: 'Always' }, [exited('a', 0), exited('b', 0)], true, 'Succeeded'],
    [{ restartPolicy: 'Always' }, [exited('a', 137), exited('b', 0)], true, 'Failed'],
  ];
  for (const [spec, statuses, terminal, want] of cases) {
    const p = pod(spec);
    assert.equal(getPhase(p.spec, [], statuses, terminal), want, JSON.stringify({ spec, statuses: statuses.map((s) => s.state), terminal }));
  }
});

test('init containers: pending while running, Failed when one fails under Never', () => {
  const spec = pod({ initContainers: [{ name: 'init' }], restartPolicy: 'Never' }).spec;
  assert.equal(getPhase(spec, [running('init')], [waiting('a'), waiting('b')], false), 'Pending');
  assert.equal(getPhase(spec, [exited('init', 1)], [waiting('a'), waiting('b')], false), 'Failed');
  assert.equal(getPhase({ ...spec, restartPolicy: 'Always' }, [crashLoop('init', 1)], [waiting('a'), waiting('b')], false), 'Pending');
});

test('conditions and default waiting states of a pod whose containers have not all started', () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
  const s = generatePodStatus(p, { now: new Date('2025-01-01T00:00:00Z'), hostIP: '172.18.0.2', podIP: '10.244.1.2', sandboxReady: true, initContainerStatuses: [running('init', false)], containerStatuses: [] });
  assert.equal(s.phase, 'Pending');
  const cond = (t: string) => s.conditions?.find((c) => c.type === t);
  assert.deepEqual(cond('Initialized'), { type: 'Initialized', status: 'False', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init]' });
  assert.equal(cond('ContainersReady')?.message, 'containers with unready status: [a b]');
  assert.equal(cond('Ready')?.reason, 'ContainersNotReady');
  assert.equal(cond('PodReadyToStartContainers')?.status, 'True');
  assert.deepEqual(s.containerStatuses?.[0].state, { waiting: { reason: 'PodInitializing' } });
  assert.equal(s.containerStatuses?.[0].imageID, '');
  assert.deepEqual(s.conditions?.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
});

test('a completed pod: PodCompleted, and lastTransitionTime kept while a condition does not change', () => {
  const p = pod({ restartPolicy: 'Never' });
  const t0 = new Date('2025-01-01T00:00:00Z');
  const first = generatePodStatus(p, { now: t0, hostIP: 'h', podIP: '10.244.1.2', sandboxReady: true, containerStatuses: [running('a'), running('b')] });
  const done = generatePodStatus({ ...p, status: first }, { now: new Date('2025-01-01T00:01:00Z'), hostIP: 'h', sandboxReady: false, containerStatuses: [exited('a', 0), exited('b', 0)] });
  assert.equal(done.phase, 'Succeeded');
  assert.equal(done.podIP, '10.244.1.2');
  const ready = done.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'PodCompleted');
  assert.equal(ready?.lastTransitionTime, '2025-01-01T00:01:00Z');
  assert.equal(done.conditions?.find((c) => c.type === 'Initialized')?.lastTransitionTime, '2025-01-01T00:00:00Z');
  // Terminal phases stick.
  const again = generatePodStatus({ ...p, status: done }, { now: new Date(), hostIP: 'h', sandboxReady: false, containerStatuses: [] });
  assert.equal(again.phase, 'Succeeded');
});
