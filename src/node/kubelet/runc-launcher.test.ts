import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import { silentLogger } from '../../util/logger.js';
import { waitFor } from '../../testing/wait.js';
import { ensureShellRootfs } from '../../images/shell-rootfs.js';
import { readMountPoints, setupClusterNetwork, teardownClusterNetwork, type ClusterNetwork } from '../cluster-network.js';
import { removeClusterCgroups } from '../container-cgroup.js';
import type { OciLaunch } from '../images/oci-launch.js';
import type { ImageConfig } from '../images/oci.js';
import { createPodSandbox, removePodSandbox, type PodSandbox } from '../pod-sandbox.js';
import { Runc, runcRoot } from '../runc.js';
import { ContainerStartError } from '../sandbox-exec.js';
import type { ExitInfo, LaunchedProcess } from './container-launcher.js';
import { cgroupMounts, removePodLimits } from './container-limits.js';
import { ociProcess } from './oci-process.js';
import { removeClusterRuncContainers, removePodRuncContainers, runcContainerID, RuncLauncher, wrapperScript } from './runc-launcher.js';
import { SandboxLauncher } from './sandbox-launcher.js';
import { Backoff } from '../../util/backoff.js';
import { PodRuntime, type ImageResolver } from './container-runtime.js';
import { ExecTimeoutError } from './handlers.js';
import { containerExec } from './netns-sandboxes.js';

test('the wrapper mounts the overlay with short relative options and records runc\'s code', () => {
  const script = wrapperScript(2, ['runc', '--root', '/run/kanzen-x/runc', 'run', 'id'], false);
  assert.match(script, /^mount -t overlay overlay -o 'lowerdir=layers\/0:layers\/1,upperdir=upper,workdir=work' rootfs$/m);
  assert.match(script, /^'runc' '--root' '\/run\/kanzen-x\/runc' 'run' 'id' 2>&3 3>&-$/m);
  assert.match(wrapperScript(1, ['runc', 'run'], true), /^script -qfec 'exec '\\''runc'\\'' '\\''run'\\''' \/dev\/null 3>&-$/m);
  assert.equal(spawnSync('/bin/sh', ['-n', '-c', script]).status, 0);
});

