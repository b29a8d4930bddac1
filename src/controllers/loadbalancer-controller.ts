// The LoadBalancer controller: kanzen's cloud provider. Each LoadBalancer Service gets an
// ingress IP from a loopback pool (default 127.0.100.0/24), reachable from the host with
// no sudo and no tunnel (the node agents accept on host sockets the daemon makes for it).
// Behaves like MetalLB: honours spec.loadBalancerIP and the metallb.io/loadBalancerIPs annotation inside
// the pool, leaves the Service <pending> with an AllocationFailed event when the pool is
// exhausted or the IP is taken, ignores Services of another loadBalancerClass, and frees the
// IP when the Service is deleted or stops being a LoadBalancer.
import { isNotFound } from '../api/errors.js';
import type { Service } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { objectKey, splitKey } from '../client/informer.js';
import { WorkQueue } from '../client/work-queue.js';
import { formatIPv4, parseCIDR } from '../api/ipv4.js';
import type { Controller, ControllerContext } from './controller-context.js';

export const loadBalancerClass = 'kanzen.io/loadbalancer';
const metallbIPsAnnotation = 'metallb.io/loadBalancerIPs';
const component = 'kanzen-loadbalancer';

/** The addresses of a pool, without the network and broadcast addresses of ranges wider than /31. */
export function poolAddresses(cidr: string): string[] {
  const { network, size } = parseCIDR(cidr);
  const skipEnds = size > 2;
  const out: string[] = [];
  for (let i = skipEnds ? 1 : 0; i < (skipEnds ? size - 1 : size); i++) out.push(formatIPv4(network + i));
  return out;
}

/** The IP a Service asks for, if any (annotation first, as MetalLB prefers it). */
export function requestedIP(svc: Service): string | undefined {
  const ann = svc.metadata.annotations?.[metallbIPsAnnotation];
  if (ann) return ann.split(',')[0].trim();
  return svc.spec.loadBalancerIP || undefined;
}

export function isOurs(svc: Service): boolean {
  return svc.spec.type === 'LoadBalancer' && (!svc.spec.loadBalancerClass || svc.spec.loadBalancerClass === loadBalancerClass);
}

function currentIngressIP(svc: Service): string | undefined {
  return svc.status?.loadBalancer?.ingress?.find((i) => i.ip)?.ip;
}

export function newLoadBalancerController(ctx: ControllerContext): Controller {
  const services = resourceFor('services');
  const informer = ctx.informers.for<Service>(services);
  const log = ctx.logger.child('loadbalancer');
  const recorder = ctx.recorder(component);
  const pool = poolAddresses(ctx.options.loadBalancerPool);
  const poolSet = new Set(pool);
  /** ip → service key; rebuilt from the cache, so a restart converges. */
  const assigned = new Map<string, string>();
  let next = 0;

  const rebuild = () => {
    assigned.clear();
    for (const svc of informer.list()) {
      const ip = currentIngressIP(svc);
      if (ip && isOurs(svc) && poolSet.has(ip)) assigned.set(ip, objectKey(svc));
    }
  };

  const pick = (key: string, svc: Service): { ip?: string; error?: string } => {
    const wanted = requestedIP(svc);
    if (wanted) {
      if (!poolSet.has(wanted)) return { error: `Failed to allocate IP for "${key}": ${wanted} is not allowed in config` };
      const owner = assigned.get(wanted);
      if (owner && owner !== key) return { error: `Failed to allocate IP for "${key}": can't change sharing key for "${key}", address also in use by ${owner}` };
      return { ip: wanted };
    }
    for (let i = 0; i < pool.length; i++) {
      const ip = pool[(next + i) % pool.length];
      if (!assigned.has(ip)) {
        next = (next + i + 1) % pool.length;
        return { ip };
      }
    }
    return { error: `Failed to allocate IP for "${key}": no available IPs` };
  };

  const writeIngress = async (svc: Service, ip: string | undefined) => {
    const ingress = ip ? [{ ip, ipMode: 'VIP' }] : [];
    await ctx.client.patch(services, svc.metadata.namespace, svc.metadata.name!, 'merge', { status: { loadBalancer: { ingress: ip ? ingress : null } } }, 'status');
  };

  const sync = async (key: string): Promise<void> => {
    rebuild();
    const { namespace, name } = splitKey(key);
    const svc = informer.getByName(namespace, name);
    if (!svc) return;
    const have = currentIngressIP(svc);
    if (!isOurs(svc)) {
      // Not (or no longer) ours: a LoadBalancer of another class keeps whatever its controller set.
      if (have && svc.spec.type !== 'LoadBalancer' && poolSet.has(have)) {
        assigned.delete(have);
        await writeIngress(svc, undefined);
        enqueueAll();
      }
      return;
    }
    const wanted = requestedIP(svc);
    if (have && poolSet.has(have) && (!wanted || wanted === have) && assigned.get(have) === key) return;
    const { ip, error } = pick(key, svc);
    if (!ip) {
      recorder.event(svc, 'Warning', 'AllocationFailed', error!);
      return;
    }
    assigned.set(ip, key);
    try {
      await writeIngress(svc, ip);
      recorder.event(svc, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`);
    } catch (e) {
      assigned.delete(ip);
      if (!isNotFound(e)) throw e;
    }
  };

  const queue = new WorkQueue(sync, { name: 'loadbalancer', logger: log });
  const enqueueAll = () => {
    for (const svc of informer.list()) if (svc.spec.type === 'LoadBalancer') queue.add(objectKey(svc));
  };
  return {
    name: 'loadbalancer-controller',
    start() {
      informer.addHandlers({
        add: (svc) => queue.add(objectKey(svc)),
        update: (_old, svc) => queue.add(objectKey(svc)),
        // A freed IP may be what a pending Service waits for.
        delete: () => enqueueAll(),
      });
    },
    stop() {
      queue.stop();
    },
  };
}

