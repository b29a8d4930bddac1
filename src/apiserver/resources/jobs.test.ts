// The batch and ReplicationController modules: defaults, the generated selector and
// upstream's validation messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../api/errors.js';
import type { CronJob, Job, ReplicationController } from '../../api/types.js';
import { findKind } from '../../api/resources.js';
import { applyDefaults } from './index.js';
import { strategyOfKind as strategy } from '../../testing/resource-strategies.js';

function newJob(over: Partial<Job['spec']> = {}, restartPolicy: 'Never' | 'OnFailure' | 'Always' = 'Never'): Job {
  return {
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'u-1' },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'pi', image: 'busybox' }] } }, ...over },
  };
}

/** What the registry does before validating a new Job: defaults, then PrepareForCreate. */
function created(job: Job): Job {
  applyDefaults(findKind('Job')!, job);
  strategy('Job').prepareForCreate(job);
  return job;
}

test('Job defaults and the generated selector and labels', () => {
  const job = created(newJob());
  assert.deepEqual(
    { ...job.spec, template: undefined },
    {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } },
      template: undefined,
    },
  );
  const labels = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' };
  assert.deepEqual(job.spec.template.metadata?.labels, labels);
  assert.deepEqual(job.metadata.labels, labels);
  assert.deepEqual(job.status, {});
  assert.deepEqual(strategy('Job').validate(job), []);
  // Parallelism alone leaves completions unset (a work queue).
  assert.deepEqual([created(newJob({ parallelism: 3 })).spec.completions, created(newJob({ parallelism: 3 })).spec.parallelism], [undefined, 3]);
  // A pod failure policy makes replacement wait for Failed pods.
  const pfp = created(newJob({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' } as never] }] } }));
  assert.equal(pfp.spec.podReplacementPolicy, 'Failed');
  assert.equal(pfp.spec.podFailurePolicy?.rules[0].onPodConditions?.[0].status, 'True');
});

test('Job validation messages', () => {
  const always = created(newJob({}, 'Always'));
  assert.deepEqual(strategy('Job').validate(always).map(fieldErrorString), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  const negative = created(newJob({ backoffLimit: -1, parallelism: -2 }));
  assert.deepEqual(strategy('Job').validate(negative).map(fieldErrorString), [
    'spec.parallelism: Invalid value: -2: must be greater than or equal to 0',
    'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
  ]);
  const indexed = created(newJob({ completionMode: 'Indexed', parallelism: 2 }));
  assert.deepEqual(strategy('Job').validate(indexed).map(fieldErrorString), ['spec.completions: Required value: when completion mode is Indexed']);
  const onFailurePfp = created(newJob({ podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0, 3, 2] } }] } }, 'OnFailure'));
  assert.deepEqual(strategy('Job').validate(onFailurePfp).map(fieldErrorString), [
    'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
    'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 3, 2}: must be ordered',
    'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
  ]);
  const manual = created(newJob({ manualSelector: true, selector: { matchLabels: { a: 'b' } } }));
  assert.deepEqual(strategy('Job').validate(manual).map(fieldErrorString), ['spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`']);
});

test('Indexed Job size limits (upstream maxParallelismForIndexedJob, completionsSoftLimit and friends)', () => {
  const errors = (spec: Record<string, unknown>) => strategy('Job').validate(created(newJob({ completionMode: 'Indexed', ...spec }))).map(fieldErrorString);
  assert.deepEqual(errors({ completions: 2147483647, parallelism: 2147483647 }), [
    'spec.parallelism: Invalid value: 2147483647: must be less than or equal to 100000 when completion mode is Indexed',
  ]);
  assert.deepEqual(errors({ completions: 2147483647, parallelism: 100000 }), []);
  assert.deepEqual(errors({ completions: 2147483647, parallelism: 20000, backoffLimitPerIndex: 1 }), [
    'spec.maxFailedIndexes: Required value: must be specified when completions is above 100000',
    'spec.parallelism: Invalid value: 20000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
  ]);
  assert.deepEqual(errors({ completions: 2147483647, parallelism: 10, backoffLimitPerIndex: 1, maxFailedIndexes: 200000 }), [
    'spec.maxFailedIndexes: Invalid value: 200000: must be less than or equal to 100000',
    'spec.maxFailedIndexes: Invalid value: 200000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
  ]);
  assert.deepEqual(errors({ completions: 2147483647, parallelism: 10000, backoffLimitPerIndex: 1, maxFailedIndexes: 10000 }), []);
});

