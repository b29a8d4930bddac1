// Entry point of a node agent process: `node dist/node/node-agent-main.js --home DIR --index N --proxy-mode MODE`,
// started (and restarted when it dies) by the cluster supervisor inside the node's network
// namespace (`nsenter --net`); it outlives daemon restarts, reconnecting to the API.
import { readConfig, resolveHome } from '../cli/cluster-home.js';
import { createLogger } from '../util/logger.js';
import { startNodeAgent } from './node-agent.js';
import { isProxyMode } from '../proxy/proxy-mode.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const homeDir = arg('home');
  const index = Number(arg('index'));
  const name = arg('name');
  if (!homeDir || !name || !Number.isInteger(index) || index < 1) throw new Error('usage: node-agent-main --name NAME --home DIR --index N');
  const home = resolveHome(name, homeDir);
  const cfg = readConfig(home);
  if (!cfg) throw new Error(`no cluster configuration in ${home.dir}`);
  const log = createLogger(`node-${index}`);
  // The supervisor passes the mode its kernel check chose; without one, the proxy that needs nothing of the kernel.
  const mode = arg('proxy-mode');
  const agent = await startNodeAgent({ home, cfg, index, logger: log, proxyMode: isProxyMode(mode) ? mode : 'userspace' });
  log.info('node agent ready');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`node agent failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
