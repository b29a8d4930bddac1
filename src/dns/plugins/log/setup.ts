// `log` (CoreDNS plugin/log, common format only): one line per query.
import type { PluginInstance, SetupEnv } from '../../setup-env.js';
import { LogHandler } from './handler.js';

export function setup(env: SetupEnv): PluginInstance {
  const log = env.logger.child('log');
  return { plugin: (next) => new LogHandler(next, (line) => log.info(line)) };
}