test('Job update: the template and completions are immutable, parallelism is not', () => {
  const old = created(newJob());
  const scaled = structuredClone(old);
  scaled.spec.parallelism = 3;
  assert.deepEqual(strategy('Job').validateUpdate(scaled, old), []);
  const changed = structuredClone(old);
  changed.spec.template.spec.containers[0].image = 'busybox:2';
  changed.spec.completions = 4;
  assert.deepEqual(
    strategy('Job').validateUpdate(changed, old).map((e) => `${e.field}: ${e.detail}`),
    ['spec.completions: field is immutable', 'spec.template: field is immutable'],
  );
});

// Upstream prints the template as Go's %#v of the internal core.PodTemplateSpec: every field
// with its zero value, nested pointers as their type and an address (kanzen's are fixed).
test('Job update: the immutable template is printed as core.PodTemplateSpec{…}, as upstream prints it', () => {
  const old = created(newJob());
  const changed = structuredClone(old);
  changed.spec.template.spec.containers[0].image = 'busybox:2';
  changed.spec.template.spec.containers[0].command = ['sh', '-c', 'echo a && b'];
  const meta =
    'ObjectMeta:v1.ObjectMeta{Name:"", GenerateName:"", Namespace:"", SelfLink:"", UID:"", ResourceVersion:"", Generation:0, ' +
    'CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, DeletionGracePeriodSeconds:(*int64)(nil), ' +
    'Labels:map[string]string{"batch.kubernetes.io/controller-uid":"u-1", "batch.kubernetes.io/job-name":"pi", "controller-uid":"u-1", "job-name":"pi"}, ' +
    'Annotations:map[string]string(nil), OwnerReferences:[]v1.OwnerReference(nil), Finalizers:[]string(nil), ManagedFields:[]v1.ManagedFieldsEntry(nil)}';
  const container =
    'core.Container{Name:"pi", Image:"busybox:2", Command:[]string{"sh", "-c", "echo a && b"}, Args:[]string(nil), WorkingDir:"", ' +
    'Ports:[]core.ContainerPort(nil), EnvFrom:[]core.EnvFromSource(nil), Env:[]core.EnvVar(nil), ' +
    'Resources:core.ResourceRequirements{Limits:core.ResourceList(nil), Requests:core.ResourceList(nil), Claims:[]core.ResourceClaim(nil)}, ' +
    'ResizePolicy:[]core.ContainerResizePolicy(nil), RestartPolicy:(*core.ContainerRestartPolicy)(nil), VolumeMounts:[]core.VolumeMount(nil), ' +
    'VolumeDevices:[]core.VolumeDevice(nil), LivenessProbe:(*core.Probe)(nil), ReadinessProbe:(*core.Probe)(nil), StartupProbe:(*core.Probe)(nil), ' +
    'Lifecycle:(*core.Lifecycle)(nil), TerminationMessagePath:"/dev/termination-log", TerminationMessagePolicy:"File", ImagePullPolicy:"Always", ' +
    'SecurityContext:(*core.SecurityContext)(nil), Stdin:false, StdinOnce:false, TTY:false}';
  const spec =
    `Spec:core.PodSpec{Volumes:[]core.Volume(nil), InitContainers:[]core.Container(nil), Containers:[]core.Container{${container}}, ` +
    'EphemeralContainers:[]core.EphemeralContainer(nil), RestartPolicy:"Never", TerminationGracePeriodSeconds:(*int64)(0xc0005a1c00), ' +
    'ActiveDeadlineSeconds:(*int64)(nil), DNSPolicy:"ClusterFirst", NodeSelector:map[string]string(nil), ServiceAccountName:"", ' +
    'AutomountServiceAccountToken:(*bool)(nil), NodeName:"", SecurityContext:(*core.PodSecurityContext)(0xc0005a1c10), ' +
    'ImagePullSecrets:[]core.LocalObjectReference(nil), Hostname:"", Subdomain:"", SetHostnameAsFQDN:(*bool)(nil), Affinity:(*core.Affinity)(nil), ' +
    'SchedulerName:"default-scheduler", Tolerations:[]core.Toleration(nil), HostAliases:[]core.HostAlias(nil), PriorityClassName:"", ' +
    'Priority:(*int32)(nil), PreemptionPolicy:(*core.PreemptionPolicy)(nil), DNSConfig:(*core.PodDNSConfig)(nil), ' +
    'ReadinessGates:[]core.PodReadinessGate(nil), RuntimeClassName:(*string)(nil), Overhead:core.ResourceList(nil), EnableServiceLinks:(*bool)(nil), ' +
    'TopologySpreadConstraints:[]core.TopologySpreadConstraint(nil), OS:(*core.PodOS)(nil), SchedulingGates:[]core.PodSchedulingGate(nil), ' +
    'ResourceClaims:[]core.PodResourceClaim(nil), Resources:(*core.ResourceRequirements)(nil)}';
  assert.deepEqual(strategy('Job').validateUpdate(changed, old).map(fieldErrorString), [
    `spec.template: Invalid value: core.PodTemplateSpec{${meta}, ${spec}}: field is immutable`,
  ]);
});