function missingPrerequisite(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (runc, namespaces, mounts)';
  for (const tool of ['runc', 'unshare', 'ip', 'script']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  if (!fs.existsSync('/bin/busybox')) return 'needs busybox-static';
  return undefined;
}

const DEFAULT_CAPS = '00000000a80425fb';

describe('RuncLauncher: containers of OCI images run by runc in a pod sandbox (root)', { skip: missingPrerequisite(), timeout: 600_000 }, () => {
  const cluster = `kzrc${process.pid.toString(36)}`;
  const podUID = 'aaaaaaaa-2222-4000-8000-000000000001';
  let home = '';
  let net: ClusterNetwork;
  let sandbox: PodSandbox;
  let launch: OciLaunch;
  let busyboxRoot = '';
  let topLayer = '';
  const containers: Container[] = [];
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'oci', namespace: 'team-a', uid: podUID }, spec: { containers } };
  const launcher = new SandboxLauncher({ sandbox: (uid) => (uid === podUID ? sandbox : undefined), pod: (uid) => (uid === podUID ? pod : undefined), logger: silentLogger });
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/bin:/bin', 'FROM_IMAGE=yes', 'MODE=image'], WorkingDir: '/srv', User: 'app', Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [] },
  };

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz runc home-'));
    busyboxRoot = ensureShellRootfs(path.join(home, 'images', 'rootfs'), { name: 'busybox', applets: 'bin' });
    // A second layer on top: a user of its own, a file, /srv.
    topLayer = path.join(home, 'images', 'top');
    fs.mkdirSync(path.join(topLayer, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(topLayer, 'srv'), { recursive: true });
    fs.writeFileSync(path.join(topLayer, 'etc', 'passwd'), fs.readFileSync(path.join(busyboxRoot, 'etc', 'passwd'), 'utf8') + 'app:x:1000:1001::/srv:/bin/sh\n');
    fs.writeFileSync(path.join(topLayer, 'etc', 'group'), fs.readFileSync(path.join(busyboxRoot, 'etc', 'group'), 'utf8') + 'app:x:1001:\ndevs:x:2000:app\n');
    fs.writeFileSync(path.join(topLayer, 'srv', 'top.txt'), 'from the top layer\n');
    launch = { kind: 'oci', image: 'example.test/busybox:1', lowerDirs: [topLayer, busyboxRoot], config };
    net = await setupClusterNetwork({ cluster, nodes: 1 });
    sandbox = await createPodSandbox({ cluster, home, pod, node: net.nodes[0], podIP: '10.244.1.30', clusterDNS: ['10.96.0.10'], hostResolvConf: '' });
  });

  after(async () => {
    await removeClusterRuncContainers(cluster).catch(() => undefined);
    if (sandbox) await removePodSandbox(sandbox);
    await teardownClusterNetwork(cluster);
    removeClusterCgroups(cluster);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  /** Starts container c (added to the pod) with the process ociProcess makes of the image config. */
  async function start(c: Container, extra: { tty?: boolean; stdin?: number; env?: Record<string, string>; sharePidWith?: number } = {}): Promise<{ proc: LaunchedProcess; out: string; err: string }> {
    containers.push(c);
    const p = ociProcess(config, c, extra.env ?? {}, launch.lowerDirs, pod);
    const out = path.join(home, 'out', `${c.name}.out`);
    const err = path.join(home, 'out', `${c.name}.err`);
    const proc = await launcher.start({
      podUID, podName: 'oci', namespace: 'team-a', container: c.name, argv: p.argv, env: p.env, workingDir: p.workingDir,
      stdoutPath: out, stderrPath: err, tty: extra.tty, stdin: extra.stdin, image: launch, sharePidWith: extra.sharePidWith,
    });
    return { proc, out, err };
  }

  async function run(c: Container): Promise<{ exit: ExitInfo; stdout: string; stderr: string }> {
    const { proc, out, err } = await start(c);
    const exit = await proc.exited;
    return { exit, stdout: fs.readFileSync(out, 'utf8'), stderr: fs.readFileSync(err, 'utf8') };
  }

  const sh = (name: string, script: string, extra: Partial<Container> = {}): Container => ({ name, command: ['sh', '-c', script], ...extra });

  test('exit codes, and the image\'s env, working directory and user over two stacked layers', async () => {
    assert.equal((await run(sh('exit3', 'exit 3'))).exit.exitCode, 3);
    const r = await run(sh('whoami', 'echo "$FROM_IMAGE $MODE $HOSTNAME"; pwd; id; cat top.txt', { env: [{ name: 'MODE', value: 'pod' }] }));
    // (env given as ociProcess's caller would: the container's resolved environment)
    assert.equal(r.stderr, '');
    assert.equal(r.exit.exitCode, 0);
    assert.equal(r.stdout, 'yes image oci\n/srv\nuid=1000(app) gid=1001(app) groups=1001(app),2000(devs)\nfrom the top layer\n');
  });

  test('isolation: no host files, only its own processes, containerd\'s capabilities, writes in the upper dir only', async () => {
    const r = await run(sh('isolated', 'ls /work 2>&1; cat /etc/shadow 2>&1; ps -o pid,comm; grep CapEff /proc/self/status; echo written > /srv/new.txt; cat /proc/1/cmdline | tr "\\0" " "; echo', { securityContext: { runAsUser: 0 } }));
    assert.equal(r.exit.exitCode, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'ls: /work: No such file or directory');
    assert.equal(lines[1], 'cat: can\'t open \'/etc/shadow\': No such file or directory');
    assert.deepEqual(lines.slice(2, 5).map((l) => l.trim().split(/\s+/)), [['PID', 'COMMAND'], ['1', 'sh'], [lines[4].trim().split(/\s+/)[0], 'ps']]);
    assert.equal(lines[5], `CapEff:\t${DEFAULT_CAPS}`);
    const upper = path.join(sandbox.podDir, 'containers', 'isolated', 'upper');
    assert.equal(fs.readFileSync(path.join(upper, 'srv', 'new.txt'), 'utf8'), 'written\n');
    assert.equal(fs.existsSync(path.join(topLayer, 'srv', 'new.txt')), false);
    assert.equal(fs.existsSync(path.join(busyboxRoot, 'srv', 'new.txt')), false);
  });

  test('the pod\'s network namespace, hostname and /etc files', async () => {
    const r = await run(sh('netcheck', 'hostname; cat /etc/hostname; grep 10.244.1.30 /etc/hosts; ip -o -4 addr show eth0 | grep -o "10.244.1.30/[0-9]*"'));
    assert.equal(r.stdout, 'oci\noci\n10.244.1.30\toci\n10.244.1.30/24\n', r.stderr);
  });

  test('readOnlyRootFilesystem, runAsUser, drop ALL + add, privileged', async () => {
    const ro = await run(sh('readonly', 'touch /srv/x 2>&1; (echo ok > /etc/hosts) 2>&1; exit 0', { securityContext: { readOnlyRootFilesystem: true } }));
    assert.equal(ro.stdout, 'touch: /srv/x: Read-only file system\nsh: can\'t create /etc/hosts: Read-only file system\n');
    const user = await run(sh('runasuser', 'id -u; id -g', { securityContext: { runAsUser: 4321, runAsGroup: 99 } }));
    assert.equal(user.stdout, '4321\n99\n');
    const dropped = await run(sh('dropall', 'grep -E "Cap(Eff|Bnd)" /proc/self/status', { securityContext: { runAsUser: 0, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } }));
    assert.equal(dropped.stdout, 'CapEff:\t0000000000001000\nCapBnd:\t0000000000001000\n');
    const priv = await run(sh('privileged', 'grep CapEff /proc/self/status; grep -cE " /proc/(sys|keys) " /proc/self/mounts', { securityContext: { runAsUser: 0, privileged: true } }));
    // Every capability the runtime itself has (containerd: cap.Current()).
    const own = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    const [capLine, procMounts] = priv.stdout.split('\n');
    assert.equal(capLine, `CapEff:\t${own}`);
    // Neither masked nor read-only: nothing mounted over /proc/keys (masked: /dev/null bound
    // over it) or /proc/sys (read-only: bound over itself).
    assert.equal(procMounts.trim(), '0');
    const masked = await run(sh('masked', 'grep -cE " /proc/(sys|keys) " /proc/self/mounts', { securityContext: { runAsUser: 0 } }));
    assert.equal(masked.stdout.trim(), '2');
  });

  test('a command that does not exist fails the start with containerd\'s message', async () => {
    await assert.rejects(
      start({ name: 'missing', command: ['nope'] }),
      (e: Error) =>
        e instanceof ContainerStartError &&
        e.message === 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
    );
    assert.equal(await new Runc(runcRoot(cluster)).state(runcContainerID(podUID, 'missing')), undefined);
    const noRunc = new RuncLauncher({ sandbox: () => sandbox, pod: () => pod, runcBinary: 'kz-no-such-runc' });
    await assert.rejects(
      noRunc.start({ podUID, podName: 'oci', namespace: 'team-a', container: 'missing', argv: ['true'], env: {}, stdoutPath: path.join(home, 'out', 'x'), stderrPath: path.join(home, 'out', 'x'), image: launch }),
      /^ContainerStartError: kz-no-such-runc is not installed on this machine: npm start installs it \(apt-get install runc\)$/,
    );
  });

  test('exec without and with a terminal, resize, exec probes', async () => {
    const { proc } = await start(sh('server', 'echo ready; exec sleep 1000', { securityContext: { runAsUser: 0 } }));
    const target = { podUID, container: 'server', pid: proc.pid };
    const plain = launcher.exec(target, ['sh', '-c', 'echo "$FROM_IMAGE"; id -u; grep CapEff /proc/self/status; cat /proc/self/cgroup | grep -c kz-'], {});
    let out = '';
    plain.process.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((r) => plain.process.once('close', r));
    assert.equal(code, 0);
    const [env, uid, caps, groups] = out.split('\n');
    assert.deepEqual([env, uid, caps], ['yes', '0', `CapEff:\t${DEFAULT_CAPS}`]);
    assert.ok(Number(groups) > 0, 'the exec\'d process is in the container\'s cgroups');

    const tty = launcher.exec(target, ['sh'], { tty: true, stdin: true });
    let screen = '';
    tty.process.stdout?.on('data', (d: Buffer) => (screen += d.toString()));
    tty.process.stdin?.write('tty; echo "TERM=$TERM"\n');
    await waitFor(() => screen.includes('TERM=xterm'), 15_000, 'tty exec output');
    assert.match(screen, /\/dev\/pts\/\d+/);
    tty.resize?.({ width: 123, height: 45 });
    // The size reaches the container's console (runc forwards SIGWINCH).
    await waitFor(async () => {
      tty.process.stdin?.write('stty size\n');
      await new Promise((r) => setTimeout(r, 100));
      return screen.includes('45 123');
    }, 15_000, 'resized console');
    tty.process.stdin?.end('exit 7\n');
    assert.equal(await new Promise((r) => tty.process.once('close', r)), 7);
    proc.kill?.('SIGKILL');
    assert.equal((await proc.exited).exitCode, 137);
  });

  test('a tty container: runc\'s terminal under script(1), resized', async () => {
    const fifo = path.join(home, 'tty.stdin');
    spawnSync('mkfifo', [fifo]);
    const stdin = fs.openSync(fifo, 'r+');
    const { proc, out } = await start(sh('console', 'tty; while read line; do [ "$line" = end ] && exit 4; stty size; done'), { tty: true, stdin });
    const writer = fs.openSync(fifo, 'w');
    fs.closeSync(stdin);
    const { resizeTty } = await import('./container-tty.js');
    assert.equal(await resizeTty(proc.pid, { width: 90, height: 33 }), true);
    // runc passes the size on to the console (at once, or when its SIGWINCH is handled).
    await waitFor(() => {
      fs.writeSync(writer, 'size\n');
      return fs.readFileSync(out, 'utf8').includes('33 90');
    }, 15_000, 'the console resized');
    fs.writeSync(writer, 'end\n');
    fs.closeSync(writer);
    assert.equal((await proc.exited).exitCode, 4);
    assert.match(fs.readFileSync(out, 'utf8'), /^\/dev\/pts\/0\r\n/);
  });

  test('stop signals through runc kill; SIGKILL is 137', async () => {
    const { proc, out } = await start(sh('trapper', 'trap "exit 42" TERM; echo up; while :; do sleep 0.1; done'));
    // A PID 1 without a handler ignores SIGTERM: wait until the trap is set.
    await waitFor(() => fs.readFileSync(out, 'utf8') === 'up\n', 15_000, 'the trap');
    proc.kill?.('SIGTERM');
    assert.equal((await proc.exited).exitCode, 42);
  });

  test('a container over its memory limit is OOM-killed: 137, OOMKilled', { skip: !cgroupMounts().v1.memory && !cgroupMounts().unified?.controllers.has('memory') ? 'no memory controller' : undefined }, async () => {
    const r = await run(sh('hog', 'tail /dev/zero', { resources: { limits: { memory: '16Mi' } } }));
    assert.equal(r.exit.exitCode, 137);
    assert.equal(r.exit.oomKilled, true);
    const calm = await run(sh('calm', 'exit 0', { resources: { limits: { memory: '16Mi', cpu: '250m' } } }));
    assert.equal(calm.exit.oomKilled, undefined);
  });

  test('a debug container joins another container\'s PID namespace', async () => {
    const { proc } = await start(sh('target', 'exec sleep 1000'));
    // (ps alone: the members of a pipeline would show as sh until they exec)
    const { proc: debug, out } = await start(sh('debugger', 'ps -o comm > /tmp/ps; sort /tmp/ps | tr "\\n" " "'), { sharePidWith: proc.pid });
    assert.equal((await debug.exited).exitCode, 0);
    assert.equal(fs.readFileSync(out, 'utf8'), 'COMMAND ps sh sleep ');
    proc.kill?.('SIGKILL');
    await proc.exited;
  });

  test('a restarted kubelet adopts a running container and reads its exit code', async () => {
    const { proc } = await start(sh('adopted', 'trap "exit 9" TERM; while :; do sleep 0.1; done'));
    // A new launcher, as a restarted node agent has.
    const again = new SandboxLauncher({ sandbox: () => sandbox, pod: () => pod, logger: silentLogger });
    const adopted = again.adopt(podUID, 'adopted', proc.pid);
    assert.ok(adopted);
    assert.equal(again.adopt(podUID, 'adopted', proc.pid + 100000), undefined, 'another PID is not that instance');
    adopted.kill?.('SIGTERM');
    assert.deepEqual(await adopted.exited, { exitCode: 9, signal: null });
    await proc.exited;
  });

  test('the kubelet\'s runtime: StartError, CreateContainerConfigError, exec probes through runc, adoption after a restart with the real exit code', async () => {
    const podDir = sandbox.podDir;
    const images: ImageResolver = {
      resolve: () => ({
        image: launch.image,
        imageID: 'example.test/busybox@sha256:0',
        process: (c, env, p) => ociProcess(config, c, env, launch.lowerDirs, p),
        launch,
      }),
    };
    const runtime = (l: SandboxLauncher) =>
      new PodRuntime(pod, {
        podDir, launcher: l, images, exec: containerExec(l), environment: async () => ({}), event: () => undefined, onChange: () => undefined,
        podIP: () => '10.244.1.30', backoff: new Backoff(100, 200), imageBackoff: new Backoff(100, 200), logger: silentLogger,
      });
    // The pod now has just these two (sync starts every container of the pod).
    containers.splice(
      0,
      containers.length,
      { name: 'kubelet-app', image: 'x', command: ['sh', '-c', 'trap "exit 0" TERM; echo up; while :; do sleep 0.1; done'], securityContext: { runAsUser: 0 } },
      { name: 'kubelet-bad', image: 'x', command: ['/no/such/program'] },
      { name: 'kubelet-nonroot', image: 'x', command: ['true'], securityContext: { runAsNonRoot: true } },
    );
    pod.spec.restartPolicy = 'Never';
    const rt = runtime(launcher);
    await rt.sync(pod);
    const bad = rt.record('kubelet-bad')?.state.terminated;
    assert.equal(bad?.reason, 'StartError');
    assert.equal(bad?.message, 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/no/such/program": stat /no/such/program: no such file or directory: unknown');
    assert.deepEqual(rt.record('kubelet-nonroot')?.state.waiting, {
      reason: 'CreateContainerConfigError',
      message: 'container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root (pod: "oci_team-a(aaaaaaaa-2222-4000-8000-000000000001)", container: kubelet-nonroot)',
    });
    const pid = rt.containerPid('kubelet-app')!;
    const exec = containerExec(launcher);
    assert.deepEqual(await exec({ podUID, container: 'kubelet-app', pid }, ['cat', '/etc/hostname'], 10_000), { exitCode: 0, output: 'oci\n' });
    await assert.rejects(exec({ podUID, container: 'kubelet-app', pid }, ['sleep', '30'], 300), ExecTimeoutError);
    // The timed-out command is gone, not left running in the container.
    await waitFor(async () => !(await exec({ podUID, container: 'kubelet-app', pid }, ['ps', '-o', 'args'], 10_000)).output.includes('sleep 30'), 10_000, 'the probe killed');

    // The node agent restarts: a new runtime and launcher adopt the running container.
    rt.detach();
    const rt2 = runtime(new SandboxLauncher({ sandbox: () => sandbox, pod: () => pod, logger: silentLogger }));
    assert.equal(rt2.restore(), 1);
    await rt2.stopAll(10);
    assert.deepEqual(
      { exitCode: rt2.record('kubelet-app')?.state.terminated?.exitCode, reason: rt2.record('kubelet-app')?.state.terminated?.reason },
      { exitCode: 0, reason: 'Completed' },
    );
  });

  test('nothing is left in the mount table or runc\'s state after the containers end', async () => {
    const { proc } = await start(sh('last', 'sleep 1000'));
    const rootfs = path.join(sandbox.podDir, 'containers', 'last', 'rootfs');
    // The overlay exists only in the container's own mount namespaces.
    assert.deepEqual(readMountPoints().filter((m) => m.startsWith(path.join(sandbox.podDir, 'containers'))), []);
    assert.ok(fs.existsSync(`/proc/${proc.pid}/root/bin/busybox`));
    assert.equal(fs.readdirSync(rootfs).length, 0);
    proc.kill?.('SIGKILL');
    await proc.exited;
    const runc = new Runc(runcRoot(cluster));
    assert.deepEqual(await runc.list(), []);
    const m = cgroupMounts();
    for (const root of m.hierarchies ?? []) assert.equal(fs.existsSync(path.join(root, `kz-${cluster}`, `pod${podUID}`, 'last')), false, root);
    await removePodRuncContainers(cluster, podUID);
    assert.deepEqual(readMountPoints().filter((m) => m.startsWith(path.join(sandbox.podDir, 'containers'))), []);
  });

  test('kanzen down removes what a crash left in runc\'s state, cgroups and runtime directory', async () => {
    // A kept, stopped container no launcher will delete (its agent died): runc run --keep by hand.
    const bundle = path.join(sandbox.podDir, 'containers', 'exit3');
    const configFile = path.join(bundle, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    fs.writeFileSync(configFile, JSON.stringify({ ...cfg, root: { path: busyboxRoot, readonly: true } }));
    const runc = new Runc(runcRoot(cluster));
    const r = spawnSync('runc', ['--root', runc.root, 'run', '--keep', '--bundle', bundle, 'left-behind'], { stdio: 'ignore' });
    assert.equal(r.status, 3);
    assert.deepEqual((await runc.list()).map((c) => [c.id, c.status]), [['left-behind', 'stopped']]);
    assert.deepEqual(await removeClusterRuncContainers(cluster), ['left-behind']);
    assert.equal(fs.existsSync(`/run/kanzen-${cluster}`), false);
    for (const root of cgroupMounts().hierarchies ?? []) assert.equal(fs.existsSync(path.join(root, `kz-${cluster}`, `pod${podUID}`, 'exit3')), false, root);
    // The pod's own groups, in every hierarchy runc used (devices, freezer, name=systemd, …), go with the pod.
    assert.equal(await removePodLimits(cluster, podUID), true);
    for (const root of cgroupMounts().hierarchies ?? []) assert.equal(fs.existsSync(path.join(root, `kz-${cluster}`, `pod${podUID}`)), false, root);
  });
});
