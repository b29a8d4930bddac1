// Host access to NodePorts and LoadBalancer IPs, from the host's root network namespace
// (which has only loopback, ARCHITECTURE.md): 127.0.0.1:<nodePort> for every NodePort (as
// kind's port mappings) and <ingress IP>:<port> for every LoadBalancer ingress IP from the
// loopback pool.
//
// The supervisor (src/cli/supervisor.ts), which runs in the host's namespace and owns the
// node agents, creates each socket there (bound, not listening) and passes it to every
// node agent over the agent's IPC channel (SCM_RIGHTS).
// A socket belongs to the namespace it was created in, wherever its descriptor goes, so
// the agents accept host connections directly and connect to pods from inside their
// nodes: the host's traffic crosses one proxy, as on a node, and no bytes go through the
// supervisor or the daemon. Agents that restart get every socket again.
import type { Service } from '../api/types.js';
import { servicePortsOf, type ServicePortInfo } from './service-port.js';
import { resourceFor } from '../client/api-client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../util/logger.js';
import { newTcpServer, uvError, type StreamHandle } from './userspace/libuv-stream.js';

// The protocol on an agent's IPC channel. Agent → supervisor: `ready` once it can take
// sockets (the supervisor sends all it has), `request` for one socket it gave back (below).
// Supervisor → agent: `adopt` with the socket attached, `release` when the Service is gone.

/** What the supervisor tells a node agent about one host socket. */
export interface HostSocketMessage {
  kind: 'kanzen.host-socket';
  op: 'adopt' | 'release';
  ip: string;
  port: number;
}

/** What a node agent tells the supervisor. */
export type AgentHostSocketMessage = { kind: 'kanzen.host-socket'; op: 'ready' } | { kind: 'kanzen.host-socket'; op: 'request'; ip: string; port: number };

export function isHostSocketMessage(m: unknown): m is HostSocketMessage | AgentHostSocketMessage {
  return typeof m === 'object' && m !== null && (m as HostSocketMessage).kind === 'kanzen.host-socket';
}

export function agentMessage(m: AgentHostSocketMessage): AgentHostSocketMessage {
  return m;
}

/** A node agent as the supervisor reaches it. */
export interface AgentChannel {
  send(message: HostSocketMessage, handle?: StreamHandle): void;
}

export interface HostPortMappingsOptions {
  informers: InformerFactory;
  /** The node agents running now. */
  agents: () => Iterable<AgentChannel>;
  logger: Logger;
}

/** One host socket: 127.0.0.1:<nodePort> or <LoadBalancer IP>:<port>. */
export interface HostSocketAddress {
  ip: string;
  port: number;
}

export const hostSocketKey = (a: HostSocketAddress): string => `${a.ip}:${a.port}`;

/**
 * The host sockets of one Service port — what the supervisor opens and what a node agent
 * serves, from the same rule: TCP only; 127.0.0.1:<nodePort> as kind's port mappings, and
 * each LoadBalancer IP from the loopback pool on the Service port.
 */
export function hostSocketsOf(info: Pick<ServicePortInfo, 'protocol' | 'port' | 'nodePort' | 'loadBalancerIPs'>): HostSocketAddress[] {
  if (info.protocol !== 'TCP') return [];
  const out: HostSocketAddress[] = [];
  if (info.nodePort) out.push({ ip: '127.0.0.1', port: info.nodePort });
  for (const ip of info.loadBalancerIPs) if (ip.startsWith('127.')) out.push({ ip, port: info.port });
  return out;
}

export class HostPortMappings {
  private readonly sockets = new Map<string, { ip: string; port: number; handle: StreamHandle }>();

  constructor(private readonly opts: HostPortMappingsOptions) {}

  start(): void {
    const informer = this.opts.informers.for<Service>(resourceFor('services'));
    const resync = () => this.sync(informer.list());
    informer.addHandlers({ add: resync, update: resync, delete: resync });
  }

  /** Answers an agent: every socket when it is ready, one when it asks for it again. */
  onAgentMessage(agent: AgentChannel, m: unknown): void {
    if (!isHostSocketMessage(m)) return;
    if (m.op === 'ready') for (const s of this.sockets.values()) agent.send(message('adopt', s), s.handle);
    else if (m.op === 'request') {
      const s = this.sockets.get(`${m.ip}:${m.port}`);
      if (s) agent.send(message('adopt', s), s.handle);
    }
  }

  stop(): void {
    for (const s of this.sockets.values()) s.handle.close();
    this.sockets.clear();
  }

  private sync(services: Service[]): void {
    const wanted = new Map<string, { ip: string; port: number }>();
    for (const svc of services) for (const info of servicePortsOf(svc).values()) for (const b of hostSocketsOf(info)) wanted.set(hostSocketKey(b), b);
    for (const [key, s] of this.sockets) {
      if (wanted.has(key)) continue;
      this.sockets.delete(key);
      s.handle.close();
      for (const a of this.opts.agents()) a.send(message('release', s));
    }
    for (const [key, b] of wanted) if (!this.sockets.has(key)) this.open(key, b);
  }

  private open(key: string, b: { ip: string; port: number }): void {
    const handle = newTcpServer();
    const err = handle.bind(b.ip, b.port);
    if (err !== 0) {
      handle.close();
      this.opts.logger.warn('cannot bind a host port', { address: key, err: uvError(err, 'bind', key).message });
      return;
    }
    this.sockets.set(key, { ...b, handle });
    for (const a of this.opts.agents()) a.send(message('adopt', b), handle);
  }
}

function message(op: HostSocketMessage['op'], b: { ip: string; port: number }): HostSocketMessage {
  return { kind: 'kanzen.host-socket', op, ip: b.ip, port: b.port };
}
