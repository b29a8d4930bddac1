// `reload [INTERVAL] [JITTER]` (CoreDNS plugin/reload): the program re-reads the Corefile
// every INTERVAL (± JITTER) and applies it when its hash changed. Upstream's minimums are
// 2 s and 1 s; the program may lower them (tests).
import { parseDuration } from '../../corefile.js';
import { setupError, type SetupEnv } from '../../setup-env.js';

export interface ReloadConfig {
  intervalMs: number;
  jitterMs: number;
}

export function parse(env: SetupEnv, minIntervalMs = 2000): ReloadConfig {
  const d = env.directive;
  if (d.args.length > 2) throw setupError('reload', d.line, 'Wrong argument count or unexpected line ending');
  const cfg: ReloadConfig = { intervalMs: 30_000, jitterMs: 15_000 };
  if (d.args[0] !== undefined) {
    const ms = parseDuration(d.args[0]);
    if (ms === null || ms < minIntervalMs) throw setupError('reload', d.line, `interval value must be greater or equal to ${minIntervalMs / 1000}s`);
    cfg.intervalMs = ms;
  }
  if (d.args[1] !== undefined) {
    const ms = parseDuration(d.args[1]);
    if (ms === null || ms < Math.min(1000, minIntervalMs / 2)) throw setupError('reload', d.line, `jitter value must be greater or equal to 1s`);
    if (ms > cfg.intervalMs / 2) throw setupError('reload', d.line, 'jitter value must be smaller than interval/2');
    cfg.jitterMs = ms;
  } else cfg.jitterMs = Math.min(cfg.jitterMs, cfg.intervalMs / 2);
  return cfg;
}
