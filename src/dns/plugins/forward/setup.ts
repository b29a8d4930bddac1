// `forward FROM TO… { except …; policy random|round_robin|sequential; force_tcp; … }`
// (CoreDNS plugin/forward/setup.go). TO is IP[:PORT], dns://IP[:PORT] or a resolv.conf
// path whose nameservers are used. health_check, max_fails, expire, max_concurrent,
// prefer_udp and tls_servername are accepted and ignored.
import fs from 'node:fs';
import net from 'node:net';
import { normalizeZone } from '../../corefile.js';
import { setupError, type PluginInstance, type SetupEnv } from '../../setup-env.js';
import type { Upstream } from './exchange.js';
import { ForwardHandler, type ForwardConfig, type Policy } from './handler.js';

const ignored = new Set(['health_check', 'max_fails', 'expire', 'max_concurrent', 'prefer_udp', 'tls', 'tls_servername', 'next', 'failfast_all_unhealthy_upstreams', 'failover']);

export function parseUpstream(s: string, line: number): Upstream {
  let t = s.replace(/^dns:\/\//, '');
  let port = 53;
  if (t.startsWith('[')) {
    const m = t.match(/^\[([^\]]+)\](?::(\d+))?$/);
    if (!m) throw setupError('forward', line, `not an IP address or file: "${s}"`);
    t = m[1];
    if (m[2]) port = Number(m[2]);
  } else if (!net.isIPv6(t) && t.includes(':')) {
    const i = t.lastIndexOf(':');
    port = Number(t.slice(i + 1));
    t = t.slice(0, i);
  }
  if (!net.isIP(t) || !(port > 0 && port < 65536)) throw setupError('forward', line, `not an IP address or file: "${s}"`);
  return { host: t, port };
}

/** nameserver lines of a resolv.conf (missing file → none). */
export function resolvConfServers(path: string): Upstream[] {
  let text = '';
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = line.trim().match(/^nameserver\s+(\S+)/);
    if (m && net.isIP(m[1].split('%')[0])) out.push({ host: m[1].split('%')[0], port: 53 });
  }
  return out;
}

export function parse(env: SetupEnv, timeouts = { timeoutMs: 2000, budgetMs: 5000 }): ForwardConfig {
  const d = env.directive;
  if (d.args.length < 2) throw setupError('forward', d.line, 'Wrong argument count or unexpected line ending after \'forward\'');
  const upstreams: Upstream[] = [];
  for (const a of d.args.slice(1)) {
    if (a.includes('/') && !a.startsWith('dns://')) upstreams.push(...resolvConfServers(a));
    else upstreams.push(parseUpstream(a, d.line));
  }
  const cfg: ForwardConfig = { from: normalizeZone(d.args[0]), except: [], upstreams, policy: 'random', forceTcp: false, ...timeouts };
  for (const p of d.block) {
    switch (p.name) {
      case 'except':
        cfg.except.push(...p.args.map(normalizeZone));
        break;
      case 'policy':
        if (p.args[0] !== 'random' && p.args[0] !== 'round_robin' && p.args[0] !== 'sequential') throw setupError('forward', p.line, `unknown policy '${p.args[0] ?? ''}'`);
        cfg.policy = p.args[0] as Policy;
        break;
      case 'force_tcp':
        cfg.forceTcp = true;
        break;
      default:
        if (!ignored.has(p.name)) throw setupError('forward', p.line, `unknown property '${p.name}'`);
    }
  }
  if (!upstreams.length) env.logger.warn('plugin/forward: no nameservers found; forwarded queries will get SERVFAIL');
  return cfg;
}

export function setup(env: SetupEnv, timeouts?: { timeoutMs: number; budgetMs: number }): PluginInstance {
  const cfg = parse(env, timeouts);
  return { plugin: (next) => new ForwardHandler(next, cfg, env.logger.child('forward')) };
}
