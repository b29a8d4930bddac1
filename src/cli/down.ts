// `kanzen down`: stop a cluster's daemon (by its recorded PID) and everything it started;
// `--purge` also deletes the cluster's stored state.
import fs from 'node:fs';
import { readConfig, resolveHome, runningPid, validateClusterName } from './cluster-home.js';
import { removeFromUserKubeconfig } from './kubeconfig.js';
import { CliError } from './output.js';

export interface DownOptions {
  name: string;
  home?: string;
  purge: boolean;
  timeoutSeconds?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

export async function down(opts: DownOptions): Promise<void> {
  const bad = validateClusterName(opts.name);
  if (bad) throw new CliError(bad);
  const home = resolveHome(opts.name, opts.home);
  const pid = runningPid(home);
  if (pid) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitExit(pid, (opts.timeoutSeconds ?? 20) * 1000))) {
      process.kill(pid, 'SIGKILL');
      await waitExit(pid, 5000);
    }
    console.log(`Stopped cluster "${opts.name}".`);
  } else if (fs.existsSync(home.dir)) {
    console.log(`Cluster "${opts.name}" is not running.`);
  } else {
    console.log(`No cluster "${opts.name}" at ${home.dir}.`);
  }
  fs.rmSync(home.pidFile, { force: true });
  fs.rmSync(home.socket, { force: true });
  if (opts.purge) {
    const cfg = readConfig(home);
    fs.rmSync(home.dir, { recursive: true, force: true });
    if (removeFromUserKubeconfig(cfg?.name ?? opts.name)) console.log(`Removed context "${opts.name}" from your kubeconfig.`);
    console.log(`Deleted the state of cluster "${opts.name}".`);
  }
}
