// A throwaway three-namespace network for data-plane tests and benchmarks, made by the
// test and removed by it: a client, a "node" that routes between the client and the pods
// (where the proxy's rules go), and a pods namespace holding the endpoint addresses.
//
//   <name>-client  eth0 10.0.0.2/24 ─── c0 10.0.0.1/24  <name>-node  p0 10.244.1.1/24 ─── eth0 10.244.1.x/24  <name>-pods
//
// Every link is created inside these namespaces, so the host's namespace never gets an
// address or route; private addresses exist only here.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NetnsLab {
  client: string;
  node: string;
  pods: string;
  /** The node's address on the client side and on the pods side. */
  nodeClientIP: string;
  nodePodIP: string;
  clientIP: string;
  /** Runs a Node.js script in a namespace and returns its stdout. */
  script(netns: string, source: string, args?: string[]): Promise<string>;
  /** Starts a long-running Node.js script; resolves once it printed "ready". */
  daemon(netns: string, source: string, args?: string[]): Promise<ChildProcess>;
  remove(): Promise<void>;
}

async function ip(args: string[], input?: string): Promise<void> {
  if (input === undefined) {
    await run('ip', args);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', args, (err, _o, stderr) => (err ? reject(new Error(`ip ${args.join(' ')}: ${stderr}`)) : resolve()));
    child.stdin?.end(input);
  });
}

async function deleteNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name]).catch(() => undefined);
}

/** Runs a Node.js script (an ES module's source) in a network namespace and returns its stdout. */
export async function netnsScript(netns: string, source: string, args: readonly string[] = []): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', source, '--', ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

/** Starts a long-running Node.js script in a network namespace; resolves once it printed "ready". The child is added to `children` for the caller to kill. */
export function netnsDaemon(netns: string, source: string, args: readonly string[], children: Set<ChildProcess>): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', source, '--', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`daemon exited with ${code} before it was ready`)));
  });
}

/** Creates the lab; `podIPs` are added to the pods namespace's interface. */
export async function createNetnsLab(name: string, podIPs: readonly string[]): Promise<NetnsLab> {
  const client = `${name}-client`;
  const node = `${name}-node`;
  const pods = `${name}-pods`;
  const children = new Set<ChildProcess>();
  for (const ns of [client, node, pods]) await deleteNetns(ns);
  const lab: NetnsLab = {
    client,
    node,
    pods,
    nodeClientIP: '10.0.0.1',
    nodePodIP: '10.244.1.1',
    clientIP: '10.0.0.2',
    script: netnsScript,
    daemon(netns, source, args = []) {
      return netnsDaemon(netns, source, args, children);
    },
    async remove() {
      for (const c of children) c.kill('SIGKILL');
      for (const ns of [client, node, pods]) await deleteNetns(ns);
    },
  };
  try {
    for (const ns of [client, node, pods]) await ip(['netns', 'add', ns]);
    await ip(['-n', node, '-batch', '-'], [
      'link set lo up',
      `link add c0 type veth peer name eth0 netns ${client}`,
      `link add p0 type veth peer name eth0 netns ${pods}`,
      'addr add 10.0.0.1/24 dev c0',
      'addr add 10.244.1.1/24 dev p0',
      'link set c0 up',
      'link set p0 up',
      '',
    ].join('\n'));
    await ip(['-n', client, '-batch', '-'], ['link set lo up', 'addr add 10.0.0.2/24 dev eth0', 'link set eth0 up', 'route add default via 10.0.0.1', ''].join('\n'));
    await ip(['-n', pods, '-batch', '-'], ['link set lo up', ...podIPs.map((a) => `addr add ${a}/24 dev eth0`), 'link set eth0 up', 'route add default via 10.244.1.1', ''].join('\n'));
    await run('ip', ['netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  } catch (err) {
    await lab.remove();
    throw err;
  }
  return lab;
}
