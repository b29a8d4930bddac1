// Startup, liveness and readiness probes (upstream pkg/kubelet/prober: prober.go runs one
// probe, worker.go runs one probe type of one container on its period and applies the
// thresholds). Results:
// * startup: Unknown until it succeeds (then the container is `started`); while a container
//   has a startup probe that has not succeeded, its liveness and readiness probes do not run.
// * readiness: Failure until successThreshold successes in a row; the container is `ready`
//   while it is Success (ContainersReady/Ready follow).
// * liveness/startup reaching failureThreshold: the kubelet kills the container (events
//   Unhealthy, then Killing "Container x failed liveness probe, will be restarted") and the
//   worker holds until the container is restarted.
// Every failed attempt records a Warning `Unhealthy` event "<Type> probe failed: <output>",
// as upstream does. Times are in probe seconds; secondMs scales them for tests.
import type { Container, Probe } from '../../api/types.js';
import { execProbe, httpGet, resolvePort, tcpConnect, type ActionOutcome, type ProbeResult, type SandboxExec } from './handlers.js';

export type ProbeType = 'startup' | 'liveness' | 'readiness';

const probeName: Record<ProbeType, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

/** API defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe). */
export function probeTiming(p: Probe) {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds || 10,
    timeoutSeconds: p.timeoutSeconds || 1,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}

/** One attempt of a probe (upstream prober.runProbe). */
export async function runProbe(
  p: Probe,
  container: Container,
  target: { podUID: string; podIP: string; pid?: number },
  exec: SandboxExec,
  timeoutMs: number,
): Promise<ActionOutcome> {
  if (p.exec) return execProbe(exec, { podUID: target.podUID, container: container.name, pid: target.pid }, p.exec.command ?? [], timeoutMs);
  if (p.httpGet) {
    const port = resolvePort(p.httpGet.port, container);
    if (port === undefined) return { result: 'Unknown', output: `unable to find port: ${p.httpGet.port}` };
    return httpGet(p.httpGet, target.podIP, port, timeoutMs);
  }
  if (p.tcpSocket) {
    const port = resolvePort(p.tcpSocket.port, container);
    if (port === undefined) return { result: 'Unknown', output: `unable to find port: ${p.tcpSocket.port}` };
    return tcpConnect(p.tcpSocket.host || target.podIP, port, timeoutMs);
  }
  if (p.grpc) return grpcAsTcp(target.podIP, p.grpc.port, timeoutMs);
  return { result: 'Unknown', output: 'missing probe handler' };
}

/** Approximation: a gRPC health check is reduced to a TCP connect (no gRPC client here). */
async function grpcAsTcp(host: string, port: number, timeoutMs: number): Promise<ActionOutcome> {
  const r = await tcpConnect(host, port, timeoutMs);
  return r.result === 'Success' ? r : { result: 'Failure', output: `timeout: failed to connect service "${host}:${port}" within ${timeoutMs / 1000}s: ${r.output}` };
}

export interface PodProberOptions {
  podUID: string;
  podIP: () => string | undefined;
  exec: SandboxExec;
  /** A Warning/Normal event about the pod (Unhealthy; Killing is the runtime's). */
  event: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** readiness or started changed: the pod's status must be posted again. */
  onChange: () => void;
  /** A liveness or startup probe reached its failure threshold: kill and restart the container. */
  onFailure: (container: string, type: 'liveness' | 'startup') => void;
  /** Milliseconds per probe second (1000; tests shrink it). */
  secondMs?: number;
  nowMs?: () => number;
}

class ProbeWorker {
  result: ProbeResult;
  private run = 0;
  private last: ProbeResult | undefined;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private onHold = false;

