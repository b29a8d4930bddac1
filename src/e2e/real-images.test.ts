// Real OCI images end to end, with the real kubectl: images built here (a Debian nginx-light
// image by mmdebstrap, a busybox-static one by umoci) are pushed to a real registry on
// loopback (Debian's docker-registry) that the cluster's registries.yaml names as docker.io's
// mirror, so `--image=nginx` pulls real nginx and runc runs it. The tutorial's exec and
// round-robin steps then run against real nginx; its config files, a ConfigMap-mounted
// conf.d and `nginx -s reload` work as in any cluster. Also: pull events and imageID, the
// Node's status.images, `kanzen image load` + imagePullPolicy Never, ErrImagePull with the
// registry's reason, pull secrets made by `kubectl create secret docker-registry`, and a
// container's isolation (its image's files only, its own processes, the default capability
// set). Needs root, runc, mmdebstrap, umoci, skopeo and docker-registry (npm test installs them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, hasCommand, runKanzen, runningPods, startCluster, writeTemp, type TestCluster } from './harness.js';
import { debianNginxImage } from '../testing/debian-nginx-image.js';
import { buildBusyboxImage } from '../testing/test-images.js';
import { startTestRegistry, testRegistryMissing, type TestRegistry } from '../testing/test-registry.js';
import type { Node, Pod } from '../api/types.js';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot ? 'needs root' : testRegistryMissing() || (!hasCommand('mmdebstrap') || !hasCommand('runc') ? 'needs mmdebstrap and runc' : false);

let c: TestCluster;
let registry: TestRegistry;
let authRegistry: TestRegistry;
let dir: string;
let nginxDigest: string;

