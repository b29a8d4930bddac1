import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, Scale, StatefulSet } from '../../api/types.js';
import { resourceFor, resourcePath } from '../../client/api-client.js';
import { startApiFixture } from '../../testing/api-fixture.js';

const sts = resourceFor('statefulsets', 'apps');
const revisions = resourceFor('controllerrevisions', 'apps');

function webSet(name = 'web'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected the request to be refused');
}

test('StatefulSet create: SetDefaults_StatefulSet, claim template defaults, status reset, generation 1', async () => {
  const f = await startApiFixture();
  try {
    const client = f.client();
    const set = webSet();
    (set as { status?: unknown }).status = { replicas: 5, availableReplicas: 5 };
    const created = await client.create<StatefulSet>(sts, 'default', set);
    assert.equal(created.metadata.generation, 1);
    assert.deepEqual(created.status, { replicas: 0, availableReplicas: 0 });
    const spec = created.spec;
    assert.equal(spec.replicas, 1);
    assert.equal(spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.template.spec.restartPolicy, 'Always');
    assert.equal(spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(spec.volumeClaimTemplates, [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'www' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      },
    ]);

    // OnDelete keeps no rollingUpdate; maxUnavailable is dropped while its feature gate is off.
    const onDelete = webSet('db');
    onDelete.spec.updateStrategy = { type: 'OnDelete' };
    assert.deepEqual((await client.create<StatefulSet>(sts, 'default', onDelete)).spec.updateStrategy, { type: 'OnDelete' });
    const maxU = webSet('cache');
    maxU.spec.updateStrategy = { rollingUpdate: { maxUnavailable: 2 } };
    assert.deepEqual((await client.create<StatefulSet>(sts, 'default', maxU)).spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  } finally {
    await f.stop();
  }
});

test('StatefulSet validation speaks upstream messages', async () => {
  const f = await startApiFixture();
  try {
    const client = f.client();
    const mismatch = webSet();
    mismatch.spec.template.metadata!.labels = { app: 'other' };
    assert.equal(
      await rejection(client.create(sts, 'default', mismatch)),
      'StatefulSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
    const dotted = webSet('web.v1');
    assert.equal(await rejection(client.create(sts, 'default', dotted)), 'StatefulSet.apps "web.v1" is invalid: metadata.name: Invalid value: "web.v1": must not contain dots');
    const bad = webSet();
    bad.spec.podManagementPolicy = 'Burst' as 'Parallel';
    bad.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' as 'Retain' };
    bad.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } };
    assert.equal(
      await rejection(client.create(sts, 'default', bad)),
      'StatefulSet.apps "web" is invalid: [spec.podManagementPolicy: Invalid value: "Burst": must be \'OrderedReady\' or \'Parallel\', spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0, spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"]',
    );
  } finally {
    await f.stop();
  }
});

test('StatefulSet update: only replicas, template, updateStrategy and the like may change; spec changes bump generation; scale writes replicas', async () => {
  const f = await startApiFixture();
  try {
    const client = f.client();
    const created = await client.create<StatefulSet>(sts, 'default', webSet());
    const grown = structuredClone(created);
    grown.spec.volumeClaimTemplates![0].spec!.resources = { requests: { storage: '2Gi' } };
    assert.equal(
      await rejection(client.update(sts, grown)),
      "StatefulSet.apps \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
    const renamed = structuredClone(created);
    renamed.spec.serviceName = 'other';
    assert.match(await rejection(client.update(sts, renamed)), /spec: Forbidden: updates to statefulset spec/);

    const image = await client.patch<StatefulSet>(sts, 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    assert.equal(image.metadata.generation, 2);
    const withStatus = await client.updateStatus<StatefulSet>(sts, { ...image, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 2, collisionCount: 1 } });
    assert.equal(withStatus.metadata.generation, 2);
    assert.equal(withStatus.status?.readyReplicas, 1);
    assert.match(
      await rejection(client.updateStatus(sts, { ...withStatus, status: { replicas: 1, availableReplicas: 1, readyReplicas: 1, collisionCount: 0 } })),
      /status.collisionCount: Invalid value: 0: cannot be decremented/,
    );

    const raw = await client.transport.request('GET', resourcePath(sts, 'default', 'web', 'scale'));
    const scale = JSON.parse(raw.body.toString('utf8')) as Scale;
    assert.deepEqual(scale.status, { replicas: 1, selector: 'app=nginx' });
    await client.patch(sts, 'default', 'web', 'merge', { spec: { replicas: 3 } }, 'scale');
    const scaled = await client.get<StatefulSet>(sts, 'default', 'web');
    assert.equal(scaled.spec.replicas, 3);
    assert.equal(scaled.metadata.generation, 3);
  } finally {
    await f.stop();
  }
});

test('ControllerRevision: data is mandatory and immutable, the revision number may change', async () => {
  const f = await startApiFixture();
  try {
    const client = f.client();
    assert.equal(
      await rejection(client.create(revisions, 'default', { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-1' }, revision: 1 } as ControllerRevision)),
      'ControllerRevision.apps "web-1" is invalid: data: Required value: data is mandatory',
    );
    const rev = await client.create<ControllerRevision>(revisions, 'default', { metadata: { name: 'web-1' }, data: { spec: { template: { $patch: 'replace' } } }, revision: 1 });
    assert.equal((await client.update<ControllerRevision>(revisions, { ...rev, revision: 4 })).revision, 4);
    const latest = await client.get<ControllerRevision>(revisions, 'default', 'web-1');
    assert.match(await rejection(client.update(revisions, { ...latest, data: { spec: {} } })), /^ControllerRevision.apps "web-1" is invalid: data: Invalid value: .*: field is immutable$/);
  } finally {
    await f.stop();
  }
});
