import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../api/types.js';
import { isProcessAlive, listClusterResources, readMountPoints, setupClusterNetwork, teardownClusterNetwork, type ClusterNetwork } from './cluster-network.js';
import { createPodSandbox, removePodSandbox, type PodSandbox } from './pod-sandbox.js';
import {
  ContainerStartError,
  execArgs,
  execInSandbox,
  planContainer,
  setupScript,
  shellQuote,
  startContainer,
  wrapperArgs,
  wrapperExit,
  type ContainerProcess,
  type StartContainerOptions,
} from './sandbox-exec.js';

// ---------------------------------------------------------------------------------------
// Pure

test('shellQuote survives spaces, quotes and $', () => {
  for (const s of ['plain', 'with space', "it's", '$HOME `x` "y"', 'a\nb', '']) {
    const r = spawnSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(s)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, s);
  }
});

test('the setup script quotes every path and passes argv/env as literals', () => {
  const podDir = '/tmp/kz home/pods/u1';
  const plan = planContainer({
    sandbox: { podDir, netnsPath: '/run/netns/x', hostname: 'pod-a', resolvConfPath: `${podDir}/etc/resolv.conf`, hostsPath: `${podDir}/etc/hosts`, hostnamePath: `${podDir}/etc/hostname` },
    name: 'web',
    argv: ['node', 'server.js', "it's here"],
    env: [['GREETING', 'hello world']],
    workingDir: '/srv/app/',
    imagePaths: [{ path: '/usr/share/nginx/html' }],
  });
  assert.deepEqual(plan.env, [['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ['HOSTNAME', 'pod-a'], ['GREETING', 'hello world']]);
  assert.equal(plan.workingDir, '/srv/app');
  const script = setupScript(plan);
  assert.match(script, /^R='\/tmp\/kz home\/pods\/u1\/containers\/web\/rootfs'$/m);
  assert.match(script, /mount --rbind '\/tmp\/kz home\/pods\/u1\/etc\/resolv\.conf' "\$R"'\/etc\/resolv\.conf'/);
  assert.match(script, /'GREETING=hello world' 'node' 'server\.js' 'it'\\''s here'$/m);
  // The script is valid POSIX sh.
  assert.equal(spawnSync('/bin/sh', ['-n', '-c', script]).status, 0);
  assert.throws(() => planContainer({ ...minimalStart(), imagePaths: [{ path: 'relative' }] }), /must be absolute/);
  assert.throws(() => planContainer({ ...minimalStart(), argv: [] }), /no command/);
});

function minimalStart(): StartContainerOptions {
  return { sandbox: { podDir: '/p', netnsPath: '/run/netns/x', hostname: 'h', resolvConfPath: '/p/r', hostsPath: '/p/h', hostnamePath: '/p/n' }, name: 'c', argv: ['true'] };
}

test('wrapperExit: exit codes, and SIGKILL of the container as 137', () => {
  assert.deepEqual(wrapperExit(0, null, ''), { exitCode: 0, signal: null });
  assert.deepEqual(wrapperExit(3, null, ''), { exitCode: 3, signal: null });
  assert.deepEqual(wrapperExit(1, null, 'unshare: sigprocmask unblock failed: Invalid argument\n'), { exitCode: 137, signal: 'SIGKILL' });
  assert.deepEqual(wrapperExit(null, 'SIGTERM', ''), { exitCode: 143, signal: 'SIGTERM' });
});

test('wrapperArgs: a shared PID namespace is entered inside the container\'s mount namespace; hostIPC keeps the IPC one', () => {
  const sandbox = minimalStart().sandbox;
  assert.deepEqual(wrapperArgs({ sandbox }, 'S'), ['--net=/run/netns/x', '--', 'unshare', '--mount', '--uts', '--ipc', '--pid', '--fork', '--kill-child', '--propagation', 'slave', '--', '/bin/sh', '-c', 'S', 'kz-sandbox']);
  assert.deepEqual(wrapperArgs({ sandbox, sharePidWith: 42, hostIPC: true }, 'S'), [
    '--net=/run/netns/x', '--', 'unshare', '--mount', '--uts', '--fork', '--kill-child', '--propagation', 'slave', '--', 'nsenter', '--pid=/proc/42/ns/pid', '--', '/bin/sh', '-c', 'S', 'kz-sandbox',
  ]);
  assert.throws(() => wrapperArgs({ sandbox, sharePidWith: 0 }, 'S'), /invalid pid/);
});

test('execArgs joins every namespace plus the container root and cwd', () => {
  assert.deepEqual(execArgs(42, ['ls', '-l'], { env: [['A', '1']] }), [
    '--target', '42', '--mount', '--uts', '--ipc', '--net', '--pid', '--root', '--wd', '--', 'env', '-i', '--', 'A=1', 'ls', '-l',
  ]);
  assert.deepEqual(execArgs(42, ['sh'], { tty: true }).slice(10), ['script', '-q', '-e', '-c', "'env' '-i' '--' 'TERM=xterm' 'sh'", '/dev/null']);
});

// ---------------------------------------------------------------------------------------
// Root-only: a real 2-node cluster network, two pods, traffic between them

function missingPrerequisite(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, mounts)';
  for (const tool of ['ip', 'nsenter', 'unshare', 'chroot']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

const skip = missingPrerequisite();

function testPod(uid: string, name: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { uid, name, namespace: 'team-a' }, spec: { containers: [] } };
}

async function collect(c: ContainerProcess): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  c.stdout?.setEncoding('utf8');
  c.stderr?.setEncoding('utf8');
  c.stdout?.on('data', (d: string) => (stdout += d));
  c.stderr?.on('data', (d: string) => (stderr += d));
  const e = await c.exited;
  return { exitCode: e.exitCode, stdout, stderr };
}

describe('netns runtime (root)', { skip, timeout: 120_000 }, () => {
  const cluster = `kzt${process.pid.toString(36)}`;
  let home = '';
  let net: ClusterNetwork;
  let podA: PodSandbox;
  let podB: PodSandbox;
  let server: ContainerProcess | undefined;
  const recordedPids: number[] = [];
  const helpers: ChildProcess[] = [];

  const run = async (sandbox: PodSandbox, name: string, argv: string[], extra: Partial<StartContainerOptions> = {}) => {
    const c = await startContainer({ sandbox, name, argv, stdout: 'pipe', stderr: 'pipe', ...extra });
    recordedPids.push(c.pid, c.process.pid ?? 0);
    return collect(c);
  };

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz netns home-'));
    net = await setupClusterNetwork({ cluster, nodes: 2 });
  });

  after(async () => {
    for (const h of helpers) h.kill('SIGKILL');
    await teardownClusterNetwork(cluster);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('setup is idempotent: leftovers of a crashed run are removed first', async () => {
    const stale = await createPodSandbox({ cluster, home, pod: testPod('cccccccc-0003', 'stale'), node: net.nodes[0], podIP: '10.244.1.99', clusterDNS: ['10.96.0.10'], hostResolvConf: '' });
    const orphan = spawn('ip', ['netns', 'exec', stale.netns, 'sleep', '1000'], { stdio: 'ignore', detached: true });
    helpers.push(orphan);
    recordedPids.push(orphan.pid ?? 0);
    await new Promise((r) => setTimeout(r, 100));
    net = await setupClusterNetwork({ cluster, nodes: 2 });
    const now = await listClusterResources(cluster);
    assert.deepEqual(now.netns, [`kz-${cluster}-net`, `kz-${cluster}-node-1`, `kz-${cluster}-node-2`]);
    assert.deepEqual(now.hostLinks, []);
    assert.deepEqual(now.pids, []);
    assert.equal(isProcessAlive(orphan.pid ?? 0), false);
    await removePodSandbox(stale);

    podA = await createPodSandbox({ cluster, home, pod: testPod('aaaaaaaa-0001', 'pod-a'), node: net.nodes[0], podIP: '10.244.1.10', clusterDNS: ['10.96.0.10'], hostResolvConf: '' });
    podB = await createPodSandbox({ cluster, home, pod: testPod('bbbbbbbb-0002', 'pod-b'), node: net.nodes[1], podIP: '10.244.2.20', clusterDNS: ['10.96.0.10'], hostResolvConf: '' });
    assert.deepEqual((await listClusterResources(cluster)).netns, [`kz-${cluster}-net`, `kz-${cluster}-node-1`, `kz-${cluster}-node-2`, podA.netns, podB.netns].sort());
  });

  test('a server in pod A is reachable from pod B on another node', async () => {
    const script = `require('http').createServer((q, s) => s.end('hello from ' + require('os').hostname())).listen(8080, '10.244.1.10', () => console.log('listening'))`;
    server = await startContainer({ sandbox: podA, name: 'web', argv: [process.execPath, '-e', script], stdout: 'pipe', stderr: 'pipe' });
    recordedPids.push(server.pid, server.process.pid ?? 0);
    server.stdout?.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server!.stdout!.on('data', (d: string) => {
        out += d;
        if (out.includes('listening')) resolve();
      });
      void server!.exited.then((e) => reject(new Error(`server exited ${e.exitCode}`)));
    });
    // The container's init is PID 1 of its own PID namespace.
    const nspid = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1].split(/\s+/);
    assert.equal(nspid?.at(-1), '1');

    const client = `require('http').get('http://10.244.1.10:8080/', (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(b)); })`;
    const r = await run(podB, 'client', [process.execPath, '-e', client]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'hello from pod-a\n');
    assert.equal(r.exitCode, 0);
  });

  test('pods reach the router address and ClusterIPs served by their node', async () => {
    const listen = (netns: string, ip: string, port: number, body: string) => {
      const p = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', `require('http').createServer((q, s) => s.end(${JSON.stringify(body)})).listen(${port}, '${ip}', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
      helpers.push(p);
      recordedPids.push(p.pid ?? 0);
      return new Promise<void>((resolve) => p.stdout!.once('data', () => resolve()));
    };
    await listen(net.routerNetns, '172.18.0.1', 6443, 'api');
    // Any address of the service CIDR is local in the node namespace.
    await listen(net.nodes[1].netns, '10.96.77.7', 80, 'service');
    const get = (url: string) => `require('http').get('${url}', (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => process.stdout.write(b)); })`;
    assert.equal((await run(podA, 'api-client', [process.execPath, '-e', get('http://172.18.0.1:6443/')])).stdout, 'api');
    assert.equal((await run(podB, 'svc-client', [process.execPath, '-e', get('http://10.96.77.7/')])).stdout, 'service');
  });

  test('resolv.conf, hosts and hostname as seen inside the sandbox', async () => {
    const r = await run(podB, 'cat', ['sh', '-c', 'cat /etc/resolv.conf; hostname; cat /etc/hostname; grep pod-b /etc/hosts; echo "$HOSTNAME"']);
    assert.equal(
      r.stdout,
      'search team-a.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\npod-b\npod-b\n10.244.2.20\tpod-b\npod-b\n',
    );
    assert.equal(r.exitCode, 0);
  });

  test('writes to an image path stay in the pod directory', async () => {
    const seed = path.join(home, 'seed html');
    fs.mkdirSync(seed, { recursive: true });
    fs.writeFileSync(path.join(seed, 'index.html'), '<h1>Welcome to nginx!</h1>\n');
    const hostBefore = fs.existsSync('/usr/share/nginx/html/index.html') ? fs.readFileSync('/usr/share/nginx/html/index.html', 'utf8') : undefined;
    const r = await run(podB, 'nginx', ['sh', '-c', 'cat /usr/share/nginx/html/index.html && echo changed > /usr/share/nginx/html/index.html && cat /usr/share/nginx/html/index.html && echo x > /new-top-level-file && cat /new-top-level-file'], {
      imagePaths: [{ path: '/usr/share/nginx/html', seedDir: seed }],
    });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '<h1>Welcome to nginx!</h1>\nchanged\nx\n');
    const hostAfter = fs.existsSync('/usr/share/nginx/html/index.html') ? fs.readFileSync('/usr/share/nginx/html/index.html', 'utf8') : undefined;
    assert.equal(hostAfter, hostBefore);
    assert.equal(fs.existsSync('/new-top-level-file'), false);
    assert.equal(fs.readFileSync(path.join(seed, 'index.html'), 'utf8'), '<h1>Welcome to nginx!</h1>\n');
    assert.equal(fs.readFileSync(path.join(podB.podDir, 'containers/nginx/image-paths/0/upper/index.html'), 'utf8'), 'changed\n');
  });

  test('volumes are mounted at their mountPath, read-only when asked', async () => {
    const vol = path.join(podB.podDir, 'volumes', 'data dir');
    fs.mkdirSync(vol, { recursive: true });
    fs.writeFileSync(path.join(vol, 'f'), 'from volume\n');
    const r = await run(podB, 'vol', ['sh', '-c', 'cat /data/f; echo w > /data/g && echo rw; echo w > /ro/g 2>/dev/null || echo ro'], {
      mounts: [
        { hostPath: vol, containerPath: '/data' },
        { hostPath: vol, containerPath: '/ro', readOnly: true },
      ],
      workingDir: '/data',
    });
    assert.equal(r.stdout, 'from volume\nrw\nro\n');
    assert.equal(fs.readFileSync(path.join(vol, 'g'), 'utf8'), 'w\n');
  });

  test('a hostNetwork pod runs in its node\'s namespace with the node\'s hosts file', async () => {
    const pod = testPod('dddddddd-0004', 'host-pod');
    pod.spec.hostNetwork = true;
    const sb = await createPodSandbox({ cluster, home, pod, node: net.nodes[0], nodeIP: net.nodes[0].nodeIP, clusterDNS: ['10.96.0.10'], hostResolvConf: 'nameserver 192.0.2.1\n', nodeHosts: '127.0.0.1\tlocalhost\n' });
    assert.equal(sb.netns, net.nodes[0].netns);
    const r = await run(sb, 'c', ['sh', '-c', 'cat /etc/hosts; cat /etc/resolv.conf; hostname; ip -o -4 addr show dev eth0 | grep -c 172.18.0.2']);
    assert.equal(r.stdout, '# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\nnameserver 192.0.2.1\nnode-1\n1\n');
    await removePodSandbox(sb);
    assert.ok(fs.existsSync(`/run/netns/${net.nodes[0].netns}`), 'the node namespace survives a hostNetwork pod');
  });

  test('a container sharing another\'s PID namespace sees its processes; what it leaves running dies with it', async () => {
    const target = await startContainer({ sandbox: podB, name: 'target', argv: ['sleep', '300'], stdout: 'pipe', stderr: 'pipe' });
    recordedPids.push(target.pid, target.process.pid ?? 0);
    try {
      // ps in the debugger: the target's sleep is PID 1 there, the debugger is not.
      const r = await run(podB, 'debugger', ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo $$; sleep 300 &'], {
        sharePidWith: target.pid,
      });
      const [init, self] = r.stdout.split('\n');
      assert.equal(init, 'sleep 300 ', r.stdout + r.stderr);
      assert.notEqual(self, '1');
      // The background sleep it left is gone with it (it was in its mount namespace).
      const leftovers = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && fs.existsSync(`/proc/${p}/cmdline`) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u0000300\u0000');
      assert.deepEqual(leftovers, [String(target.pid)]);
      assert.equal(isProcessAlive(target.pid), true, 'the target keeps running');
    } finally {
      process.kill(target.pid, 'SIGKILL');
      await target.exited;
    }
  });

  test('a container sharing a PID namespace is ended by SIGTERM (it is not that namespace\'s init)', async () => {
    const target = await startContainer({ sandbox: podB, name: 'target', argv: ['sleep', '300'], stdout: 'pipe', stderr: 'pipe' });
    recordedPids.push(target.pid, target.process.pid ?? 0);
    const debuggerProc = await startContainer({ sandbox: podB, name: 'debugger', argv: ['sleep', '301'], sharePidWith: target.pid, stdout: 'pipe', stderr: 'pipe' });
    recordedPids.push(debuggerProc.pid, debuggerProc.process.pid ?? 0);
    process.kill(debuggerProc.pid, 'SIGTERM');
    assert.deepEqual(await debuggerProc.exited, { exitCode: 143, signal: 'SIGTERM' });
    process.kill(target.pid, 'SIGKILL');
    await target.exited;
  });

  test('a copy-on-write mount of the node\'s root shows its files and keeps writes in the pod directory', async () => {
    const r = await run(podB, 'rooted', ['sh', '-c', 'cat /host/etc/hostname; echo x > /host/kz-written-by-debug && cat /host/kz-written-by-debug'], {
      mounts: [{ hostPath: '/', containerPath: '/host', copyOnWrite: true }],
    });
    assert.equal(r.stdout, `${fs.readFileSync('/etc/hostname', 'utf8')}x\n`, r.stderr);
    assert.equal(fs.existsSync('/kz-written-by-debug'), false);
    assert.equal(fs.readFileSync(path.join(podB.podDir, 'containers/rooted/host-paths/0/upper/kz-written-by-debug'), 'utf8'), 'x\n');
  });

  test('a missing command fails the start with runc\'s message', async () => {
    await assert.rejects(
      startContainer({ sandbox: podB, name: 'bad', argv: ['no-such-command-kz'] }),
      (err: unknown) => err instanceof ContainerStartError && err.message === 'exec: "no-such-command-kz": executable file not found in $PATH' && err.exitCode === 127,
    );
  });

  test('exec joins the running container; SIGKILL ends it with 137', async () => {
    assert.ok(server, 'server container started');
    const child = execInSandbox(server.pid, ['sh', '-c', 'hostname; cat /etc/hostname; echo "$X"'], { env: [['X', 'y z']] });
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => (out += d));
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(out, 'pod-a\npod-a\ny z\n');
    assert.equal(code, 0);
    process.kill(server.pid, 'SIGKILL');
    assert.deepEqual(await server.exited, { exitCode: 137, signal: 'SIGKILL' });
  });

  test('teardown leaves no namespace, link, mount or process of the cluster', async () => {
    await removePodSandbox(podA);
    assert.equal(fs.existsSync(podA.podDir), false);
    await teardownClusterNetwork(cluster);
    const left = await listClusterResources(cluster, home);
    assert.deepEqual(left, { netns: [], hostLinks: [], links: [], mounts: [], pids: [] });
    const ipNetns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.ok(!ipNetns.includes(`kz-${cluster}-`), ipNetns);
    const hostLinks = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout;
    assert.ok(!/10\.244\.|172\.18\./.test(spawnSync('ip', ['-o', 'addr'], { encoding: 'utf8' }).stdout), 'no private address in the host namespace');
    assert.ok(!hostLinks.includes('kzbr0'));
    assert.deepEqual(readMountPoints().filter((m) => m.includes(cluster) || m.startsWith(home)), []);
    const alive = recordedPids.filter((p) => p > 0 && isProcessAlive(p));
    assert.deepEqual(alive, []);
  });
});
