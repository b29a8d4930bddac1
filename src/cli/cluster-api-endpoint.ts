// The API server inside the cluster network: the `kubernetes` Service (10.96.0.1:443)
// points at the router's address on the cluster bridge (172.18.0.1:<API port>), which
// exists only in the router namespace. The daemon has a helper bind that address there
// and pass the socket back (netns-socket-main.ts); the API server then serves HTTPS on it
// itself, so pods reach the API through their node's proxy with no forwarder in between.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node', 'netns-socket-main.js');

/** A listening-to-be socket bound to address:port inside netns, as a libuv handle. */
export function bindInNetns(netns: string, address: string, port: number, timeoutMs = 10_000): Promise<object> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, process.execPath, helper, '--address', address, '--port', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`binding ${address}:${port} in ${netns}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('message', (_m, handle) => {
      clearTimeout(timer);
      if (!handle) return reject(new Error(`binding ${address}:${port} in ${netns}: no socket came back`));
      child.send('done');
      resolve(handle);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`binding ${address}:${port} in ${netns}: ${stderr.trim() || `exit ${code}`}`));
    });
  });
}