before(async () => {
  if (skip) return;
  const nginx = debianNginxImage();
  registry = await startTestRegistry();
  authRegistry = await startTestRegistry({ htpasswd: true });
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
  dir = fs.mkdtempSync(path.join(c.home, 'real-images-'));
  await registry.push(nginx.layout, nginx.tag, 'library/nginx:latest');
  const bb = path.join(dir, 'busybox');
  buildBusyboxImage(bb, { tag: 'latest', cmd: ['sh'], applets: true, files: { '/etc/motd': 'the test busybox\n' } });
  await registry.push(bb, 'latest', 'library/busybox:latest');
  await authRegistry.push(bb, 'latest', 'private/app:1');
  // The digest the registry serves (skopeo may re-encode the manifest on the way in).
  nginxDigest = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${registry.host}/library/nginx:latest`], { encoding: 'utf8' }).trim();
  // docker.io through the test registry, as a k3s user points docker.io at a mirror.
  fs.writeFileSync(path.join(c.home, 'registries.yaml'), `mirrors:\n  docker.io:\n    endpoint:\n      - "http://${registry.host}"\n`);
});

after(async () => {
  c?.down(true);
  await registry?.stop();
  await authRegistry?.stop();
});

async function pod(name: string): Promise<Pod> {
  return JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
}

async function waitingReason(name: string, reasons: string[]): Promise<{ reason: string; message: string }> {
  return eventually(async () => {
    const w = (await pod(name)).status?.containerStatuses?.[0]?.state?.waiting;
    return w?.reason && reasons.includes(w.reason) ? { reason: w.reason, message: w.message ?? '' } : undefined;
  }, 60_000);
}

describe('real images', { skip }, () => {
  test('nginx is pulled through the docker.io mirror and real nginx serves the tutorial', async () => {
    await c.k(['create', 'deployment', 'nginx', '--image=nginx', '--replicas=3']);
    await c.k(['run', 'client', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    const rows = await runningPods(c, 'app=nginx', 3, 180_000);
    await runningPods(c, 'run=client', 1, 60_000);
    const first = await pod(rows[0].NAME);
    const status = first.status!.containerStatuses![0];
    assert.equal(status.image, 'docker.io/library/nginx:latest');
    assert.equal(status.imageID, `docker.io/library/nginx@${nginxDigest}`);
    const describe = await c.k(['describe', 'pod', rows[0].NAME]);
    assert.match(describe, /Pulling image "nginx"/);
    assert.match(describe, /(Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.|Container image "nginx" already present on machine)/);
    // Real nginx: its own version string and its Debian files.
    const version = await c.kubectl(['exec', rows[0].NAME, '--', 'nginx', '-v']);
    assert.match(version.stderr, /^nginx version: nginx\/1\.\d+\.\d+/);
    assert.match(await c.k(['exec', rows[0].NAME, '--', 'cat', '/etc/debian_version']), /^12\./);

    // The tutorial's steps: each pod's page rewritten by kubectl exec, then the Service balances over them.
    for (const [i, r] of rows.entries()) {
      await c.k(['exec', r.NAME, '--', 'sh', '-c', `echo 'Pod ${i + 1} responding!' > /usr/share/nginx/html/index.html`]);
    }
    await c.k(['expose', 'deployment', 'nginx', '--port=80']);
    const ip = (await c.k(['get', 'service', 'nginx', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const page = (await c.k(['exec', 'client', '--', 'wget', '-qO-', `http://${ip}/`])).trim();
      seen.set(page, (seen.get(page) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['Pod 1 responding!', 'Pod 2 responding!', 'Pod 3 responding!']);
    // nginx's own access log line reaches kubectl logs (the image links it to /dev/stdout).
    const logs = await eventually(async () => {
      const all = await Promise.all(rows.map((r) => c.k(['logs', r.NAME])));
      return all.join('').match(/"GET \/ HTTP\/1\.1" 200 \d+ "-" "Wget"/) ? all : undefined;
    });
    assert.ok(logs);
  });

  test('a ConfigMap-mounted conf.d and nginx -s reload work as with the real image anywhere', async () => {
    await c.k(['create', 'configmap', 'site', '--from-literal=default.conf=server { listen 80; location / { return 200 "from the configmap\\n"; } }']);
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-cm' },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'site', mountPath: '/etc/nginx/conf.d' }] }],
        volumes: [{ name: 'site', configMap: { name: 'site' } }],
      },
    };
    await c.k(['apply', '-f', writeTemp(dir, 'web-cm.json', JSON.stringify(manifest))]);
    await c.k(['run', 'web-reload', '--image=nginx']);
    await runningPods(c, 'run=web-reload', 1, 60_000);
    const cmIP = await eventually(async () => (await pod('web-cm')).status?.podIP);
    await eventually(async () => (await pod('web-cm')).status?.phase === 'Running');
    assert.equal((await c.k(['exec', 'client', '--', 'wget', '-qO-', `http://${cmIP}/`])).trim(), 'from the configmap');
    // A server added to conf.d and a reload: nginx's master re-reads its config.
    await c.k(['exec', 'web-reload', '--', 'sh', '-c', `echo 'server { listen 8080; location / { return 200 "reloaded\\n"; } }' > /etc/nginx/conf.d/extra.conf && nginx -t 2>&1 && nginx -s reload`]);
    const reloadIP = (await pod('web-reload')).status!.podIP!;
    const body = await eventually(async () => {
      const r = await c.kubectl(['exec', 'client', '--', 'wget', '-qO-', `http://${reloadIP}:8080/`]);
      return r.code === 0 ? r.stdout.trim() : undefined;
    });
    assert.equal(body, 'reloaded');
  });

  test('the nodes list the images their store holds', async () => {
    const node = JSON.parse(await c.k(['get', 'node', 'node-1', '-o', 'json'])) as Node;
    const names = await eventually(async () => {
      const n = JSON.parse(await c.k(['get', 'node', 'node-1', '-o', 'json'])) as Node;
      const all = (n.status?.images ?? []).flatMap((i) => i.names ?? []);
      return all.includes(`docker.io/library/nginx@${nginxDigest}`) ? all : undefined;
    }, 30_000);
    assert.ok(names.includes('docker.io/library/nginx:latest'));
    assert.ok(node.status?.images);
  });

  test('a container sees its image only, its own processes, and the default capability set', async () => {
    // The image has /bin/busybox and its applets, /etc/motd and nothing of the host's.
    for (const hostOnly of ['/work', process.execPath, '/etc/debian_version', '/usr/bin/runc']) {
      const r = await c.kubectl(['exec', 'client', '--', 'ls', hostOnly]);
      assert.notEqual(r.code, 0, `${hostOnly} must not be visible: ${r.stdout}`);
    }
    assert.equal((await c.k(['exec', 'client', '--', 'cat', '/etc/motd'])).trim(), 'the test busybox');
    const ps = await c.k(['exec', 'client', '--', 'ps', '-o', 'pid,comm']);
    const procs = ps.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    assert.deepEqual(procs[0], ['1', 'sleep']);
    assert.ok(procs.every(([, comm]) => ['sleep', 'ps'].includes(comm)), ps);
    // containerd's default capability set: no CAP_SYS_ADMIN, no CAP_NET_ADMIN.
    assert.match(await c.k(['exec', 'client', '--', 'grep', 'CapEff', '/proc/1/status']), /CapEff:\s+00000000a80425fb/);
    const mount = await c.kubectl(['exec', 'client', '--', 'mount', '-t', 'tmpfs', 'x', '/mnt']);
    assert.notEqual(mount.code, 0, 'mounting needs CAP_SYS_ADMIN');
  });

  test('kanzen image load, then a pod with imagePullPolicy Never; a missing one is ErrImageNeverPull', async () => {
    const bb = path.join(dir, 'busybox');
    const archive = path.join(dir, 'myapp.tar');
    execFileSync('skopeo', ['--insecure-policy', 'copy', `oci:${bb}:latest`, `docker-archive:${archive}:myapp:dev`], { stdio: 'ignore' });
    const load = runKanzen(['image', 'load', archive, '--name', c.name, '--home', c.home]);
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stdout, /^unpacking docker\.io\/library\/myapp:dev \(sha256:[0-9a-f]{64}\)\.\.\.done$/m);
    assert.match(runKanzen(['image', 'ls', '--name', c.name, '--home', c.home]).stdout, /^docker\.io\/library\/myapp +dev +[0-9a-f]{13} /m);
    await c.k(['run', 'myapp', '--image=myapp:dev', '--image-pull-policy=Never', '--', 'sleep', '3600']);
    await runningPods(c, 'run=myapp', 1, 60_000);
    assert.match(await c.k(['describe', 'pod', 'myapp']), /Container image "myapp:dev" already present on machine/);
    await c.k(['run', 'nothere', '--image=myapp:nothere', '--image-pull-policy=Never']);
    const w = await waitingReason('nothere', ['ErrImageNeverPull']);
    assert.equal(w.message, 'Container image "myapp:nothere" is not present with pull policy of Never');
  });

  test('kanzen image prune removes what no pod uses and keeps what pods run', async () => {
    await c.k(['delete', 'pod', 'myapp', 'nothere', '--wait=true']);
    const prune = runKanzen(['image', 'prune', '--name', c.name, '--home', c.home]);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /^Deleted: docker\.io\/library\/myapp:dev$/m);
    const ls = runKanzen(['image', 'ls', '--name', c.name, '--home', c.home]).stdout;
    assert.doesNotMatch(ls, /myapp/);
    assert.match(ls, /^docker\.io\/library\/nginx +latest /m);
    assert.match(ls, /^docker\.io\/library\/busybox +latest /m);
  });

  test('an image the registry does not have: ErrImagePull with its reason, then ImagePullBackOff', async () => {
    await c.k(['run', 'missing', `--image=${registry.host}/nope/nothing:1`]);
    const w = await waitingReason('missing', ['ErrImagePull', 'ImagePullBackOff']);
    assert.match(w.message, /not found/);
    const back = await waitingReason('missing', ['ImagePullBackOff']);
    assert.match(back.message, /^Back-off pulling image ".*nope\/nothing:1": ErrImagePull: .*not found/);
    assert.match(await c.k(['describe', 'pod', 'missing']), /Failed to pull image ".*nope\/nothing:1": rpc error: code = NotFound desc = failed to pull and unpack image/);
  });

  test('a private registry: pulls with a docker-registry Secret, ErrImagePull without', async () => {
    const image = `${authRegistry.host}/private/app:1`;
    await c.k(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${authRegistry.host}`, `--docker-username=${authRegistry.username}`, `--docker-password=${authRegistry.password}`]);
    const withSecret = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'private' },
      spec: { imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'app', image, command: ['sleep', '3600'] }] },
    };
    await c.k(['apply', '-f', writeTemp(dir, 'private.json', JSON.stringify(withSecret))]);
    // Always: with IfNotPresent a node that already pulled the image for another pod would run
    // it without asking the registry, as the kubelet does (KEP-2535's check is off by default).
    await c.k(['run', 'nosecret', `--image=${image}`, '--image-pull-policy=Always', '--', 'sleep', '3600']);
    await eventually(async () => (await pod('private')).status?.containerStatuses?.[0]?.state?.running);
    const w = await waitingReason('nosecret', ['ErrImagePull', 'ImagePullBackOff']);
    assert.match(w.message, /pull access denied|no basic auth credentials|401 Unauthorized/);
  });
});

describe('service account pull secrets', { skip }, () => {
  test('a pull secret on a namespace\'s default service account reaches the pods a Deployment makes', async () => {
    const image = `${authRegistry.host}/private/app:1`;
    await c.k(['create', 'namespace', 'team']);
    await c.k(['create', 'secret', 'docker-registry', 'regcred', '-n', 'team', `--docker-server=${authRegistry.host}`, `--docker-username=${authRegistry.username}`, `--docker-password=${authRegistry.password}`]);
    await eventually(async () => (await c.kubectl(['get', 'serviceaccount', 'default', '-n', 'team'])).code === 0);
    await c.k(['patch', 'serviceaccount', 'default', '-n', 'team', '-p', '{"imagePullSecrets":[{"name":"regcred"}]}']);
    await c.k(['create', 'deployment', 'app', '-n', 'team', `--image=${image}`, '--', 'sleep', '3600']);
    const name = await eventually(async () => {
      const pods = JSON.parse(await c.k(['get', 'pods', '-n', 'team', '-o', 'json'])) as { items: Pod[] };
      const p = pods.items[0];
      return p?.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
    }, 60_000);
    assert.deepEqual(name.spec.imagePullSecrets, [{ name: 'regcred' }]);
  });
});
