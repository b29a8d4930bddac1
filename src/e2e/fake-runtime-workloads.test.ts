// Jobs and claims on the fake runtime with the real kubectl 1.27 and 1.33 (no root):
//   - a Job of `sh -c 'sleep 1'` completes (the fake runtime "runs" commands whose end the
//     command decides) and `kubectl wait --for=condition=complete` says so; one of `exit 3`
//     reaches its backoffLimit;
//   - changing a Job's template is refused with upstream's core.PodTemplateSpec{…} value;
//   - a bound claim of the standard class (no allowVolumeExpansion) cannot grow (403 from the
//     PersistentVolumeClaimResize admission) nor shrink below its capacity (422);
//   - kubectl drain gives up on a pod under two PodDisruptionBudgets with the eviction's 500.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, eventually, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ nodes: 1 });
});

after(() => {
  c?.down(true);
});

function job(name: string, script: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', script] }] } } },
  });
}

for (const bin of passClients) {
  const v = clientVersion(bin).replace('.', '');
  describe(`fake runtime workloads with kubectl ${clientVersion(bin)}`, () => {
    const kb = async (args: string[], input?: string) => {
      const r = await c.kubectl(args, { bin, input, timeoutMs: 90_000 });
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    };

    test('a Job of sh -c "sleep 1" completes; one that exits 3 reaches its backoffLimit', async () => {
      await kb(['apply', '-f', '-'], job(`sleeper-${v}`, 'sleep 1', { completions: 2 }));
      await kb(['apply', '-f', '-'], job(`exits-${v}`, 'exit 3', { backoffLimit: 1 }));
      assert.equal((await kb(['wait', '--for=condition=complete', `job/sleeper-${v}`, '--timeout=60s'])).trim(), `job.batch/sleeper-${v} condition met`);
      assert.equal((await kb(['wait', '--for=condition=failed', `job/exits-${v}`, '--timeout=60s'])).trim(), `job.batch/exits-${v} condition met`);
      const failed = JSON.parse(await kb(['get', 'job', `exits-${v}`, '-o', 'json']));
      assert.equal(failed.status.failed, 2);
      const pod = JSON.parse(await kb(['get', 'pods', '-l', `batch.kubernetes.io/job-name=exits-${v}`, '-o', 'json'])).items[0];
      assert.deepEqual([pod.status.phase, pod.status.containerStatuses[0].state.terminated.exitCode, pod.status.containerStatuses[0].state.terminated.reason], ['Failed', 3, 'Error']);
    });

    test("a Job's template is immutable; the error prints it as upstream's core.PodTemplateSpec", async () => {
      const r = await c.kubectl(['patch', 'job', `sleeper-${v}`, '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"busybox:1.37"}]'], { bin });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^The Job "sleeper-${v}" is invalid: spec\\.template: Invalid value: core\\.PodTemplateSpec\\{ObjectMeta:v1\\.ObjectMeta\\{Name:"", `));
      assert.match(r.stderr, /Containers:\[\]core\.Container\{core\.Container\{Name:"main", Image:"busybox:1\.37", Command:\[\]string\{"sh", "-c", "sleep 1"\}, /);
      assert.match(r.stderr, /TerminationGracePeriodSeconds:\(\*int64\)\(0xc0005a1c00\), /);
      assert.match(r.stderr, /\}\}: field is immutable\n$/);
    });

    test('a bound claim of the standard class can neither grow (Forbidden) nor shrink below its capacity (Invalid)', async () => {
      const claim = `data-${v}`;
      await kb(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claim },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
      }));
      await kb(['run', `user-${v}`, '--image=busybox:1.36', '--overrides', JSON.stringify({ spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim } }], containers: [{ name: `user-${v}`, image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'd', mountPath: '/d' }] }] } })]);
      await eventually(async () => JSON.parse(await kb(['get', 'pvc', claim, '-o', 'json'])).status.phase === 'Bound', 60_000);
      const grow = await c.kubectl(['patch', 'pvc', claim, '-p', '{"spec":{"resources":{"requests":{"storage":"20Mi"}}}}'], { bin });
      assert.equal(grow.code, 1);
      assert.equal(
        grow.stderr,
        `Error from server (Forbidden): persistentvolumeclaims "${claim}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize\n`,
      );
      const shrink = await c.kubectl(['patch', 'pvc', claim, '-p', '{"spec":{"resources":{"requests":{"storage":"5Mi"}}}}'], { bin });
      assert.equal(shrink.code, 1);
      assert.equal(shrink.stderr, `The PersistentVolumeClaim "${claim}" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity\n`);
    });

    test('kubectl drain gives up on a pod under two PodDisruptionBudgets (not retried as a 429 is)', async () => {
      const pod = `shared-${v}`;
      await kb(['run', pod, '--image=busybox:1.36', '--labels', `app=${pod},tier=${pod}`, '--command', '--', 'sleep', '3600']);
      for (const [name, label] of [[`by-app-${v}`, 'app'], [`by-tier-${v}`, 'tier']]) {
        await kb(['create', 'pdb', name, `--selector=${label}=${pod}`, '--max-unavailable=1']);
      }
      await eventually(async () => JSON.parse(await kb(['get', 'pod', pod, '-o', 'json'])).status.phase === 'Running', 60_000);
      const drain = await c.kubectl(['drain', 'node-1', '--force', '--ignore-daemonsets', '--delete-emptydir-data', '--pod-selector', `app=${pod}`, '--timeout=30s'], { bin, timeoutMs: 60_000 });
      await kb(['uncordon', 'node-1']);
      assert.notEqual(drain.code, 0);
      assert.ok(
        drain.stderr.includes(`error when evicting pods/"${pod}" -n "default": This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.`),
        drain.stderr,
      );
      assert.doesNotMatch(drain.stderr, /will retry after/);
      assert.equal(JSON.parse(await kb(['get', 'pod', pod, '-o', 'json'])).metadata.deletionTimestamp, undefined);
    });
  });
}
