// NetworkPolicy shapes for truth-table tests (kernel and e2e): the named ones upstream's
// netpol e2e covers, and random ones built from the same pieces (cyclonus' generator in
// spirit), over pods labelled pod=<name> in namespaces labelled ns=<name>. Pods named "a"
// have the named port "web" on TCP 80, pods named "b" on TCP 81, so a named port resolves
// to different numbers on different destinations.
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec, PolicyType } from '../api/types.js';

export interface ShapeContext {
  /** The pods, as "ns/name". */
  podKeys: readonly string[];
  /** A pod's IP by "ns/name". */
  podIP(key: string): string;
  /** A source address that is no pod, inside the cluster's network namespaces. */
  outsideIP: string;
}

export interface PolicyShape {
  name: string;
  policies: NetworkPolicy[];
}

export const shapePorts = ['TCP/80', 'TCP/81', 'UDP/80', 'UDP/81'];

/** The named container ports the shapes' pods declare (pod name → ports). */
export function shapeNamedPorts(podName: string): { name: string; containerPort: number; protocol: string }[] {
  return [{ name: 'web', containerPort: podName === 'a' ? 80 : 81, protocol: 'TCP' }, { name: 'dgram', containerPort: 81, protocol: 'UDP' }];
}

function policy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

const pod = (name: string) => ({ matchLabels: { pod: name } });
const ns = (name: string) => ({ matchLabels: { ns: name } });

export function namedShapes(ctx: ShapeContext): PolicyShape[] {
  const ya = ctx.podIP('y/a');
  return [
    { name: 'no policy', policies: [] },
    { name: 'deny-all ingress in x', policies: [policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })] },
    { name: 'deny-all egress in x', policies: [policy('x', 'deny', { podSelector: {}, policyTypes: ['Egress'] })] },
    { name: 'x/a allows ingress from namespace y', policies: [policy('x', 'from-y', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }] }] })] },
    { name: 'x/a allows ingress from pod=b AND namespace y', policies: [policy('x', 'and', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y'), podSelector: pod('b') }] }] })] },
    { name: 'x/a allows ingress from pod=b OR namespace y', policies: [policy('x', 'or', { podSelector: pod('a'), ingress: [{ from: [{ namespaceSelector: ns('y') }, { podSelector: pod('b') }] }] })] },
    {
      name: 'x allows ingress from y/a\'s /24 except y/a, and from outside',
      policies: [policy('x', 'ipblock', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: `${ya}/24`, except: [`${ya}/32`] } }, { ipBlock: { cidr: `${ctx.outsideIP}/32` } }] }] })],
    },
    { name: 'x allows ingress on the named port web', policies: [policy('x', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'web' }] }] })] },
    { name: 'y allows egress to the named port web only', policies: [policy('y', 'named-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'web' }] }] })] },
    { name: 'x allows ingress TCP 80-81 (endPort) and UDP 81', policies: [policy('x', 'range', { podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 81 }, { protocol: 'UDP', port: 81 }] }] })] },
    {
      name: 'x egress only to z, z ingress only from x on TCP',
      policies: [
        policy('x', 'egress-z', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: ns('z') }] }] }),
        policy('z', 'from-x', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: ns('x') }], ports: [{ protocol: 'TCP' }] }] }),
      ],
    },
  ];
}

/** A small seeded PRNG (mulberry32): a failing random shape is reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomShape(seed: number, ctx: ShapeContext, namespaces: readonly string[], podNames: readonly string[]): PolicyShape {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const some = <T>(make: () => T, max: number): T[] => Array.from({ length: Math.floor(rnd() * (max + 1)) }, make);
  const selector = () => pick([{}, pod(pick(podNames)), { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: [pick(podNames)] }] }]);
  const peer = (): NetworkPolicyPeer => {
    const key = pick(ctx.podKeys);
    return pick<() => NetworkPolicyPeer>([
      () => ({ podSelector: selector() }),
      () => ({ namespaceSelector: pick([{}, ns(pick(namespaces))]) }),
      () => ({ namespaceSelector: ns(pick(namespaces)), podSelector: selector() }),
      () => ({ ipBlock: { cidr: `${ctx.podIP(key)}/24`, except: [`${ctx.podIP(key)}/32`] } }),
      () => ({ ipBlock: { cidr: `${ctx.podIP(key)}/32` } }),
      () => ({ ipBlock: { cidr: `${ctx.outsideIP}/32` } }),
    ])();
  };
  const port = (): NetworkPolicyPort =>
    pick<NetworkPolicyPort>([{ port: 80 }, { protocol: 'UDP', port: 81 }, { protocol: 'UDP' }, { port: 80, endPort: 81 }, { port: 'web' }, { protocol: 'UDP', port: 'dgram' }, { protocol: 'TCP' }]);
  const policies = some(() => {
    const types = pick<PolicyType[] | undefined>([undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
    const spec: NetworkPolicySpec = { podSelector: selector() };
    if (types) spec.policyTypes = types;
    const ingress = some(() => ({ from: some(peer, 2), ports: some(port, 2) }), 2);
    const egress = some(() => ({ to: some(peer, 2), ports: some(port, 2) }), 2);
    if (ingress.length || rnd() < 0.5) spec.ingress = ingress;
    if (egress.length || rnd() < 0.5) spec.egress = egress;
    return spec;
  }, 3).map((spec, i) => policy(pick(namespaces), `random-${i}`, spec));
  return { name: `random shape, seed ${seed}`, policies: policies.length ? policies : [policy(pick(namespaces), 'deny', { podSelector: selector(), policyTypes: ['Ingress', 'Egress'] })] };
}