test('Job status writes may not undo a terminal condition or lower the failed count', () => {
  const old = created(newJob());
  old.status = { failed: 2, conditions: [{ type: 'FailureTarget', status: 'True' }] };
  const next = structuredClone(old);
  next.status = { failed: 1 };
  assert.deepEqual(strategy('Job').validateStatusUpdate(next, old).map(fieldErrorString), [
    'status.conditions: Invalid value: cannot disable the terminal FailureTarget=True condition',
    'status.failed: Invalid value: 1: cannot decrease the failed counter',
  ]);
});

function newCronJob(schedule: string, over: Partial<CronJob['spec']> = {}): CronJob {
  return {
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...over },
  };
}

function defaulted(cj: CronJob): CronJob {
  applyDefaults(findKind('CronJob')!, cj);
  return cj;
}

test('CronJob defaults and schedule validation', () => {
  const cj = newCronJob('*/1 * * * *');
  applyDefaults(findKind('CronJob')!, cj);
  assert.deepEqual([cj.spec.concurrencyPolicy, cj.spec.suspend, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  // The job template is not a Job: no Job defaults.
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined);
  assert.deepEqual(strategy('CronJob').validate(cj), []);
  const bad = defaulted(newCronJob('61 * * * *', { concurrencyPolicy: 'Allow' }));
  assert.deepEqual(strategy('CronJob').validate(bad).map(fieldErrorString), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  const tz = defaulted(newCronJob('CRON_TZ=UTC 0 * * * *', { concurrencyPolicy: 'Allow', timeZone: 'Mars/Olympus' }));
  assert.deepEqual(strategy('CronJob').validate(tz).map(fieldErrorString), [
    'spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
  ]);
  const long = defaulted(newCronJob('@hourly', { concurrencyPolicy: 'Forbid' }));
  long.metadata.name = 'x'.repeat(53);
  assert.deepEqual(strategy('CronJob').validate(long).map((e) => `${e.field}: ${e.detail}`), ['metadata.name: must be no more than 52 characters']);
});

test('ReplicationController: selector and labels from the template, restartPolicy Always only', () => {
  const rc: ReplicationController = {
    kind: 'ReplicationController',
    metadata: { name: 'nginx', namespace: 'default' },
    spec: { template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  };
  applyDefaults(findKind('ReplicationController')!, rc);
  assert.deepEqual([rc.spec.replicas, rc.spec.selector, rc.metadata.labels], [1, { app: 'nginx' }, { app: 'nginx' }]);
  assert.deepEqual(strategy('ReplicationController').validate(rc), []);
  const never = structuredClone(rc);
  never.spec.template!.spec.restartPolicy = 'Never';
  never.spec.selector = { app: 'other' };
  assert.deepEqual(strategy('ReplicationController').validate(never).map(fieldErrorString), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
});
