// `loadbalance [round_robin]` (CoreDNS plugin/loadbalance): shuffle address records.
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';
import { LoadBalanceHandler } from './handler.js';

export function parse(env: SetupEnv): void {
  const d = env.directive;
  if (d.args.length > 1 || (d.args.length === 1 && d.args[0] !== 'round_robin')) throw setupError('loadbalance', d.line, `unknown policy: ${d.args[0]}`);
}

export function setup(env: SetupEnv): PluginInstance {
  parse(env);
  return { plugin: (next) => new LoadBalanceHandler(next) };
}
