// Sockets made inside another network namespace. A socket belongs to the namespace it was
// created in, wherever its descriptor goes afterwards; Node cannot enter a namespace, so a
// short-lived helper (netns-socket-main.ts, run with `nsenter --net`) makes the socket there
// and passes it back over its IPC channel:
//   bind     the daemon serves the API on the router's address, the `kubernetes` Service's
//            endpoint, which exists only in the router namespace (daemon.ts);
//   connect  `kubectl port-forward` reaches a port the pod binds on its own 127.0.0.1, as
//            the kubelet does by entering the pod's namespace (kubelet-streaming.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'netns-socket-main.js');

export interface NetnsSocketRequest {
  mode: 'bind' | 'connect';
  address: string;
  port: number;
}

/** The socket the helper made in netnsPath: a libuv TCP handle (bind) or a net.Socket (connect). */
export function socketInNetns(netnsPath: string, req: NetnsSocketRequest, timeoutMs = 10_000): Promise<unknown> {
  const what = `${req.mode} ${req.address}:${req.port} in ${path.basename(netnsPath)}`;
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netnsPath}`, process.execPath, helper, '--mode', req.mode, '--address', req.address, '--port', String(req.port)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('message', (_m, handle) => {
      clearTimeout(timer);
      if (!handle) return reject(new Error(`${what}: no socket came back`));
      child.send('done');
      resolve(handle);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(stderr.trim() || `${what}: exit ${code}`));
    });
  });
}
