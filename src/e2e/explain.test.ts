// kubectl explain against a running cluster (fake runtime), with the pass's real kubectl: the
// text is kanzen's own (the fact file's explain table) and the layout is kubectl's, as for a real
// API server: KIND/VERSION (GROUP for a named group), FIELD: <name> <type>, the field's description
// followed by its type's, then FIELDS with -required- marks and, from 1.29, enum lines.
// kubectl 1.27 reads OpenAPI v3 by default and v2 with --output plaintext-openapiv2; both are checked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ nodes: 1 });
});

after(() => {
  c?.down(true);
});

/** The output of kubectl explain, which must succeed. */
async function explain(bin: string, ...args: string[]): Promise<string> {
  const r = await c.kubectl(['explain', ...args], { bin });
  assert.equal(r.code, 0, `kubectl explain ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const undescribed = /<empty>|<no description>/;

describe('kubectl explain', () => {
  for (const bin of passClients) {
    const v = clientVersion(bin);
    const minor = Number(v.split('.')[1]);

    test(`kubectl ${v}: explain pod.spec.containers prints the field, its type and kanzen's descriptions`, async () => {
      const out = await explain(bin, 'pod.spec.containers');
      // 1.33 leaves two blank lines before DESCRIPTION, 1.27 one.
      assert.match(
        out,
        /^KIND: {7}Pod\nVERSION: {4}v1\n\nFIELD: containers <\[\]Container>\n\n\n?DESCRIPTION:\n {4}The pod's app containers, started together once the init containers\n {4}finished\. At least one; cannot be added or removed after creation\.\n {4}A container of a pod: the image it runs/,
      );
      assert.match(out, /\nFIELDS:\n {2}args\t<\[\]string>\n {4}Arguments to the command, replacing the image's CMD\./);
      assert.match(out, /\n {2}name\t<string> -required-\n {4}The container's name, unique within the pod/);
      assert.match(out, /\n {2}livenessProbe\t<Probe>\n {4}A check the kubelet runs periodically/);
      assert.match(out, /\n {2}ports\t<\[\]ContainerPort>\n {4}Ports the container listens on\./);
      assert.match(out, /\n {2}resources\t<ResourceRequirements>\n {4}The cpu and memory the container requests/);
      if (minor >= 29) assert.match(out, /\n {2}imagePullPolicy\t<string>\n {2}enum: Always, IfNotPresent, Never\n {4}When the image is pulled/);
      assert.doesNotMatch(out, undescribed);
    });

    test(`kubectl ${v}: explain deployment.spec.strategy.rollingUpdate`, async () => {
      const out = await explain(bin, 'deployment.spec.strategy.rollingUpdate');
      assert.match(
        out,
        /^GROUP: {6}apps\nKIND: {7}Deployment\nVERSION: {4}v1\n\nFIELD: rollingUpdate <RollingUpdateDeployment>\n\n\n?DESCRIPTION:\n {4}Settings of a RollingUpdate; only with that type\.\n {4}Limits on a Deployment's rolling update\.\n/,
      );
      assert.match(out, /\nFIELDS:\n {2}maxSurge\t<IntOrString>\n {4}How many pods may be created above the desired number during the update: a\n {4}number, or a percentage of replicas rounded up\. Default 25%\./);
      assert.match(out, /\n {2}maxUnavailable\t<IntOrString>\n {4}How many of the desired pods may be unavailable/);
      // A scalar's named type is described under the field's own text.
      const surge = await explain(bin, 'deployment.spec.strategy.rollingUpdate.maxSurge');
      assert.match(surge, /FIELD: maxSurge <IntOrString>\n\n\n?DESCRIPTION:\n {4}How many pods may be created[^]*\n {4}A value written as either an integer or a string/);
    });

    test(`kubectl ${v}: explain --recursive lists the nested fields without descriptions`, async () => {
      const out = await explain(bin, 'pod.spec.containers', '--recursive');
      assert.match(out, /\n {2}livenessProbe\t<Probe>\n {4}exec\t<ExecAction>\n {6}command\t<\[\]string>\n {4}failureThreshold\t<integer>\n {4}grpc\t<GRPCAction>\n/);
      assert.match(out, /\n {4}httpGet\t<HTTPGetAction>\n {6}host\t<string>\n {6}httpHeaders\t<\[\]HTTPHeader>\n {8}name\t<string> -required-\n {8}value\t<string> -required-\n {6}path\t<string>\n {6}port\t<IntOrString> -required-\n/);
      assert.doesNotMatch(out.slice(out.indexOf('FIELDS:')), /Arguments to the command/);
      const deployment = await explain(bin, 'deployment', '--recursive');
      assert.match(deployment, /\n {4}strategy\t<DeploymentStrategy>\n {6}rollingUpdate\t<RollingUpdateDeployment>\n {8}maxSurge\t<IntOrString>\n {8}maxUnavailable\t<IntOrString>\n {6}type\t<string>\n/);
    });

    test(`kubectl ${v}: every served resource and the commonly explained fields are described`, async () => {
      const names = (await c.k(['api-resources', '-o', 'name'])).trim().split('\n');
      assert.ok(names.includes('pods') && names.includes('endpointslices.discovery.k8s.io'), names.join(' '));
      const paths = [
        ...names,
        'pod.spec',
        'pod.status',
        'pod.status.containerStatuses.state',
        'pod.spec.containers.livenessProbe.httpGet',
        'pod.spec.volumes',
        'pod.spec.affinity.podAntiAffinity',
        'service.spec',
        'service.spec.ports',
        'service.status.loadBalancer.ingress',
        'deployment.spec',
        'deployment.status',
        'endpointslices.endpoints.conditions',
        'node.status',
        'node.spec.taints',
        'pod.metadata',
        'pod.metadata.ownerReferences',
        'pod.metadata.managedFields',
      ];
      // A served resource by its group/version: kubectl explain reads `nodes.metrics.k8s.io` as
      // core nodes with a field path, on any cluster, so the group goes in --api-version.
      const served = (await c.k(['api-resources', '--no-headers', '-o', 'wide'])).trim().split('\n').map((l) => l.trim().split(/\s+/));
      for (const row of served) {
        const apiVersion = row.find((f) => /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(f))!;
        const out = await explain(bin, row[0], `--api-version=${apiVersion}`);
        assert.match(out, /DESCRIPTION:\n {4}\S/, `kubectl ${v} explain ${row[0]} --api-version=${apiVersion}:\n${out}`);
        assert.doesNotMatch(out, undescribed, `kubectl ${v} explain ${row[0]} --api-version=${apiVersion}:\n${out}`);
      }
      for (const p of paths.filter((x) => !names.includes(x) || !x.includes('.'))) {
        const out = await explain(bin, p);
        assert.match(out, /DESCRIPTION:\n {4}\S/, `kubectl ${v} explain ${p}:\n${out}`);
        assert.doesNotMatch(out, undescribed, `kubectl ${v} explain ${p}:\n${out}`);
      }
    });

    if (minor === 27) {
      test('kubectl 1.27: the OpenAPI v2 path (--output plaintext-openapiv2) prints the same text', async () => {
        const out = await explain(bin, 'pod.spec.containers', '--output', 'plaintext-openapiv2');
        assert.match(out, /^KIND: {5}Pod\nVERSION: {2}v1\n\nRESOURCE: containers <\[\]Object>\n\nDESCRIPTION:\n {5}The pod's app containers, started together/);
        assert.match(out, /\n {3}args\t<\[\]string>\n {5}Arguments to the command/);
        const strategy = await explain(bin, 'deployment.spec.strategy', '--output', 'plaintext-openapiv2');
        assert.match(strategy, /DESCRIPTION:\n {5}How old pods are replaced by new ones when the template changes\.\n\n {5}How a Deployment replaces its pods\./);
        assert.doesNotMatch(strategy, undescribed);
      });
    }
  }
});