  constructor(
    readonly type: ProbeType,
    private readonly probe: Probe,
    private readonly c: ContainerProbes,
    private readonly opts: PodProberOptions,
  ) {
    this.result = type === 'readiness' ? 'Failure' : type === 'liveness' ? 'Success' : 'Unknown';
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private get secondMs(): number {
    return this.opts.secondMs ?? 1000;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const t = probeTiming(this.probe);
    try {
      await this.probeOnce(t);
    } finally {
      this.schedule(t.periodSeconds * this.secondMs);
    }
  }

  private async probeOnce(t: ReturnType<typeof probeTiming>): Promise<void> {
    if (this.stopped || this.onHold) return;
    const startup = this.c.workers.get('startup');
    if (this.type === 'startup' && this.result === 'Success') return;
    // Liveness and readiness wait for a startup probe to succeed.
    if (this.type !== 'startup' && startup && startup.result !== 'Success') return;
    const now = (this.opts.nowMs ?? Date.now)();
    if (now < this.c.startedAtMs + t.initialDelaySeconds * this.secondMs) return;
    const podIP = this.opts.podIP() ?? '127.0.0.1';
    const outcome = await runProbe(this.probe, this.c.container, { podUID: this.opts.podUID, podIP, pid: this.c.pid }, this.opts.exec, t.timeoutSeconds * this.secondMs);
    if (this.stopped) return;
    const name = probeName[this.type];
    if (outcome.result === 'Failure') this.opts.event('Warning', 'Unhealthy', `${name} probe failed: ${outcome.output}`);
    else if (outcome.result === 'Unknown') this.opts.event('Warning', 'Unhealthy', `${name} probe errored: ${outcome.output}`);
    // An error counts as a failure for the thresholds (upstream maps Unknown to Failure for the result cache).
    const r: ProbeResult = outcome.result === 'Success' ? 'Success' : 'Failure';
    this.run = this.last === r ? this.run + 1 : 1;
    this.last = r;
    if ((r === 'Failure' && this.run < t.failureThreshold) || (r === 'Success' && this.run < t.successThreshold)) return;
    const changed = this.result !== r;
    this.result = r;
    if (changed) this.opts.onChange();
    if (r === 'Failure' && (this.type === 'liveness' || this.type === 'startup')) {
      this.onHold = true;
      this.run = 0;
      this.opts.onFailure(this.c.container.name, this.type);
    }
  }
}

interface ContainerProbes {
  container: Container;
  startedAtMs: number;
  pid?: number;
  workers: Map<ProbeType, ProbeWorker>;
}

/** The probes of one pod's running containers. */
export class PodProber {
  private readonly containers = new Map<string, ContainerProbes>();

  constructor(private readonly opts: PodProberOptions) {}

  /** A container (re)started at startedAtMs: its probes start over from their initial results. */
  containerStarted(container: Container, startedAtMs: number, pid?: number): void {
    this.containerStopped(container.name);
    const c: ContainerProbes = { container, startedAtMs, pid, workers: new Map() };
    const probes: [ProbeType, Probe | undefined][] = [
      ['startup', container.startupProbe],
      ['liveness', container.livenessProbe],
      ['readiness', container.readinessProbe],
    ];
    for (const [type, p] of probes) if (p) c.workers.set(type, new ProbeWorker(type, p, c, this.opts));
    this.containers.set(container.name, c);
    for (const w of c.workers.values()) w.start();
  }

  containerStopped(name: string): void {
    const c = this.containers.get(name);
    if (!c) return;
    for (const w of c.workers.values()) w.stop();
    this.containers.delete(name);
  }

  /** Started: its startup probe succeeded, or it has none (the caller knows whether it runs). */
  isStarted(name: string): boolean {
    const w = this.containers.get(name)?.workers.get('startup');
    return !w || w.result === 'Success';
  }

  /** Ready: started, and its readiness probe is Success or it has none. */
  isReady(name: string): boolean {
    if (!this.isStarted(name)) return false;
    const w = this.containers.get(name)?.workers.get('readiness');
    return !w || w.result === 'Success';
  }

  stop(): void {
    for (const name of [...this.containers.keys()]) this.containerStopped(name);
  }
}
