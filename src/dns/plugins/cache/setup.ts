// `cache [TTL] [ZONES…] { success CAPACITY [TTL] [MINTTL]; denial CAPACITY [TTL] [MINTTL]; … }`
// (CoreDNS plugin/cache/setup.go). prefetch, serve_stale, servfail and keepttl are
// accepted and ignored.
import { normalizeZone } from '../../corefile.js';
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';
import { cacheMetrics } from '../prometheus/metrics.js';
import { AnswerCache, type CacheBounds, type CacheConfig } from './cache.js';
import { CacheHandler } from './handler.js';

// CoreDNS defaults: maxTTL 3600 (success) / 1800 (denial), minTTL 5, capacity 9984 each.
const defaultCapacity = 9984;

function num(s: string, line: number, what: string): number {
  if (!/^\d+$/.test(s)) throw setupError('cache', line, `strconv.Atoi: parsing "${s}": invalid syntax`);
  const n = Number(s);
  if (what === 'capacity' && n <= 0) throw setupError('cache', line, `cache capacity must be positive: ${n}`);
  return n;
}

export function parse(env: SetupEnv): CacheConfig {
  const d = env.directive;
  const success: CacheBounds = { capacity: defaultCapacity, maxTtl: 3600, minTtl: 5 };
  const denial: CacheBounds = { capacity: defaultCapacity, maxTtl: 1800, minTtl: 5 };
  let zones = env.zones;
  const args = [...d.args];
  if (args.length && /^\d+$/.test(args[0])) {
    const ttl = num(args.shift()!, d.line, 'ttl');
    if (ttl <= 0) throw setupError('cache', d.line, `cache TTL can not be zero or negative: ${ttl}`);
    success.maxTtl = ttl;
    denial.maxTtl = ttl;
  }
  if (args.length) zones = args.map(normalizeZone);
  for (const p of d.block) {
    switch (p.name) {
      case 'success':
      case 'denial': {
        const b = p.name === 'success' ? success : denial;
        if (!p.args.length || p.args.length > 3) throw setupError('cache', p.line, `Wrong argument count or unexpected line ending after '${p.name}'`);
        b.capacity = num(p.args[0], p.line, 'capacity');
        if (p.args[1] !== undefined) b.maxTtl = num(p.args[1], p.line, 'ttl');
        if (p.args[2] !== undefined) b.minTtl = num(p.args[2], p.line, 'ttl');
        break;
      }
      case 'prefetch':
      case 'serve_stale':
      case 'servfail':
      case 'disable':
      case 'keepttl':
        break;
      default:
        throw setupError('cache', p.line, `unknown property '${p.name}'`);
    }
  }
  return { zones, success, denial };
}

export function setup(env: SetupEnv): PluginInstance {
  const cfg = parse(env);
  const cache = new AnswerCache(cfg);
  const m = cacheMetrics(env.metrics);
  return { plugin: (next) => new CacheHandler(next, cache, cfg, m, env.now) };
}
