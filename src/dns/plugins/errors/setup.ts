// `errors [{ consolidate DURATION REGEXP [LEVEL] }]`: log what the rest of the chain throws
// and answer SERVFAIL (CoreDNS plugin/errors). consolidate is accepted and ignored.
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';
import { ErrorsHandler } from './handler.js';

export function parse(env: SetupEnv): void {
  const d = env.directive;
  if (d.args.length > 0) throw setupError('errors', d.line, `Wrong argument count or unexpected line ending after '${d.args[0]}'`);
  for (const p of d.block) if (p.name !== 'consolidate' && p.name !== 'stacktrace') throw setupError('errors', p.line, `unknown property '${p.name}'`);
}

export function setup(env: SetupEnv): PluginInstance {
  parse(env);
  return { plugin: (next) => new ErrorsHandler(next, env.logger.child('errors')) };
}
